#include "api/admin_service.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "audit/export.h"
#include "common/encoding.h"
#include "auth/network.h"
#include "auth/password.h"
#include "auth/totp.h"
#include "common/clock.h"
#include "common/log.h"
#include "oci/reference.h"

namespace bulwark::api {
namespace {

namespace json = boost::json;
using metadata::PrincipalKind;
using metadata::Role;

constexpr size_t kMaxUserName = 128;
constexpr size_t kMaxPrincipalName = 256;
constexpr size_t kMaxDescription = 1024;
constexpr size_t kMaxRules = 100;
constexpr size_t kMaxNetworks = 100;

tl::unexpected<AdminError> denied(std::string message) {
  return tl::unexpected<AdminError>(
      AdminError(Error{ErrorCode::kInvalidArgument, std::move(message)},
                 /*is_denied=*/true));
}

bool is_user(const Actor& actor) { return actor.principal.type == auth::PrincipalType::kUser; }
bool is_admin(const Actor& actor) { return is_user(actor) && actor.principal.is_admin; }
bool is_self(const Actor& actor, std::string_view name) {
  return is_user(actor) && actor.principal.name == name;
}

// Local user names: letters, digits and . _ @ - starting with a letter or digit. This keeps ':'
// (the basic-auth separator), '$' (robot names) and whitespace out.
Result<void> validate_user_name(std::string_view name) {
  auto allowed = [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '.' || c == '_' || c == '@' || c == '-';
  };
  if (name.empty() || name.size() > kMaxUserName ||
      std::isalnum(static_cast<unsigned char>(name.front())) == 0 ||
      !std::all_of(name.begin(), name.end(), allowed)) {
    return fail(ErrorCode::kInvalidArgument,
                "invalid user name \"" + std::string(name.substr(0, kMaxUserName)) +
                    "\" (1-128 letters, digits, '.', '_', '@' or '-', starting with a letter or "
                    "digit)");
  }
  return ok();
}

// A project name (and a robot's short name) is one repository path component.
Result<void> validate_component(std::string_view what, std::string_view name) {
  if (!name.empty() && name.size() <= 255 && name.find('/') == std::string_view::npos &&
      oci::validate_repository(name)) {
    return ok();
  }
  return fail(ErrorCode::kInvalidArgument,
              "invalid " + std::string(what) + " name \"" + std::string(name.substr(0, 255)) +
                  "\" (lowercase letters and digits, separated by '.', '_' or '-'; no '/')");
}

Result<void> validate_networks(const metadata::NetworkList& networks) {
  if (networks.size() > kMaxNetworks) {
    return fail(ErrorCode::kInvalidArgument,
                "at most " + std::to_string(kMaxNetworks) + " allowed networks");
  }
  BULWARK_TRY_VOID(auth::NetworkSet::parse(networks));
  return ok();
}

// The canonical permissions JSON of `kind` and `rules`; every pattern must stay inside
// `project` (a project robot acts only there, so a rule elsewhere would silently grant nothing).
Result<std::string> build_permissions(const std::string& kind, const std::vector<RuleSpec>& rules,
                                      const std::string& project) {
  if (rules.empty()) {
    return fail(ErrorCode::kInvalidArgument,
                "a robot needs at least one rule (e.g. " + project + "/* with pull, push)");
  }
  if (rules.size() > kMaxRules) {
    return fail(ErrorCode::kInvalidArgument, "at most " + std::to_string(kMaxRules) + " rules");
  }
  json::array rule_array;
  for (const RuleSpec& rule : rules) {
    if (rule.repository != project && !rule.repository.starts_with(project + "/")) {
      return fail(ErrorCode::kInvalidArgument, "rule pattern \"" + rule.repository.substr(0, 255) +
                                                   "\" lies outside project " + project +
                                                   " (it must start with \"" + project + "/\")");
    }
    json::array actions;
    for (const std::string& a : rule.actions) actions.emplace_back(a);
    rule_array.push_back(
        json::object{{"repository", rule.repository}, {"actions", std::move(actions)}});
  }
  const std::string text =
      json::serialize(json::object{{"kind", kind}, {"rules", std::move(rule_array)}});
  BULWARK_ASSIGN_OR_RETURN(auth::RobotPermissions parsed, auth::parse_robot_permissions(text));
  return auth::to_json(parsed);
}

Result<void> validate_lifetime(int64_t seconds) {
  if (seconds <= 0 || seconds > kMaxRobotLifetimeDays * 86400) {
    return fail(ErrorCode::kInvalidArgument, "the robot's expiry must lie between 1s and " +
                                                 std::to_string(kMaxRobotLifetimeDays) +
                                                 "d from now");
  }
  return ok();
}

std::string robot_full_name(const std::string& project, const std::string& name) {
  return "robot$" + project + "+" + name;
}

// The project named in "robot$PROJECT+NAME"; "" for other names (system robots).
std::string robot_project_of(std::string_view name) {
  if (!name.starts_with(auth::kRobotPrefix)) return "";
  std::string_view rest = name.substr(auth::kRobotPrefix.size());
  size_t plus = rest.find('+');
  return plus == std::string_view::npos ? "" : std::string(rest.substr(0, plus));
}

std::string time_text(int64_t unix_seconds) { return audit::rfc3339_ms(unix_seconds * 1000); }

Error not_found(std::string message) { return Error{ErrorCode::kNotFound, std::move(message)}; }

}  // namespace

// What one call is about, for its audit event.
struct AdminService::Op {
  const Actor& actor;
  std::string action;
  std::string targets;
  std::string project;  // resource.repository of the event ("" when not project-scoped)
  bool change = true;   // reads are recorded only when refused
};

Actor Actor::local(std::string name) {
  Actor actor;
  actor.principal.type = auth::PrincipalType::kUser;
  actor.principal.name = std::move(name);
  actor.principal.is_admin = true;
  return actor;
}

UserInfo user_info(const metadata::User& u) {
  return UserInfo{u.name,
                  u.email,
                  u.admin,
                  u.disabled,
                  !u.password_hash.empty(),
                  !u.totp_secret.empty(),
                  u.source,
                  u.created_at,
                  u.updated_at};
}

RobotInfo robot_info(const metadata::RobotAccount& r, int64_t now) {
  RobotInfo out;
  out.name = r.name;
  out.project = r.project;
  // Stored permissions were validated when written; show "invalid" rather than fail a whole
  // listing should a row have been edited by hand.
  auto permissions = auth::parse_robot_permissions(r.permissions_json);
  out.kind = permissions ? std::string(auth::robot_kind_name(permissions->kind)) : "invalid";
  if (permissions) {
    for (const auth::RobotRule& rule : permissions->rules) {
      RuleSpec spec{rule.repository, {}};
      for (auth::Action a : rule.actions.actions()) spec.actions.emplace_back(auth::action_name(a));
      out.rules.push_back(std::move(spec));
    }
  }
  out.description = r.description;
  out.status = r.revoked_at ? "revoked" : now >= r.expires_at ? "expired" : "active";
  out.expires_at = r.expires_at;
  out.revoked_at = r.revoked_at;
  out.created_by = r.created_by;
  out.created_at = r.created_at;
  out.updated_at = r.updated_at;
  out.allowed_networks = r.allowed_networks;
  return out;
}

AdminService::AdminService(metadata::IdentityStore& store, auth::Authenticator& authenticator,
                           AuditRecorder audit, AdminOptions options)
    : store_(store),
      authenticator_(authenticator),
      audit_(std::move(audit)),
      options_(std::move(options)) {}

void record_admin_event(const AuditRecorder& audit, const Actor& actor, std::string action,
                        std::string repository, std::string reason, const AdminError* error) {
  audit::Event event;
  event.actor = actor.principal.name.empty() ? "anonymous" : actor.principal.name;
  event.client_address = actor.client_address;
  event.action = std::move(action);
  event.resource.repository = std::move(repository);
  event.outcome = error == nullptr ? audit::Outcome::kAllowed
                  : error->denied  ? audit::Outcome::kDenied
                                   : audit::Outcome::kError;
  event.reason = std::move(reason);
  if (error != nullptr) event.reason += "; " + error->error.message;
  const std::string what = event.action;
  if (auto recorded = audit(std::move(event)); !recorded) {
    log_event(LogLevel::kError, "audit record failed",
              {{"action", what}, {"detail", recorded.error().message}});
  }
}

template <class T>
AdminResult<T> AdminService::finish(const Op& op, AdminResult<T> result) {
  const bool refused = !result && result.error().denied;
  if (!op.change && !refused) return result;
  record_admin_event(audit_, op.actor, op.action, op.project, "targets: " + op.targets,
                     result ? nullptr : &result.error());
  return result;
}

Result<std::optional<Role>> AdminService::role_in(const Actor& actor, std::string_view project) {
  if (!is_user(actor)) return std::optional<Role>();
  return authenticator_.effective_role(actor.principal, project);
}

Result<bool> AdminService::manages(const Actor& actor, std::string_view project) {
  if (is_admin(actor)) return true;
  BULWARK_ASSIGN_OR_RETURN(std::optional<Role> role, role_in(actor, project));
  return role == Role::kProjectAdmin;
}

Result<UserInfo> AdminService::read_user(std::string_view name) {
  BULWARK_ASSIGN_OR_RETURN(std::optional<metadata::User> user, store_.get_user(name));
  if (!user) return fail(not_found("no user " + std::string(name)));
  return user_info(*user);
}

Result<RobotInfo> AdminService::read_robot(std::string_view name) {
  BULWARK_ASSIGN_OR_RETURN(std::optional<metadata::RobotAccount> robot, store_.get_robot(name));
  if (!robot) {
    return fail(
        not_found("no robot " + std::string(name) + " (names look like robot$PROJECT+NAME)"));
  }
  return robot_info(*robot, unix_seconds());
}

// Refuses to disable or delete `name` when it is the last enabled administrator: nobody could
// then manage the registry.
Result<void> AdminService::keep_an_admin(std::string_view name) {
  BULWARK_ASSIGN_OR_RETURN(std::vector<metadata::User> users, store_.list_users());
  auto enabled_admin = [](const metadata::User& u) { return u.admin && !u.disabled; };
  auto self = std::find_if(users.begin(), users.end(),
                           [&](const metadata::User& u) { return u.name == name; });
  if (self == users.end() || !enabled_admin(*self)) return ok();
  if (std::count_if(users.begin(), users.end(), enabled_admin) > 1) return ok();
  return fail(ErrorCode::kConflict, "user " + std::string(name) +
                                        " is the last enabled administrator; create another "
                                        "administrator first");
}

// ---- users

namespace {
constexpr std::string_view kUsersAdminOnly = "only system administrators may manage users";
}

AdminResult<std::vector<UserInfo>> AdminService::list_users(const Actor& actor) {
  Op op{actor, "user.list", "", "", false};
  auto run = [&]() -> AdminResult<std::vector<UserInfo>> {
    if (!is_admin(actor)) return denied(std::string(kUsersAdminOnly));
    BULWARK_ASSIGN_OR_RETURN(std::vector<metadata::User> users, store_.list_users());
    std::vector<UserInfo> out;
    for (const metadata::User& u : users) out.push_back(user_info(u));
    return out;
  };
  return finish(op, run());
}

AdminResult<UserInfo> AdminService::get_user(const Actor& actor, std::string_view name) {
  Op op{actor, "user.get", std::string(name), "", false};
  auto run = [&]() -> AdminResult<UserInfo> {
    if (!is_admin(actor) && !is_self(actor, name)) return denied(std::string(kUsersAdminOnly));
    return read_user(name);
  };
  return finish(op, run());
}

AdminResult<CreatedUser> AdminService::create_user(const Actor& actor, const NewUser& user) {
  Op op{actor, "user.create", user.name, ""};
  auto run = [&]() -> AdminResult<CreatedUser> {
    if (!is_admin(actor)) return denied(std::string(kUsersAdminOnly));
    BULWARK_TRY_VOID(validate_user_name(user.name));
    if (user.email.size() > 320 || user.email.find('\n') != std::string::npos) {
      return fail(ErrorCode::kInvalidArgument, "invalid e-mail address");
    }
    BULWARK_ASSIGN_OR_RETURN(std::optional<metadata::User> existing, store_.get_user(user.name));
    if (existing) return fail(ErrorCode::kAlreadyExists, "user " + user.name + " already exists");
    CreatedUser out;
    std::string password;
    if (user.password) {
      password = *user.password;
    } else {
      password = auth::generate_secret();
      out.generated_password = password;
    }
    metadata::User row;
    row.name = user.name;
    row.email = user.email;
    row.admin = user.admin;
    BULWARK_ASSIGN_OR_RETURN(row.password_hash,
                             auth::hash_password(password, options_.password_params));
    if (auto created = store_.create_user(row); !created) {
      if (created.error().code == ErrorCode::kAlreadyExists) {
        return fail(ErrorCode::kAlreadyExists, "user " + user.name + " already exists");
      }
      return fail(created.error());
    }
    BULWARK_ASSIGN_OR_RETURN(out.user, read_user(user.name));
    return out;
  };
  return finish(op, run());
}

AdminResult<std::optional<std::string>> AdminService::set_password(
    const Actor& actor, std::string_view name, std::optional<std::string> password) {
  Op op{actor, "user.password", std::string(name), ""};
  auto run = [&]() -> AdminResult<std::optional<std::string>> {
    if (!is_admin(actor) && !is_self(actor, name)) return denied(std::string(kUsersAdminOnly));
    BULWARK_ASSIGN_OR_RETURN(UserInfo user, read_user(name));
    if (user.source != "local") {
      return fail(ErrorCode::kConflict, "user " + user.name + " is an " + user.source +
                                            " account; its password is managed there");
    }
    std::optional<std::string> generated;
    if (!password) {
      password = auth::generate_secret();
      generated = password;
    }
    BULWARK_ASSIGN_OR_RETURN(std::string hash,
                             auth::hash_password(*password, options_.password_params));
    BULWARK_TRY_VOID(store_.set_user_password_hash(name, hash));
    return generated;
  };
  return finish(op, run());
}

AdminResult<void> AdminService::set_user_disabled(const Actor& actor, std::string_view name,
                                                  bool disabled) {
  Op op{actor, disabled ? "user.disable" : "user.enable", std::string(name), ""};
  auto run = [&]() -> AdminResult<void> {
    if (!is_admin(actor)) return denied(std::string(kUsersAdminOnly));
    if (disabled) BULWARK_TRY_VOID(keep_an_admin(name));
    if (auto set = store_.set_user_disabled(name, disabled); !set) {
      if (set.error().code == ErrorCode::kNotFound)
        return fail(not_found("no user " + std::string(name)));
      return fail(set.error());
    }
    return {};
  };
  return finish(op, run());
}

AdminResult<void> AdminService::delete_user(const Actor& actor, std::string_view name) {
  Op op{actor, "user.delete", std::string(name), ""};
  auto run = [&]() -> AdminResult<void> {
    if (!is_admin(actor)) return denied(std::string(kUsersAdminOnly));
    BULWARK_TRY_VOID(keep_an_admin(name));
    BULWARK_ASSIGN_OR_RETURN(bool deleted, store_.delete_user(name));
    if (!deleted) return fail(not_found("no user " + std::string(name)));
    return {};
  };
  return finish(op, run());
}

AdminResult<TotpEnrolment> AdminService::enrol_totp(const Actor& actor, std::string_view name) {
  Op op{actor, "user.totp.enrol", std::string(name), ""};
  auto run = [&]() -> AdminResult<TotpEnrolment> {
    if (!is_admin(actor) && !is_self(actor, name)) return denied(std::string(kUsersAdminOnly));
    BULWARK_ASSIGN_OR_RETURN(UserInfo user, read_user(name));
    if (user.source != "local") {
      return fail(ErrorCode::kConflict, "user " + user.name + " is an " + user.source +
                                            " account; its second factor is managed there");
    }
    if (user.totp_enrolled) {
      return fail(ErrorCode::kConflict,
                  "user " + user.name + " already has TOTP enrolled; remove it first");
    }
    const std::string secret = auth::generate_totp_secret();
    TotpEnrolment out{base32_encode(secret),
                      auth::otpauth_uri(options_.totp_issuer, name, secret)};
    BULWARK_TRY_VOID(store_.set_user_totp_secret(name, out.secret));
    return out;
  };
  return finish(op, run());
}

AdminResult<void> AdminService::remove_totp(const Actor& actor, std::string_view name) {
  Op op{actor, "user.totp.remove", std::string(name), ""};
  auto run = [&]() -> AdminResult<void> {
    if (!is_admin(actor) && !is_self(actor, name)) return denied(std::string(kUsersAdminOnly));
    BULWARK_ASSIGN_OR_RETURN(UserInfo user, read_user(name));
    if (!user.totp_enrolled) {
      return fail(ErrorCode::kConflict, "user " + user.name + " has no TOTP enrolled");
    }
    BULWARK_TRY_VOID(store_.set_user_totp_secret(name, ""));
    return {};
  };
  return finish(op, run());
}

// ---- projects

namespace {
std::string no_standing(std::string_view project) {
  return "you have no role in project " + std::string(project);
}
std::string not_admin_of(std::string_view project) {
  return "only system administrators and project admins of " + std::string(project) +
         " may do this";
}
}  // namespace

AdminResult<std::vector<metadata::Project>> AdminService::list_projects(const Actor& actor) {
  Op op{actor, "project.list", "", "", false};
  auto run = [&]() -> AdminResult<std::vector<metadata::Project>> {
    if (!is_user(actor)) return denied("only users may list projects");
    BULWARK_ASSIGN_OR_RETURN(std::vector<metadata::Project> projects, store_.list_projects());
    if (is_admin(actor)) return projects;
    std::vector<metadata::Project> out;
    for (metadata::Project& p : projects) {
      bool visible = p.visibility == metadata::Visibility::kPublic;
      if (!visible) {
        BULWARK_ASSIGN_OR_RETURN(std::optional<Role> role, role_in(actor, p.name));
        visible = role.has_value();
      }
      if (visible) out.push_back(std::move(p));
    }
    return out;
  };
  return finish(op, run());
}

AdminResult<metadata::Project> AdminService::get_project(const Actor& actor,
                                                         std::string_view name) {
  Op op{actor, "project.get", std::string(name), std::string(name), false};
  auto run = [&]() -> AdminResult<metadata::Project> {
    if (!is_user(actor)) return denied(no_standing(name));
    BULWARK_ASSIGN_OR_RETURN(std::optional<metadata::Project> project, store_.get_project(name));
    if (!is_admin(actor)) {
      BULWARK_ASSIGN_OR_RETURN(std::optional<Role> role, role_in(actor, name));
      bool is_public = project && project->visibility == metadata::Visibility::kPublic;
      if (!role && !is_public) return denied(no_standing(name));
    }
    if (!project) return fail(not_found("no project " + std::string(name)));
    return *project;
  };
  return finish(op, run());
}

AdminResult<metadata::Project> AdminService::create_project(const Actor& actor,
                                                            const NewProject& project) {
  Op op{actor, "project.create", project.name, project.name};
  auto run = [&]() -> AdminResult<metadata::Project> {
    if (!is_admin(actor)) return denied("only system administrators may create projects");
    BULWARK_TRY_VOID(validate_component("project", project.name));
    BULWARK_TRY_VOID(validate_networks(project.allowed_networks));
    metadata::Project row;
    row.name = project.name;
    row.visibility = project.visibility;
    row.environment = project.environment;
    row.allowed_networks = project.allowed_networks;
    if (auto created = store_.create_project(row); !created) {
      if (created.error().code == ErrorCode::kAlreadyExists) {
        return fail(ErrorCode::kAlreadyExists, "project " + project.name + " already exists");
      }
      return fail(created.error());
    }
    BULWARK_ASSIGN_OR_RETURN(std::optional<metadata::Project> stored,
                             store_.get_project(project.name));
    if (!stored) return fail(not_found("no project " + project.name));
    return *stored;
  };
  return finish(op, run());
}

AdminResult<metadata::Project> AdminService::update_project(const Actor& actor,
                                                            std::string_view name,
                                                            const metadata::ProjectUpdate& update) {
  std::string targets(name);
  if (update.visibility)
    targets += " visibility=" + std::string(visibility_name(*update.visibility));
  if (update.environment) {
    targets += " environment=" + std::string(environment_name(*update.environment));
  }
  if (update.allowed_networks) {
    std::string list;
    for (const std::string& n : *update.allowed_networks) list += (list.empty() ? "" : ",") + n;
    targets += " networks=" + (list.empty() ? std::string("any") : list);
  }
  Op op{actor, "project.update", targets, std::string(name)};
  auto run = [&]() -> AdminResult<metadata::Project> {
    BULWARK_ASSIGN_OR_RETURN(bool allowed, manages(actor, name));
    if (!allowed) return denied(not_admin_of(name));
    if (!update.visibility && !update.environment && !update.allowed_networks) {
      return fail(ErrorCode::kInvalidArgument,
                  "nothing to change (give visibility, environment or allowed networks)");
    }
    if (update.allowed_networks) BULWARK_TRY_VOID(validate_networks(*update.allowed_networks));
    if (auto updated = store_.update_project(name, update); !updated) {
      if (updated.error().code == ErrorCode::kNotFound) {
        return fail(not_found("no project " + std::string(name)));
      }
      return fail(updated.error());
    }
    BULWARK_ASSIGN_OR_RETURN(std::optional<metadata::Project> stored, store_.get_project(name));
    if (!stored) return fail(not_found("no project " + std::string(name)));
    return *stored;
  };
  return finish(op, run());
}

AdminResult<void> AdminService::delete_project(const Actor& actor, std::string_view name) {
  Op op{actor, "project.delete", std::string(name), std::string(name)};
  auto run = [&]() -> AdminResult<void> {
    if (!is_admin(actor)) return denied("only system administrators may delete projects");
    if (auto deleted = store_.delete_project(name); !deleted) {
      if (deleted.error().code == ErrorCode::kNotFound) {
        return fail(not_found("no project " + std::string(name)));
      }
      return fail(deleted.error());
    }
    return {};
  };
  return finish(op, run());
}

// ---- members

AdminResult<std::vector<metadata::Member>> AdminService::list_members(const Actor& actor,
                                                                      std::string_view project) {
  Op op{actor, "member.list", std::string(project), std::string(project), false};
  auto run = [&]() -> AdminResult<std::vector<metadata::Member>> {
    if (!is_admin(actor)) {
      BULWARK_ASSIGN_OR_RETURN(std::optional<Role> role, role_in(actor, project));
      if (!role) return denied(no_standing(project));
    }
    BULWARK_ASSIGN_OR_RETURN(std::optional<metadata::Project> found, store_.get_project(project));
    if (!found) return fail(not_found("no project " + std::string(project)));
    return store_.list_members(project);
  };
  return finish(op, run());
}

AdminResult<MemberSet> AdminService::set_member(const Actor& actor,
                                                const metadata::Member& member) {
  Op op{actor, "member.set",
        member.project + " " + std::string(principal_kind_name(member.kind)) + " " +
            member.principal + " " + std::string(role_name(member.role)),
        member.project};
  auto run = [&]() -> AdminResult<MemberSet> {
    BULWARK_ASSIGN_OR_RETURN(bool allowed, manages(actor, member.project));
    if (!allowed) return denied(not_admin_of(member.project));
    if (member.principal.empty() || member.principal.size() > kMaxPrincipalName ||
        std::any_of(member.principal.begin(), member.principal.end(),
                    [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
      return fail(ErrorCode::kInvalidArgument, "invalid member name");
    }
    BULWARK_ASSIGN_OR_RETURN(std::optional<metadata::Project> found,
                             store_.get_project(member.project));
    if (!found) return fail(not_found("no project " + member.project));
    MemberSet out;
    if (member.kind == PrincipalKind::kUser) {
      BULWARK_ASSIGN_OR_RETURN(std::optional<metadata::User> user,
                               store_.get_user(member.principal));
      out.local_user_exists = user.has_value();
    }
    BULWARK_TRY_VOID(store_.set_member(member));
    return out;
  };
  return finish(op, run());
}

AdminResult<void> AdminService::remove_member(const Actor& actor, std::string_view project,
                                              PrincipalKind kind, std::string_view principal) {
  const std::string who = std::string(principal_kind_name(kind)) + " " + std::string(principal);
  Op op{actor, "member.remove", std::string(project) + " " + who, std::string(project)};
  auto run = [&]() -> AdminResult<void> {
    BULWARK_ASSIGN_OR_RETURN(bool allowed, manages(actor, project));
    if (!allowed) return denied(not_admin_of(project));
    BULWARK_ASSIGN_OR_RETURN(std::optional<metadata::Project> found, store_.get_project(project));
    if (!found) return fail(not_found("no project " + std::string(project)));
    BULWARK_ASSIGN_OR_RETURN(bool removed, store_.remove_member(project, kind, principal));
    if (!removed) {
      return fail(not_found(who + " is not a member of project " + std::string(project)));
    }
    return {};
  };
  return finish(op, run());
}

// ---- robots

AdminResult<std::vector<RobotInfo>> AdminService::list_robots(
    const Actor& actor, std::optional<std::string_view> project) {
  Op op{actor, "robot.list", std::string(project.value_or("")), std::string(project.value_or("")),
        false};
  auto run = [&]() -> AdminResult<std::vector<RobotInfo>> {
    if (!project) {
      if (!is_admin(actor)) return denied("only system administrators may list all robots");
    } else {
      BULWARK_ASSIGN_OR_RETURN(bool allowed, manages(actor, *project));
      if (!allowed) return denied(not_admin_of(*project));
    }
    BULWARK_ASSIGN_OR_RETURN(std::vector<metadata::RobotAccount> robots,
                             store_.list_robots(project));
    const int64_t now = unix_seconds();
    std::vector<RobotInfo> out;
    for (const metadata::RobotAccount& r : robots) out.push_back(robot_info(r, now));
    return out;
  };
  return finish(op, run());
}

AdminResult<IssuedRobot> AdminService::create_robot(const Actor& actor, const NewRobot& robot) {
  Op op{actor, "robot.create", robot_full_name(robot.project, robot.name), robot.project};
  auto run = [&]() -> AdminResult<IssuedRobot> {
    BULWARK_ASSIGN_OR_RETURN(bool allowed, manages(actor, robot.project));
    if (!allowed) return denied(not_admin_of(robot.project));
    BULWARK_TRY_VOID(validate_component("robot", robot.name));
    BULWARK_TRY_VOID(validate_lifetime(robot.lifetime_seconds));
    BULWARK_ASSIGN_OR_RETURN(std::string permissions,
                             build_permissions(robot.kind, robot.rules, robot.project));
    BULWARK_TRY_VOID(validate_networks(robot.allowed_networks));
    if (robot.description.size() > kMaxDescription) {
      return fail(ErrorCode::kInvalidArgument,
                  "the description is longer than " + std::to_string(kMaxDescription) + " bytes");
    }
    BULWARK_ASSIGN_OR_RETURN(std::optional<metadata::Project> project,
                             store_.get_project(robot.project));
    if (!project) return fail(not_found("no project " + robot.project));

    IssuedRobot issued{robot_full_name(robot.project, robot.name), auth::generate_secret(), 0};
    metadata::RobotAccount row;
    row.name = issued.name;
    row.project = robot.project;
    BULWARK_ASSIGN_OR_RETURN(row.secret_hash,
                             auth::hash_password(issued.secret, options_.password_params));
    row.description = robot.description;
    row.permissions_json = std::move(permissions);
    row.expires_at = issued.expires_at = unix_seconds() + robot.lifetime_seconds;
    row.created_by = actor.principal.name;
    row.allowed_networks = robot.allowed_networks;
    if (auto created = store_.create_robot(row); !created) {
      if (created.error().code == ErrorCode::kAlreadyExists) {
        return fail(ErrorCode::kAlreadyExists, "robot " + issued.name + " already exists");
      }
      return fail(created.error());
    }
    return issued;
  };
  return finish(op, run());
}

AdminResult<IssuedRobot> AdminService::rotate_robot(const Actor& actor, std::string_view name,
                                                    std::optional<int64_t> lifetime_seconds) {
  const std::string project = robot_project_of(name);
  Op op{actor, "robot.rotate", std::string(name), project};
  auto run = [&]() -> AdminResult<IssuedRobot> {
    BULWARK_ASSIGN_OR_RETURN(
        bool allowed, project.empty() ? Result<bool>(is_admin(actor)) : manages(actor, project));
    if (!allowed)
      return denied(project.empty() ? "only system administrators may manage system robots"
                                    : not_admin_of(project));
    if (lifetime_seconds) BULWARK_TRY_VOID(validate_lifetime(*lifetime_seconds));
    BULWARK_ASSIGN_OR_RETURN(RobotInfo robot, read_robot(name));
    if (robot.revoked_at) {
      return fail(ErrorCode::kConflict,
                  "robot " + robot.name + " is revoked; create a new robot instead");
    }
    const int64_t now = unix_seconds();
    if (!lifetime_seconds && now >= robot.expires_at) {
      return fail(ErrorCode::kConflict, "robot " + robot.name + " expired at " +
                                            time_text(robot.expires_at) +
                                            "; give a new expiry (--expires / \"expires\") to "
                                            "extend it");
    }
    IssuedRobot issued{robot.name, auth::generate_secret(), robot.expires_at};
    BULWARK_ASSIGN_OR_RETURN(std::string hash,
                             auth::hash_password(issued.secret, options_.password_params));
    std::optional<int64_t> expires_at;
    if (lifetime_seconds) expires_at = issued.expires_at = now + *lifetime_seconds;
    BULWARK_TRY_VOID(store_.rotate_robot_secret(name, hash, expires_at));
    return issued;
  };
  return finish(op, run());
}

AdminResult<RevokedRobot> AdminService::revoke_robot(const Actor& actor, std::string_view name) {
  const std::string project = robot_project_of(name);
  Op op{actor, "robot.revoke", std::string(name), project};
  auto run = [&]() -> AdminResult<RevokedRobot> {
    BULWARK_ASSIGN_OR_RETURN(
        bool allowed, project.empty() ? Result<bool>(is_admin(actor)) : manages(actor, project));
    if (!allowed)
      return denied(project.empty() ? "only system administrators may manage system robots"
                                    : not_admin_of(project));
    BULWARK_ASSIGN_OR_RETURN(RobotInfo robot, read_robot(name));
    if (robot.revoked_at) return RevokedRobot{true, *robot.revoked_at};
    const int64_t now = unix_seconds();
    BULWARK_TRY_VOID(store_.revoke_robot(name, now));
    return RevokedRobot{false, now};
  };
  return finish(op, run());
}

AdminResult<RobotInfo> AdminService::set_robot_networks(const Actor& actor, std::string_view name,
                                                        const metadata::NetworkList& networks) {
  const std::string project = robot_project_of(name);
  std::string list;
  for (const std::string& n : networks) list += (list.empty() ? "" : ",") + n;
  Op op{actor, "robot.networks", std::string(name) + " networks=" + (list.empty() ? "any" : list),
        project};
  auto run = [&]() -> AdminResult<RobotInfo> {
    BULWARK_ASSIGN_OR_RETURN(
        bool allowed, project.empty() ? Result<bool>(is_admin(actor)) : manages(actor, project));
    if (!allowed)
      return denied(project.empty() ? "only system administrators may manage system robots"
                                    : not_admin_of(project));
    BULWARK_TRY_VOID(validate_networks(networks));
    BULWARK_ASSIGN_OR_RETURN(RobotInfo robot, read_robot(name));
    BULWARK_TRY_VOID(store_.set_robot_networks(name, networks));
    return read_robot(robot.name);
  };
  return finish(op, run());
}

// ---- runtime settings

AdminResult<std::vector<EffectiveSetting>> AdminService::get_settings(const Actor& actor,
                                                                      RuntimeSettings& settings) {
  Op op{actor, "settings.get", "", "", false};
  auto run = [&]() -> AdminResult<std::vector<EffectiveSetting>> {
    if (!is_admin(actor)) return denied("only system administrators may read the settings");
    return settings.snapshot();
  };
  return finish(op, run());
}

AdminResult<std::vector<RuntimeSettings::Change>> AdminService::update_settings(
    const Actor& actor, RuntimeSettings& settings,
    const std::map<std::string, std::string>& changes) {
  auto run = [&]() -> AdminResult<std::vector<RuntimeSettings::Change>> {
    if (!is_admin(actor)) return denied("only system administrators may change the settings");
    return settings.apply(changes, actor.principal.name);
  };
  AdminResult<std::vector<RuntimeSettings::Change>> result = run();
  if (!result) {
    std::string keys;
    for (const auto& change : changes) keys += (keys.empty() ? "" : ", ") + change.first;
    return finish(Op{actor, "settings.update", keys, ""}, std::move(result));
  }
  // One event per changed key, with its old and new value.
  for (const RuntimeSettings::Change& c : *result) {
    finish(Op{actor, "settings.update", c.key + " " + c.old_value + " -> " + c.new_value, ""},
           AdminResult<void>{});
  }
  return result;
}

}  // namespace bulwark::api
