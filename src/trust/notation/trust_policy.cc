#include "trust/notation/trust_policy.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cctype>
#include <set>

#include "common/strict_json.h"
#include "oci/reference.h"

namespace bulwark::trust::notation {
namespace {

namespace json = boost::json;

constexpr std::array<std::string_view, 1> kSupportedVersions = {"1.0"};
constexpr std::string_view kSubjectPrefix = "x509.subject:";

using C = CheckAction;
struct LevelRow {
  VerificationLevel level;
  std::string_view name;
  std::array<CheckAction, kValidationCheckCount> actions;  // in ValidationCheck order
};
// trust-store-trust-policy.md "Signature Verification details": what each level does with
// integrity, authenticity, authenticTimestamp, expiry and revocation.
constexpr std::array<LevelRow, 4> kLevels = {{
    {VerificationLevel::kStrict,
     "strict",
     {C::kEnforce, C::kEnforce, C::kEnforce, C::kEnforce, C::kEnforce}},
    {VerificationLevel::kPermissive,
     "permissive",
     {C::kEnforce, C::kEnforce, C::kLog, C::kLog, C::kLog}},
    {VerificationLevel::kAudit, "audit", {C::kEnforce, C::kLog, C::kLog, C::kLog, C::kLog}},
    {VerificationLevel::kSkip, "skip", {C::kSkip, C::kSkip, C::kSkip, C::kSkip, C::kSkip}},
}};

constexpr std::array<std::string_view, kValidationCheckCount> kCheckNames = {
    "integrity", "authenticity", "authenticTimestamp", "expiry", "revocation"};
constexpr std::array<std::string_view, 3> kActionNames = {"enforce", "log", "skip"};

tl::unexpected<Error> invalid(const std::string& what) {
  return fail(ErrorCode::kInvalidArgument, "trust policy: " + what);
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::vector<std::string>> string_array(const json::object& o, std::string_view key,
                                              const std::string& where) {
  const json::value* v = o.if_contains(key);
  std::vector<std::string> out;
  if (v == nullptr) return out;
  if (!v->is_array())
    return invalid(where + ": " + std::string(key) + " must be an array of strings");
  for (const json::value& e : v->get_array()) {
    if (!e.is_string())
      return invalid(where + ": " + std::string(key) + " must be an array of strings");
    out.emplace_back(e.get_string());
  }
  return out;
}

Result<void> only_members(const json::object& o, std::initializer_list<std::string_view> allowed,
                          const std::string& where) {
  for (const auto& kv : o) {
    if (std::find(allowed.begin(), allowed.end(), std::string_view(kv.key())) == allowed.end()) {
      return invalid(where + ": unknown member " + quote_untrusted(kv.key()));
    }
  }
  return ok();
}

Result<void> parse_verification(const json::object& o, const std::string& where, TrustPolicy& p) {
  const json::value* sv = o.if_contains("signatureVerification");
  if (sv == nullptr || !sv->is_object()) return invalid(where + ": signatureVerification missing");
  const json::object& s = sv->get_object();
  BULWARK_TRY_VOID(
      only_members(s, {"level", "override", "verifyTimestamp"}, where + ": signatureVerification"));
  const json::value* level = s.if_contains("level");
  if (level == nullptr || !level->is_string())
    return invalid(where + ": signatureVerification.level missing");
  const LevelRow* row = nullptr;
  for (const LevelRow& r : kLevels) {
    if (r.name == std::string_view(level->get_string())) row = &r;
  }
  if (row == nullptr) {
    return invalid(where + ": unknown verification level " + quote_untrusted(level->get_string()));
  }
  p.level = row->level;
  p.actions = row->actions;
  if (const json::value* vt = s.if_contains("verifyTimestamp")) {
    if (!vt->is_string() ||
        (vt->get_string() != "always" && vt->get_string() != "afterCertExpiry")) {
      return invalid(where + ": verifyTimestamp must be \"always\" or \"afterCertExpiry\"");
    }
    p.verify_timestamp_after_cert_expiry = vt->get_string() == "afterCertExpiry";
  }
  const json::value* ov = s.if_contains("override");
  if (ov == nullptr) return ok();
  if (!ov->is_object()) return invalid(where + ": override must be an object");
  if (p.level == VerificationLevel::kSkip && !ov->get_object().empty()) {
    return invalid(where + ": level skip takes no overrides");
  }
  for (const auto& kv : ov->get_object()) {
    const auto check =
        std::find(kCheckNames.begin(), kCheckNames.end(), std::string_view(kv.key()));
    if (check == kCheckNames.end()) {
      return invalid(where + ": override of unknown validation " + quote_untrusted(kv.key()));
    }
    const auto index = static_cast<size_t>(check - kCheckNames.begin());
    if (index == static_cast<size_t>(ValidationCheck::kIntegrity)) {
      return invalid(where + ": integrity validation cannot be overridden");
    }
    const json::value& a = kv.value();
    const auto action = a.is_string() ? std::find(kActionNames.begin(), kActionNames.end(),
                                                  std::string_view(a.get_string()))
                                      : kActionNames.end();
    if (action == kActionNames.end()) {
      return invalid(where + ": override action for " + std::string(kv.key()) +
                     " must be enforce, log or skip");
    }
    const auto act = static_cast<CheckAction>(action - kActionNames.begin());
    if (index == static_cast<size_t>(ValidationCheck::kAuthenticity) && act == CheckAction::kSkip) {
      return invalid(where + ": authenticity validation cannot be skipped");
    }
    p.actions[index] = act;
  }
  return ok();
}

Result<void> parse_identities(const std::vector<std::string>& ids, const std::string& where,
                              TrustPolicy& p) {
  for (const std::string& id : ids) {
    if (id == "*") {
      if (ids.size() != 1)
        return invalid(where + ": wildcard trusted identity must be the only one");
      p.any_identity = true;
      continue;
    }
    if (id.rfind(kSubjectPrefix, 0) != 0) {
      return invalid(where + ": trusted identity " + quote_untrusted(id) +
                     " is neither \"*\" nor \"x509.subject: <DN>\"");
    }
    auto dn = parse_distinguished_name(std::string_view(id).substr(kSubjectPrefix.size()));
    if (!dn)
      return invalid(where + ": trusted identity " + quote_untrusted(id) + ": " +
                     dn.error().message);
    for (std::string_view required : {"C", "ST", "O"}) {
      if (std::none_of(dn->begin(), dn->end(),
                       [&](const auto& a) { return a.first == required; })) {
        return invalid(where + ": trusted identity " + quote_untrusted(id) +
                       " lacks the mandatory attributes C, ST and O");
      }
    }
    for (const DistinguishedName& other : p.trusted_subjects) {
      if (dn_matches(other, *dn) || dn_matches(*dn, other)) {
        return invalid(where + ": overlapping or repeated x509.subject trusted identities");
      }
    }
    p.trusted_subjects.push_back(std::move(*dn));
  }
  p.trusted_identities = ids;
  return ok();
}

Result<TrustPolicy> parse_policy(const json::value& v, size_t index) {
  std::string where = "trustPolicies[" + std::to_string(index) + "]";
  if (!v.is_object()) return invalid(where + " is not an object");
  const json::object& o = v.get_object();
  BULWARK_TRY_VOID(only_members(
      o, {"name", "registryScopes", "signatureVerification", "trustStores", "trustedIdentities"},
      where));
  TrustPolicy p;
  const json::value* name = o.if_contains("name");
  if (name == nullptr || !name->is_string() || name->get_string().empty()) {
    return invalid(where + ": name missing or empty");
  }
  p.name = std::string(name->get_string());
  where = "policy " + quote_untrusted(p.name);

  BULWARK_ASSIGN_OR_RETURN(p.registry_scopes, string_array(o, "registryScopes", where));
  if (p.registry_scopes.empty()) return invalid(where + ": registryScopes is empty");
  for (const std::string& scope : p.registry_scopes) {
    if (scope == "*") {
      if (p.registry_scopes.size() != 1) {
        return invalid(where + ": wildcard registry scope must be the only scope of its policy");
      }
      continue;
    }
    auto ref = oci::parse_image_reference(scope);
    if (!ref || ref->registry.empty() || ref->tag || ref->digest || ref->str() != scope) {
      return invalid(where + ": registry scope " + quote_untrusted(scope) +
                     " is not \"*\" or \"registry/repository\" (no tag or digest)");
    }
  }
  BULWARK_TRY_VOID(parse_verification(o, where, p));

  BULWARK_ASSIGN_OR_RETURN(std::vector<std::string> stores, string_array(o, "trustStores", where));
  BULWARK_ASSIGN_OR_RETURN(std::vector<std::string> ids,
                           string_array(o, "trustedIdentities", where));
  if (p.level == VerificationLevel::kSkip) {
    if (!stores.empty() || !ids.empty()) {
      return invalid(where + ": level skip must not name trust stores or trusted identities");
    }
    return p;
  }
  if (stores.empty()) return invalid(where + ": trustStores is empty");
  if (ids.empty()) return invalid(where + ": trustedIdentities is empty");
  for (const std::string& s : stores) {
    const size_t colon = s.find(':');
    const auto type = colon == std::string::npos
                          ? std::nullopt
                          : parse_store_type(std::string_view(s).substr(0, colon));
    if (!type || !valid_store_name(std::string_view(s).substr(colon + 1))) {
      return invalid(where + ": trust store " + quote_untrusted(s) +
                     " is not \"<ca|signingAuthority|tsa>:<name>\"");
    }
    TrustStoreRef ref{*type, s.substr(colon + 1)};
    if (std::any_of(p.trust_stores.begin(), p.trust_stores.end(), [&](const TrustStoreRef& r) {
          return r.type == ref.type && r.name == ref.name;
        })) {
      return invalid(where + ": trust store " + quote_untrusted(s) + " listed twice");
    }
    p.trust_stores.push_back(std::move(ref));
  }
  BULWARK_TRY_VOID(parse_identities(ids, where, p));
  return p;
}

}  // namespace

std::string_view level_name(VerificationLevel level) {
  for (const LevelRow& r : kLevels) {
    if (r.level == level) return r.name;
  }
  return "unknown";
}

std::string_view check_name(ValidationCheck check) {
  return kCheckNames[static_cast<size_t>(check)];
}

std::string_view action_name(CheckAction action) {
  return kActionNames[static_cast<size_t>(action)];
}

std::array<CheckAction, kValidationCheckCount> level_actions(VerificationLevel level) {
  for (const LevelRow& r : kLevels) {
    if (r.level == level) return r.actions;
  }
  return kLevels.front().actions;
}

Result<DistinguishedName> parse_distinguished_name(std::string_view text) {
  DistinguishedName out;
  std::string attr, value;
  bool in_value = false;
  size_t trailing_spaces = 0;  // unescaped spaces at the end of `value`, trimmed at the end
  auto finish = [&]() -> Result<void> {
    value.resize(value.size() - trailing_spaces);
    const std::string type = upper(trim(attr));
    if (!in_value || type.empty() || value.empty()) {
      return fail(ErrorCode::kInvalidArgument, "distinguished name: malformed attribute");
    }
    if (std::any_of(out.begin(), out.end(), [&](const auto& a) { return a.first == type; })) {
      return fail(ErrorCode::kInvalidArgument,
                  "distinguished name: attribute " + type + " repeated");
    }
    out.emplace_back(type, value);
    attr.clear();
    value.clear();
    in_value = false;
    trailing_spaces = 0;
    return ok();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (!in_value) {
      if (c == '=') {
        in_value = true;
        while (i + 1 < text.size() && text[i + 1] == ' ') ++i;
      } else if (c == ',' || c == ';' || c == '+' || c == '\\' || c == '"') {
        return fail(ErrorCode::kInvalidArgument, "distinguished name: malformed attribute type");
      } else {
        attr.push_back(c);
      }
      continue;
    }
    if (c == '\\') {
      if (i + 1 >= text.size())
        return fail(ErrorCode::kInvalidArgument, "distinguished name: dangling escape");
      const int hi = hex_value(text[i + 1]);
      const int lo = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
      if (hi >= 0 && lo >= 0) {
        value.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
      } else {
        value.push_back(text[++i]);
      }
      trailing_spaces = 0;
    } else if (c == ',' || c == ';') {
      BULWARK_TRY_VOID(finish());
      while (i + 1 < text.size() && text[i + 1] == ' ') ++i;
    } else if (c == '+') {
      return fail(ErrorCode::kInvalidArgument,
                  "distinguished name: multi-valued RDNs are not supported");
    } else if (c == '=' || c == '"') {
      return fail(ErrorCode::kInvalidArgument, "distinguished name: unescaped special character");
    } else {
      value.push_back(c);
      trailing_spaces = c == ' ' ? trailing_spaces + 1 : 0;
    }
  }
  BULWARK_TRY_VOID(finish());
  return out;
}

bool dn_matches(const DistinguishedName& trusted, const DistinguishedName& subject) {
  return std::all_of(trusted.begin(), trusted.end(), [&](const auto& want) {
    return std::any_of(subject.begin(), subject.end(),
                       [&](const auto& have) { return have == want; });
  });
}

Result<TrustPolicyDocument> TrustPolicyDocument::parse(std::string_view text) {
  auto parsed = parse_strict_json(text, 16);
  if (!parsed) return invalid(parsed.error().message);
  const json::object* root = parsed->if_object();
  if (root == nullptr) return invalid("document is not a JSON object");
  BULWARK_TRY_VOID(only_members(*root, {"version", "trustPolicies"}, "document"));
  TrustPolicyDocument doc;
  const json::value* version = root->if_contains("version");
  if (version == nullptr || !version->is_string()) return invalid("version missing");
  doc.version_ = std::string(version->get_string());
  if (std::find(kSupportedVersions.begin(), kSupportedVersions.end(), doc.version_) ==
      kSupportedVersions.end()) {
    return invalid("unsupported version " + quote_untrusted(doc.version_) + " (1.0 is supported)");
  }
  const json::value* policies = root->if_contains("trustPolicies");
  if (policies == nullptr || !policies->is_array() || policies->get_array().empty()) {
    return invalid("trustPolicies must list at least one policy");
  }
  std::set<std::string> names, scopes;
  for (size_t i = 0; i < policies->get_array().size(); ++i) {
    BULWARK_ASSIGN_OR_RETURN(TrustPolicy p, parse_policy(policies->get_array()[i], i));
    if (!names.insert(p.name).second) {
      return invalid("two policies are named " + quote_untrusted(p.name));
    }
    for (const std::string& scope : p.registry_scopes) {
      if (!scopes.insert(scope).second) {
        return invalid(scope == "*"
                           ? std::string("more than one policy has the wildcard scope \"*\"")
                           : "registry scope " + quote_untrusted(scope) +
                                 " appears in more than one policy");
      }
    }
    doc.policies_.push_back(std::move(p));
  }
  return doc;
}

Result<const TrustPolicy*> TrustPolicyDocument::select(std::string_view repository) const {
  const TrustPolicy* wildcard = nullptr;
  for (const TrustPolicy& p : policies_) {
    for (const std::string& scope : p.registry_scopes) {
      if (scope == repository) return &p;
      if (scope == "*") wildcard = &p;
    }
  }
  if (wildcard != nullptr) return wildcard;
  return fail(ErrorCode::kNotFound, "no trust policy applies to " + quote_untrusted(repository));
}

}  // namespace bulwark::trust::notation
