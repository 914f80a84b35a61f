#include "api/views.h"

namespace bulwark::api {

namespace json = boost::json;

json::array string_array(const std::vector<std::string>& values) {
  json::array out;
  for (const std::string& v : values) out.emplace_back(v);
  return out;
}

json::object user_json(const UserInfo& u, bool with_source) {
  json::object out{{"name", u.name},
                   {"email", u.email},
                   {"admin", u.admin},
                   {"disabled", u.disabled},
                   {"password_set", u.password_set},
                   {"totp_enrolled", u.totp_enrolled},
                   {"created_at", u.created_at},
                   {"updated_at", u.updated_at}};
  if (with_source) out["source"] = u.source;
  return out;
}

json::object project_json(const metadata::Project& p) {
  return json::object{{"name", p.name},
                      {"visibility", metadata::visibility_name(p.visibility)},
                      {"environment", metadata::environment_name(p.environment)},
                      {"allowed_networks", string_array(p.allowed_networks)},
                      {"created_at", p.created_at}};
}

json::object member_json(const metadata::Member& m) {
  return json::object{{"kind", metadata::principal_kind_name(m.kind)},
                      {"name", m.principal},
                      {"role", metadata::role_name(m.role)},
                      {"updated_at", m.updated_at}};
}

json::object robot_json(const RobotInfo& r) {
  json::array rules;
  for (const RuleSpec& rule : r.rules) {
    rules.push_back(
        json::object{{"repository", rule.repository}, {"actions", string_array(rule.actions)}});
  }
  json::value project = nullptr;
  if (r.project) project = *r.project;
  json::value revoked_at = nullptr;
  if (r.revoked_at) revoked_at = *r.revoked_at;
  return json::object{{"name", r.name},
                      {"project", project},
                      {"kind", r.kind},
                      {"rules", std::move(rules)},
                      {"description", r.description},
                      {"status", r.status},
                      {"expires_at", r.expires_at},
                      {"revoked_at", revoked_at},
                      {"created_by", r.created_by},
                      {"created_at", r.created_at},
                      {"updated_at", r.updated_at},
                      {"allowed_networks", string_array(r.allowed_networks)}};
}

json::object issued_json(const IssuedRobot& issued) {
  return json::object{
      {"name", issued.name}, {"secret", issued.secret}, {"expires_at", issued.expires_at}};
}

}  // namespace bulwark::api
