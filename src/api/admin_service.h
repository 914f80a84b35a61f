// AdminService: the administrative operations on users, projects, members and robot accounts —
// one implementation shared by the management API (/api/v1) and `bulwark admin`. Every method
// takes the acting principal, decides whether it may act, validates its input, changes the
// identity store and records the change in the audit trail.
//
// Who may do what:
//   - system administrators: everything;
//   - a project_admin of a project (own or group membership): that project's settings
//     (visibility, environment, allowed networks), members and robot accounts — not creating or
//     deleting projects, not users;
//   - every user: reading their own account, setting their own password, enrolling and removing
//     their own TOTP second factor; listing and reading the projects they hold a role in (and
//     public ones), and the members of those;
//   - robots and anyone else: nothing.
// A refusal fails with AdminError::denied set; for a project the actor has no standing in, the
// refusal does not say whether the project exists.
//
// Audit: every change — allowed, refused (denied) or failed (error) — is one durable event
// through the AuditRecorder: action "user.create", "user.password", "user.disable",
// "user.enable", "user.delete", "user.totp.enrol", "user.totp.remove", "project.create",
// "project.update", "project.delete", "member.set", "member.remove", "robot.create",
// "robot.rotate", "robot.revoke", "robot.networks", "settings.update"; actor, client address,
// resource.repository = the project for project-scoped changes, and reason "targets: <names>[; <what failed>]".
// Refused reads are recorded too (action "<noun>.list" / ".get", outcome denied); allowed reads
// are not. No password, secret, hash or TOTP secret ever reaches an event, an error message or
// a listing: listings are the *Info views below.
//
// Changes take effect at once: the store bumps its identity generation, which the access caches
// watch.
//
// Thread-safety: thread-safe (the store, authenticator and recorder are); methods block on the
// store and on argon2id — call them from a worker thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "api/runtime_settings.h"
#include "audit/event.h"
#include "auth/authenticator.h"
#include "auth/authorizer.h"
#include "common/result.h"
#include "metadata/identity_store.h"

namespace bulwark::api {

// Who asks: a user principal (Authenticator::principal_for) and where from.
struct Actor {
  auth::Principal principal;
  std::string client_address;  // IP address; "" for local tools

  // The local operator of `bulwark admin` (access to the data directory is full power):
  // a system administrator named `name` (e.g. "cli:alice").
  static Actor local(std::string name);
};

// Result's Error, plus whether the actor was refused (HTTP 403) rather than the input or state
// being wrong (common/result.h has no permission code: for a refusal only `denied` and the
// message count). Converts from Error so that BULWARK_ macros work inside the service.
struct AdminError {
  Error error;
  bool denied = false;
  AdminError(Error e, bool is_denied = false)  // NOLINT: implicit on purpose
      : error(std::move(e)), denied(is_denied) {}
};
template <class T>
using AdminResult = tl::expected<T, AdminError>;

// Stores one audit event durably (AuditWriter::record, or AuditLog::record plus a checkpoint in
// the CLI). Must be thread-safe.
using AuditRecorder = std::function<Result<void>(audit::Event)>;

// Records the audit event of an administrative operation by `actor` on `repository` (a project
// name or scope) that ended with `error` (nullptr: allowed): the outcome is allowed, denied (a
// refusal) or error, and the error's message is appended to `reason`. A recording failure is
// logged. Shared by the services that change identities and policies.
void record_admin_event(const AuditRecorder& audit, const Actor& actor, std::string action,
                        std::string repository, std::string reason, const AdminError* error);

// ---- views (never a hash or secret)

struct UserInfo {
  std::string name;
  std::string email;
  bool admin = false;
  bool disabled = false;
  bool password_set = false;
  bool totp_enrolled = false;
  std::string source;  // "local", "ldap", "oidc"
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

// One permission rule as given: a repository pattern and action names (auth/authorizer.h).
struct RuleSpec {
  std::string repository;
  std::vector<std::string> actions;
};

struct RobotInfo {
  std::string name;
  std::optional<std::string> project;
  std::string kind;  // "generic" | "ci" | "release", "invalid" for an unreadable stored row
  std::vector<RuleSpec> rules;
  std::string description;
  std::string status;  // "active" | "expired" | "revoked"
  int64_t expires_at = 0;
  std::optional<int64_t> revoked_at;
  std::string created_by;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  metadata::NetworkList allowed_networks;
};

// ---- inputs and outputs

struct NewUser {
  std::string name;
  std::string email;
  bool admin = false;
  std::optional<std::string> password;  // nullopt: generate one (returned once)
};

struct CreatedUser {
  UserInfo user;
  std::optional<std::string> generated_password;
};

struct TotpEnrolment {
  std::string secret;  // base32, for manual entry; shown once
  std::string uri;     // otpauth:// key URI (QR code)
};

struct NewProject {
  std::string name;
  metadata::Visibility visibility = metadata::Visibility::kPrivate;
  metadata::Environment environment = metadata::Environment::kDevelopment;
  metadata::NetworkList allowed_networks;
};

struct MemberSet {
  bool local_user_exists = true;  // false: the role applies to an OIDC/LDAP user of that name
};

struct NewRobot {
  std::string project;
  std::string name;  // short name; the account is robot$PROJECT+NAME
  std::string kind = "generic";
  std::vector<RuleSpec> rules;   // every pattern inside the project
  int64_t lifetime_seconds = 0;  // mandatory: 1 s .. kMaxRobotLifetimeDays
  std::string description;
  metadata::NetworkList allowed_networks;
};

// A robot secret, shown once (create and rotate).
struct IssuedRobot {
  std::string name;
  std::string secret;
  int64_t expires_at = 0;
};

struct RevokedRobot {
  bool already_revoked = false;
  int64_t revoked_at = 0;
};

inline constexpr int64_t kMaxRobotLifetimeDays = 3650;

struct AdminOptions {
  std::string totp_issuer = "Bulwark";  // shown by authenticator apps
  auth::PasswordParams password_params{};
};

class AdminService {
 public:
  // All references must outlive the service. `authenticator` answers effective roles.
  AdminService(metadata::IdentityStore& store, auth::Authenticator& authenticator,
               AuditRecorder audit, AdminOptions options = {});

  // ---- users (system administrators; the self-service exceptions are noted)
  AdminResult<std::vector<UserInfo>> list_users(const Actor& actor);
  AdminResult<UserInfo> get_user(const Actor& actor, std::string_view name);  // also self
  AdminResult<CreatedUser> create_user(const Actor& actor, const NewUser& user);
  // Returns the generated password when `password` is nullopt. Also self.
  AdminResult<std::optional<std::string>> set_password(const Actor& actor, std::string_view name,
                                                       std::optional<std::string> password);
  // Refuses to disable the last enabled administrator.
  AdminResult<void> set_user_disabled(const Actor& actor, std::string_view name, bool disabled);
  // Refuses to delete the last enabled administrator.
  AdminResult<void> delete_user(const Actor& actor, std::string_view name);
  // A new TOTP secret (kConflict when already enrolled: remove it first). Also self.
  AdminResult<TotpEnrolment> enrol_totp(const Actor& actor, std::string_view name);
  // kConflict when not enrolled. Also self.
  AdminResult<void> remove_totp(const Actor& actor, std::string_view name);

  // ---- projects
  // Administrators: all; others: public projects and those they hold a role in.
  AdminResult<std::vector<metadata::Project>> list_projects(const Actor& actor);
  AdminResult<metadata::Project> get_project(const Actor& actor, std::string_view name);
  AdminResult<metadata::Project> create_project(const Actor& actor, const NewProject& project);
  // kInvalidArgument when `update` changes nothing. Project admins too.
  AdminResult<metadata::Project> update_project(const Actor& actor, std::string_view name,
                                                const metadata::ProjectUpdate& update);
  AdminResult<void> delete_project(const Actor& actor, std::string_view name);

  // ---- members (project admins of the project; members may list)
  AdminResult<std::vector<metadata::Member>> list_members(const Actor& actor,
                                                          std::string_view project);
  AdminResult<MemberSet> set_member(const Actor& actor, const metadata::Member& member);
  // kNotFound when the principal is not a member.
  AdminResult<void> remove_member(const Actor& actor, std::string_view project,
                                  metadata::PrincipalKind kind, std::string_view principal);

  // ---- robots (project admins of the robot's project; system robots: administrators)
  // All robots (administrators only) or one project's.
  AdminResult<std::vector<RobotInfo>> list_robots(const Actor& actor,
                                                  std::optional<std::string_view> project);
  AdminResult<IssuedRobot> create_robot(const Actor& actor, const NewRobot& robot);
  // A new secret; `lifetime_seconds` sets a new expiry from now (needed for an expired robot).
  AdminResult<IssuedRobot> rotate_robot(const Actor& actor, std::string_view name,
                                        std::optional<int64_t> lifetime_seconds);
  AdminResult<RevokedRobot> revoke_robot(const Actor& actor, std::string_view name);
  AdminResult<RobotInfo> set_robot_networks(const Actor& actor, std::string_view name,
                                            const metadata::NetworkList& networks);

  // ---- runtime settings (system administrators; api/runtime_settings.h)
  // The effective values of the mutable keys and their overrides.
  AdminResult<std::vector<EffectiveSetting>> get_settings(const Actor& actor,
                                                          RuntimeSettings& settings);
  // Validates every change before applying any (kInvalidArgument naming the unknown key or bad
  // value), then applies them at once. Each changed key is one "settings.update" event whose
  // reason holds "targets: KEY OLD -> NEW".
  AdminResult<std::vector<RuntimeSettings::Change>> update_settings(
      const Actor& actor, RuntimeSettings& settings,
      const std::map<std::string, std::string>& changes);

  // Whether the actor may manage `project` (a system administrator or its project_admin);
  // false, never an error, for a project that does not exist and a non-administrator.
  Result<bool> manages(const Actor& actor, std::string_view project);

 private:
  struct Op;
  // The actor's role in `project` (nullopt: none).
  Result<std::optional<metadata::Role>> role_in(const Actor& actor, std::string_view project);
  // Records `op`'s outcome and passes `result` through.
  template <class T>
  AdminResult<T> finish(const Op& op, AdminResult<T> result);
  Result<UserInfo> read_user(std::string_view name);
  Result<RobotInfo> read_robot(std::string_view name);
  Result<void> keep_an_admin(std::string_view name);

  metadata::IdentityStore& store_;
  auth::Authenticator& authenticator_;
  const AuditRecorder audit_;
  const AdminOptions options_;
};

// Conversions shared by the API and the CLI.
UserInfo user_info(const metadata::User& user);
RobotInfo robot_info(const metadata::RobotAccount& robot, int64_t now);

}  // namespace bulwark::api
