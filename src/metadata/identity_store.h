// IdentityStore: persistence for who may do what — local users, robot accounts, projects and
// project memberships. The `auth` module owns the semantics (password and secret hashing, TOTP,
// permission matching, role decisions); this interface stores and returns rows and enforces only
// structural rules: unique names, a robot or member belongs to an existing project, a project is
// deleted only when it holds no repository.
//
// Secrets are opaque here: password and robot secret hashes, TOTP secrets and robot permission
// JSON are stored and returned byte for byte, never inspected or logged. Times are unix seconds;
// created_at/updated_at are stamped by the store.
//
// Errors: kAlreadyExists for a duplicate name, kNotFound when the named row (or, for robots and
// members, the project) does not exist, kConflict when the state forbids the change (deleting a
// project that holds repositories, rotating a revoked robot), kInvalidArgument for malformed input.
//
// Thread-safety: all methods are thread-safe; each mutating call is one transaction. Calls block
// (disk I/O): call them from a worker thread, never from an I/O thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace bulwark::metadata {

enum class Visibility { kPublic, kPrivate };
enum class Environment { kDevelopment, kStaging, kProduction };
enum class PrincipalKind { kUser, kGroup };
enum class Role { kProjectAdmin, kMaintainer, kDeveloper, kGuest };

// Stable wire/storage names ("public", "staging", "group", "project_admin", ...) and their
// parsers (std::nullopt for an unknown name).
std::string_view visibility_name(Visibility value);
std::string_view environment_name(Environment value);
std::string_view principal_kind_name(PrincipalKind value);
std::string_view role_name(Role value);
std::optional<Visibility> parse_visibility(std::string_view name);
std::optional<Environment> parse_environment(std::string_view name);
std::optional<PrincipalKind> parse_principal_kind(std::string_view name);
std::optional<Role> parse_role(std::string_view name);

struct User {
  std::string name;           // unique
  std::string password_hash;  // opaque (argon2id PHC string); empty for users without a password
  std::string email;
  bool disabled = false;
  bool admin = false;
  std::string totp_secret;  // opaque; empty when TOTP is not enrolled
  int64_t created_at = 0;   // set by the store
  int64_t updated_at = 0;   // set by the store on every change
  // Where the account comes from: "local" (password here), "ldap" or "oidc:<issuer>#<subject>"
  // (provisioned at login; no password here), and for external accounts the groups the
  // directory reported at the last login. Group names contain no '\n'.
  std::string source = "local";
  std::vector<std::string> external_groups;
};

// Client networks ("10.0.0.0/8", "2001:db8::/32", "192.0.2.7") a project's or robot's requests
// may come from; empty means anywhere. Stored as given; auth/network.h parses them.
using NetworkList = std::vector<std::string>;

struct RobotAccount {
  std::string name;                    // unique, e.g. "robot$project+ci"
  std::optional<std::string> project;  // owning project (must exist); nullopt for system robots
  std::string secret_hash;             // opaque
  std::string description;
  std::string permissions_json;  // opaque JSON text
  int64_t expires_at = 0;        // mandatory (> 0)
  std::optional<int64_t> revoked_at;
  std::string created_by;
  int64_t created_at = 0;  // set by the store
  int64_t updated_at = 0;  // set by the store on every change
  NetworkList allowed_networks;
};

// The project a repository belongs to: its first path component ("team/app/api" -> "team").
std::string_view project_of(std::string_view repository);

struct Project {
  std::string name;  // unique; the first path component of its repositories
  Visibility visibility = Visibility::kPrivate;
  Environment environment = Environment::kDevelopment;
  int64_t created_at = 0;  // set by the store
  NetworkList allowed_networks;
};

// Fields left nullopt keep their value.
struct ProjectUpdate {
  std::optional<Visibility> visibility;
  std::optional<Environment> environment;
  std::optional<NetworkList> allowed_networks;
};

struct Member {
  std::string project;
  PrincipalKind kind = PrincipalKind::kUser;
  std::string principal;  // user name or group name (local, OIDC or LDAP)
  Role role = Role::kGuest;
  int64_t updated_at = 0;  // set by the store
};

class IdentityStore {
 public:
  virtual ~IdentityStore() = default;

  // A number that changes after every committed change to users, robots, projects or members
  // made through any store on the same database — in this process or another (`bulwark admin`).
  // Cheap and non-blocking (callable from I/O threads): caches of identity-derived decisions
  // remember the value they were filled under and refill when it moved. A crash between a
  // commit and its increment can leave one change unannounced, so caches must bound entry age.
  virtual uint64_t identity_generation() const = 0;

  // --- users (listed by name)
  // kInvalidArgument for an empty name.
  virtual Result<void> create_user(const User& user) = 0;
  virtual Result<std::optional<User>> get_user(std::string_view name) = 0;
  virtual Result<std::vector<User>> list_users() = 0;
  virtual Result<void> set_user_password_hash(std::string_view name,
                                              std::string_view password_hash) = 0;
  virtual Result<void> set_user_disabled(std::string_view name, bool disabled) = 0;
  // An empty secret unenrols TOTP.
  virtual Result<void> set_user_totp_secret(std::string_view name, std::string_view secret) = 0;
  // Deletes the user and its direct (kind user) memberships; false when there was no such user.
  virtual Result<bool> delete_user(std::string_view name) = 0;
  // Creates or updates an external account at login: `user.source` (not "local"), email and
  // external_groups are stored; password and TOTP stay empty; admin and disabled are kept for an
  // existing account (false for a new one). kConflict when a user of another source already has
  // the name (an external login must never take over a local account).
  virtual Result<void> upsert_external_user(const User& user) = 0;

  // --- robot accounts (listed by name)
  virtual Result<void> create_robot(const RobotAccount& robot) = 0;
  virtual Result<std::optional<RobotAccount>> get_robot(std::string_view name) = 0;
  // All robots, or only those of `project`.
  virtual Result<std::vector<RobotAccount>> list_robots(
      std::optional<std::string_view> project) = 0;
  // Marks the robot revoked at `at` (unix seconds). Revoking again keeps the first time.
  virtual Result<void> revoke_robot(std::string_view name, int64_t at) = 0;
  // Replaces the secret hash (and the expiry when given). kConflict for a revoked robot.
  virtual Result<void> rotate_robot_secret(std::string_view name, std::string_view secret_hash,
                                           std::optional<int64_t> expires_at) = 0;
  // Replaces the robot's network allow-list.
  virtual Result<void> set_robot_networks(std::string_view name, const NetworkList& networks) = 0;

  // --- projects (listed by name)
  virtual Result<void> create_project(const Project& project) = 0;
  virtual Result<std::optional<Project>> get_project(std::string_view name) = 0;
  virtual Result<std::vector<Project>> list_projects() = 0;
  virtual Result<void> update_project(std::string_view name, const ProjectUpdate& update) = 0;
  // Deletes an empty project with its members and robots. kConflict while any repository named
  // `name` or `name/...` exists.
  virtual Result<void> delete_project(std::string_view name) = 0;

  // --- members
  // Creates or changes the principal's role in the project.
  virtual Result<void> set_member(const Member& member) = 0;
  // False when the principal was not a member.
  virtual Result<bool> remove_member(std::string_view project, PrincipalKind kind,
                                     std::string_view principal) = 0;
  // Members of a project ordered by kind then principal.
  virtual Result<std::vector<Member>> list_members(std::string_view project) = 0;
  // Memberships of one principal ordered by project.
  virtual Result<std::vector<Member>> list_memberships(PrincipalKind kind,
                                                       std::string_view principal) = 0;
};

}  // namespace bulwark::metadata
