// SqliteMetadataStore: the IdentityStore part (users, robots, projects, members).
#include <string>
#include <utility>

#include "common/clock.h"
#include "common/strings.h"
#include "metadata/sqlite/store_internal.h"

namespace bulwark::metadata {
namespace {

using sqlite::collect_rows;
using sqlite::Db;
using sqlite::Stmt;

constexpr std::string_view kUserColumns =
    "name, password_hash, email, disabled, admin, totp_secret, created_at, updated_at, source, "
    "external_groups";
constexpr std::string_view kRobotColumns =
    "name, project, secret_hash, description, permissions, expires_at, revoked_at, created_by, "
    "created_at, updated_at, allowed_networks";
constexpr std::string_view kProjectColumns =
    "name, visibility, environment, created_at, allowed_networks";

// Lists of names or networks are stored as one '\n'-separated text column.
std::string join_lines(const std::vector<std::string>& items) { return join(items, "\n"); }

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

Result<void> require_single_lines(const std::vector<std::string>& items, std::string_view what) {
  for (const auto& item : items) {
    if (item.empty() || item.find('\n') != std::string::npos) {
      return fail(ErrorCode::kInvalidArgument,
                  std::string(what) + " must be non-empty single lines");
    }
  }
  return ok();
}
constexpr std::string_view kMemberColumns =
    "project, principal_kind, principal_name, role, updated_at";

std::string select_from(std::string_view columns, std::string_view rest) {
  return "SELECT " + std::string(columns) + " " + std::string(rest);
}

User user_from_row(const Stmt& row) {
  User user;
  user.name = row.column_text(0);
  user.password_hash = row.column_text(1);
  user.email = row.column_text(2);
  user.disabled = row.column_int(3) != 0;
  user.admin = row.column_int(4) != 0;
  user.totp_secret = row.column_text(5);
  user.created_at = row.column_int(6);
  user.updated_at = row.column_int(7);
  user.source = row.column_text(8);
  user.external_groups = split_lines(row.column_text(9));
  return user;
}

RobotAccount robot_from_row(const Stmt& row) {
  RobotAccount robot;
  robot.name = row.column_text(0);
  if (!row.column_is_null(1)) robot.project = row.column_text(1);
  robot.secret_hash = row.column_text(2);
  robot.description = row.column_text(3);
  robot.permissions_json = row.column_text(4);
  robot.expires_at = row.column_int(5);
  if (!row.column_is_null(6)) robot.revoked_at = row.column_int(6);
  robot.created_by = row.column_text(7);
  robot.created_at = row.column_int(8);
  robot.updated_at = row.column_int(9);
  robot.allowed_networks = split_lines(row.column_text(10));
  return robot;
}

// Parses a stored enum name; a name the CHECK constraints should have kept out is corruption.
template <class E>
Result<E> stored_enum(std::optional<E> (*parse)(std::string_view), const std::string& text,
                      std::string_view what) {
  std::optional<E> value = parse(text);
  if (!value)
    return fail(ErrorCode::kCorrupt, "stored " + std::string(what) + " is unknown: " + text);
  return *value;
}

Result<Project> project_from_row(const Stmt& row) {
  Project project;
  project.name = row.column_text(0);
  BULWARK_ASSIGN_OR_RETURN(project.visibility,
                           stored_enum(&parse_visibility, row.column_text(1), "visibility"));
  BULWARK_ASSIGN_OR_RETURN(project.environment,
                           stored_enum(&parse_environment, row.column_text(2), "environment"));
  project.created_at = row.column_int(3);
  project.allowed_networks = split_lines(row.column_text(4));
  return project;
}

Result<Member> member_from_row(const Stmt& row) {
  Member member;
  member.project = row.column_text(0);
  BULWARK_ASSIGN_OR_RETURN(
      member.kind, stored_enum(&parse_principal_kind, row.column_text(1), "principal kind"));
  member.principal = row.column_text(2);
  BULWARK_ASSIGN_OR_RETURN(member.role, stored_enum(&parse_role, row.column_text(3), "role"));
  member.updated_at = row.column_int(4);
  return member;
}

// At most one row of `sql` with one text key bound, converted by `from_row`.
template <class T, class FromRow>
Result<std::optional<T>> find_one(Db& db, const std::string& sql, std::string_view key,
                                  FromRow&& from_row) {
  BULWARK_ASSIGN_OR_RETURN(Stmt query, db.prepare(sql));
  query.bind(key);
  BULWARK_ASSIGN_OR_RETURN(std::vector<T> rows, collect_rows<T>(query, from_row));
  if (rows.empty()) return std::optional<T>();
  return std::optional<T>(std::move(rows.front()));
}

Result<bool> row_exists(Db& db, std::string_view sql, std::string_view key) {
  BULWARK_ASSIGN_OR_RETURN(Stmt query, db.prepare(sql));
  return query.bind(key).step();
}

Result<bool> project_exists(Db& db, std::string_view name) {
  return row_exists(db, "SELECT 1 FROM projects WHERE name = ?", name);
}

Result<void> require_name(std::string_view name, std::string_view what) {
  if (name.empty()) return fail(ErrorCode::kInvalidArgument, std::string(what) + " name is empty");
  return ok();
}

// Runs an UPDATE whose last parameter is the key; kNotFound when it matched nothing.
Result<void> update_existing(Db& db, Stmt& update, std::string_view what) {
  BULWARK_TRY_VOID(update.run());
  if (db.changes() == 0) return fail(ErrorCode::kNotFound, std::string(what) + " not found");
  return ok();
}

}  // namespace

// --- users

Result<void> SqliteMetadataStore::create_user(const User& user) {
  BULWARK_TRY_VOID(require_name(user.name, "user"));
  BULWARK_TRY_VOID(require_single_lines(user.external_groups, "group names"));
  return with_identity_writer([&](Db& db) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(bool exists,
                             row_exists(db, "SELECT 1 FROM users WHERE name = ?", user.name));
    if (exists) return fail(ErrorCode::kAlreadyExists, "user already exists");
    BULWARK_ASSIGN_OR_RETURN(Stmt insert,
                             db.prepare("INSERT INTO users (" + std::string(kUserColumns) +
                                        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    const int64_t now = unix_seconds();
    insert.bind(user.name).bind(user.password_hash).bind(user.email);
    insert.bind(int64_t{user.disabled}).bind(int64_t{user.admin}).bind(user.totp_secret);
    return insert.bind(now)
        .bind(now)
        .bind(user.source)
        .bind(join_lines(user.external_groups))
        .run();
  });
}

Result<std::optional<User>> SqliteMetadataStore::get_user(std::string_view name) {
  return with_reader([&](Db& db) {
    return find_one<User>(db, select_from(kUserColumns, "FROM users WHERE name = ?"), name,
                          user_from_row);
  });
}

Result<std::vector<User>> SqliteMetadataStore::list_users() {
  return with_reader([&](Db& db) -> Result<std::vector<User>> {
    BULWARK_ASSIGN_OR_RETURN(Stmt query,
                             db.prepare(select_from(kUserColumns, "FROM users ORDER BY name")));
    return collect_rows<User>(query, user_from_row);
  });
}

Result<void> SqliteMetadataStore::set_user_password_hash(std::string_view name,
                                                         std::string_view password_hash) {
  return with_identity_writer([&](Db& db) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(
        Stmt update,
        db.prepare("UPDATE users SET password_hash = ?, updated_at = ? WHERE name = ?"));
    update.bind(password_hash).bind(unix_seconds()).bind(name);
    return update_existing(db, update, "user");
  });
}

Result<void> SqliteMetadataStore::set_user_disabled(std::string_view name, bool disabled) {
  return with_identity_writer([&](Db& db) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(
        Stmt update, db.prepare("UPDATE users SET disabled = ?, updated_at = ? WHERE name = ?"));
    update.bind(int64_t{disabled}).bind(unix_seconds()).bind(name);
    return update_existing(db, update, "user");
  });
}

Result<void> SqliteMetadataStore::set_user_totp_secret(std::string_view name,
                                                       std::string_view secret) {
  return with_identity_writer([&](Db& db) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(
        Stmt update, db.prepare("UPDATE users SET totp_secret = ?, updated_at = ? WHERE name = ?"));
    update.bind(secret).bind(unix_seconds()).bind(name);
    return update_existing(db, update, "user");
  });
}

Result<bool> SqliteMetadataStore::delete_user(std::string_view name) {
  return with_identity_writer([&](Db& db) -> Result<bool> {
    {
      BULWARK_ASSIGN_OR_RETURN(
          Stmt members, db.prepare("DELETE FROM project_members WHERE principal_kind = 'user' "
                                   "AND principal_name = ?"));
      BULWARK_TRY_VOID(members.bind(name).run());
    }
    BULWARK_ASSIGN_OR_RETURN(Stmt remove, db.prepare("DELETE FROM users WHERE name = ?"));
    BULWARK_TRY_VOID(remove.bind(name).run());
    return db.changes() > 0;
  });
}

Result<void> SqliteMetadataStore::upsert_external_user(const User& user) {
  BULWARK_TRY_VOID(require_name(user.name, "user"));
  BULWARK_TRY_VOID(require_single_lines(user.external_groups, "group names"));
  if (user.source.empty() || user.source == "local") {
    return fail(ErrorCode::kInvalidArgument, "an external user needs a source other than local");
  }
  return with_identity_writer([&](Db& db) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(
        auto existing, find_one<User>(db, select_from(kUserColumns, "FROM users WHERE name = ?"),
                                      user.name, user_from_row));
    const int64_t now = unix_seconds();
    if (existing) {
      if (existing->source != user.source) {
        return fail(ErrorCode::kConflict, "a " + existing->source + " user of that name exists");
      }
      BULWARK_ASSIGN_OR_RETURN(Stmt update,
                               db.prepare("UPDATE users SET email = ?, external_groups = ?, "
                                          "updated_at = ? WHERE name = ?"));
      update.bind(user.email).bind(join_lines(user.external_groups)).bind(now).bind(user.name);
      return update_existing(db, update, "user");
    }
    BULWARK_ASSIGN_OR_RETURN(Stmt insert,
                             db.prepare("INSERT INTO users (" + std::string(kUserColumns) +
                                        ") VALUES (?, '', ?, 0, 0, '', ?, ?, ?, ?)"));
    insert.bind(user.name).bind(user.email).bind(now).bind(now).bind(user.source);
    return insert.bind(join_lines(user.external_groups)).run();
  });
}

// --- robot accounts

Result<void> SqliteMetadataStore::create_robot(const RobotAccount& robot) {
  BULWARK_TRY_VOID(require_name(robot.name, "robot"));
  BULWARK_TRY_VOID(require_single_lines(robot.allowed_networks, "networks"));
  if (robot.expires_at <= 0) {
    return fail(ErrorCode::kInvalidArgument, "robot accounts must have an expiry time");
  }
  return with_identity_writer([&](Db& db) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(bool exists,
                             row_exists(db, "SELECT 1 FROM robots WHERE name = ?", robot.name));
    if (exists) return fail(ErrorCode::kAlreadyExists, "robot account already exists");
    if (robot.project) {
      BULWARK_ASSIGN_OR_RETURN(bool project, project_exists(db, *robot.project));
      if (!project) return fail(ErrorCode::kNotFound, "project not found");
    }
    BULWARK_ASSIGN_OR_RETURN(Stmt insert,
                             db.prepare("INSERT INTO robots (" + std::string(kRobotColumns) +
                                        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    const int64_t now = unix_seconds();
    insert.bind(robot.name).bind(robot.project).bind(robot.secret_hash).bind(robot.description);
    insert.bind(robot.permissions_json).bind(robot.expires_at);
    if (robot.revoked_at) {
      insert.bind(*robot.revoked_at);
    } else {
      insert.bind(std::nullopt);
    }
    insert.bind(robot.created_by).bind(now).bind(now);
    return insert.bind(join_lines(robot.allowed_networks)).run();
  });
}

Result<std::optional<RobotAccount>> SqliteMetadataStore::get_robot(std::string_view name) {
  return with_reader([&](Db& db) {
    return find_one<RobotAccount>(db, select_from(kRobotColumns, "FROM robots WHERE name = ?"),
                                  name, robot_from_row);
  });
}

Result<std::vector<RobotAccount>> SqliteMetadataStore::list_robots(
    std::optional<std::string_view> project) {
  return with_reader([&](Db& db) -> Result<std::vector<RobotAccount>> {
    BULWARK_ASSIGN_OR_RETURN(
        Stmt query, db.prepare(select_from(kRobotColumns, project ? "FROM robots WHERE project = ? "
                                                                    "ORDER BY name"
                                                                  : "FROM robots ORDER BY name")));
    if (project) query.bind(*project);
    return collect_rows<RobotAccount>(query, robot_from_row);
  });
}

Result<void> SqliteMetadataStore::revoke_robot(std::string_view name, int64_t at) {
  return with_identity_writer([&](Db& db) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(Stmt update,
                             db.prepare("UPDATE robots SET revoked_at = COALESCE(revoked_at, ?), "
                                        "updated_at = ? WHERE name = ?"));
    update.bind(at).bind(unix_seconds()).bind(name);
    return update_existing(db, update, "robot account");
  });
}

Result<void> SqliteMetadataStore::rotate_robot_secret(std::string_view name,
                                                      std::string_view secret_hash,
                                                      std::optional<int64_t> expires_at) {
  if (expires_at && *expires_at <= 0) {
    return fail(ErrorCode::kInvalidArgument, "robot accounts must have an expiry time");
  }
  return with_identity_writer([&](Db& db) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(
        std::optional<RobotAccount> robot,
        find_one<RobotAccount>(db, select_from(kRobotColumns, "FROM robots WHERE name = ?"), name,
                               robot_from_row));
    if (!robot) return fail(ErrorCode::kNotFound, "robot account not found");
    if (robot->revoked_at) {
      return fail(ErrorCode::kConflict, "a revoked robot account cannot be given a new secret");
    }
    BULWARK_ASSIGN_OR_RETURN(Stmt update,
                             db.prepare("UPDATE robots SET secret_hash = ?, expires_at = ?, "
                                        "updated_at = ? WHERE name = ?"));
    update.bind(secret_hash).bind(expires_at.value_or(robot->expires_at));
    update.bind(unix_seconds()).bind(name);
    return update_existing(db, update, "robot account");
  });
}

Result<void> SqliteMetadataStore::set_robot_networks(std::string_view name,
                                                     const NetworkList& networks) {
  BULWARK_TRY_VOID(require_single_lines(networks, "networks"));
  return with_identity_writer([&](Db& db) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(
        Stmt update,
        db.prepare("UPDATE robots SET allowed_networks = ?, updated_at = ? WHERE name = ?"));
    update.bind(join_lines(networks)).bind(unix_seconds()).bind(name);
    return update_existing(db, update, "robot account");
  });
}

// --- projects

Result<void> SqliteMetadataStore::create_project(const Project& project) {
  BULWARK_TRY_VOID(require_name(project.name, "project"));
  BULWARK_TRY_VOID(require_single_lines(project.allowed_networks, "networks"));
  if (project.name.find('/') != std::string::npos) {
    return fail(ErrorCode::kInvalidArgument, "a project name is one path component (no '/')");
  }
  return with_identity_writer([&](Db& db) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(bool exists, project_exists(db, project.name));
    if (exists) return fail(ErrorCode::kAlreadyExists, "project already exists");
    BULWARK_ASSIGN_OR_RETURN(Stmt insert,
                             db.prepare("INSERT INTO projects (" + std::string(kProjectColumns) +
                                        ") VALUES (?, ?, ?, ?, ?)"));
    insert.bind(project.name).bind(visibility_name(project.visibility));
    insert.bind(environment_name(project.environment)).bind(unix_seconds());
    return insert.bind(join_lines(project.allowed_networks)).run();
  });
}

Result<std::optional<Project>> SqliteMetadataStore::get_project(std::string_view name) {
  return with_reader([&](Db& db) {
    return find_one<Project>(db, select_from(kProjectColumns, "FROM projects WHERE name = ?"), name,
                             project_from_row);
  });
}

Result<std::vector<Project>> SqliteMetadataStore::list_projects() {
  return with_reader([&](Db& db) -> Result<std::vector<Project>> {
    BULWARK_ASSIGN_OR_RETURN(
        Stmt query, db.prepare(select_from(kProjectColumns, "FROM projects ORDER BY name")));
    return collect_rows<Project>(query, project_from_row);
  });
}

Result<void> SqliteMetadataStore::update_project(std::string_view name,
                                                 const ProjectUpdate& update) {
  if (update.allowed_networks) {
    BULWARK_TRY_VOID(require_single_lines(*update.allowed_networks, "networks"));
  }
  return with_identity_writer([&](Db& db) -> Result<void> {
    // NULL keeps the stored value.
    BULWARK_ASSIGN_OR_RETURN(Stmt stmt,
                             db.prepare("UPDATE projects SET visibility = COALESCE(?, visibility), "
                                        "environment = COALESCE(?, environment), "
                                        "allowed_networks = COALESCE(?, allowed_networks) "
                                        "WHERE name = ?"));
    auto bind_name = [&stmt](auto value, auto name_of) {
      if (value) {
        stmt.bind(name_of(*value));
      } else {
        stmt.bind(std::nullopt);
      }
    };
    bind_name(update.visibility, visibility_name);
    bind_name(update.environment, environment_name);
    bind_name(update.allowed_networks, join_lines);
    stmt.bind(name);
    return update_existing(db, stmt, "project");
  });
}

Result<void> SqliteMetadataStore::delete_project(std::string_view name) {
  return with_identity_writer([&](Db& db) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(bool exists, project_exists(db, name));
    if (!exists) return fail(ErrorCode::kNotFound, "project not found");
    {
      // The project's repositories: `name` itself and everything under `name/`.
      BULWARK_ASSIGN_OR_RETURN(Stmt repos,
                               db.prepare("SELECT 1 FROM repositories WHERE name = ?1 OR "
                                          "substr(name, 1, length(?2)) = ?2 LIMIT 1"));
      BULWARK_ASSIGN_OR_RETURN(bool holds, repos.bind(name).bind(std::string(name) + "/").step());
      if (holds) return fail(ErrorCode::kConflict, "project still holds repositories");
    }
    // Members and robots go with it (ON DELETE CASCADE).
    BULWARK_ASSIGN_OR_RETURN(Stmt remove, db.prepare("DELETE FROM projects WHERE name = ?"));
    return remove.bind(name).run();
  });
}

// --- members

Result<void> SqliteMetadataStore::set_member(const Member& member) {
  BULWARK_TRY_VOID(require_name(member.principal, "principal"));
  return with_identity_writer([&](Db& db) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(bool exists, project_exists(db, member.project));
    if (!exists) return fail(ErrorCode::kNotFound, "project not found");
    BULWARK_ASSIGN_OR_RETURN(
        Stmt upsert,
        db.prepare("INSERT INTO project_members (" + std::string(kMemberColumns) +
                   ") VALUES (?, ?, ?, ?, ?) "
                   "ON CONFLICT (project, principal_kind, principal_name) DO UPDATE SET "
                   "role = excluded.role, updated_at = excluded.updated_at"));
    upsert.bind(member.project).bind(principal_kind_name(member.kind)).bind(member.principal);
    return upsert.bind(role_name(member.role)).bind(unix_seconds()).run();
  });
}

Result<bool> SqliteMetadataStore::remove_member(std::string_view project, PrincipalKind kind,
                                                std::string_view principal) {
  return with_identity_writer([&](Db& db) -> Result<bool> {
    BULWARK_ASSIGN_OR_RETURN(Stmt remove,
                             db.prepare("DELETE FROM project_members WHERE project = ? AND "
                                        "principal_kind = ? AND principal_name = ?"));
    BULWARK_TRY_VOID(remove.bind(project).bind(principal_kind_name(kind)).bind(principal).run());
    return db.changes() > 0;
  });
}

Result<std::vector<Member>> SqliteMetadataStore::list_members(std::string_view project) {
  return with_reader([&](Db& db) -> Result<std::vector<Member>> {
    BULWARK_ASSIGN_OR_RETURN(Stmt query,
                             db.prepare(select_from(kMemberColumns,
                                                    "FROM project_members WHERE project = ? "
                                                    "ORDER BY principal_kind, principal_name")));
    query.bind(project);
    return collect_rows<Member>(query, member_from_row);
  });
}

Result<std::vector<Member>> SqliteMetadataStore::list_memberships(PrincipalKind kind,
                                                                  std::string_view principal) {
  return with_reader([&](Db& db) -> Result<std::vector<Member>> {
    BULWARK_ASSIGN_OR_RETURN(
        Stmt query, db.prepare(select_from(kMemberColumns,
                                           "FROM project_members WHERE principal_kind = ? AND "
                                           "principal_name = ? ORDER BY project")));
    query.bind(principal_kind_name(kind)).bind(principal);
    return collect_rows<Member>(query, member_from_row);
  });
}

}  // namespace bulwark::metadata
