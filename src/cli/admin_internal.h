// Shared plumbing of `bulwark admin` (admin.cc) for its command groups (admin_users.cc,
// admin_projects.cc, admin_robots.cc): the common --data / -o options, opening the data
// directory's AdminService (the one the management API uses: the commands parse, call it and
// print), error reporting and table/JSON output. Listings show the service's views, which hold no
// password hashes, secret hashes or TOTP secrets.
//
// Thread-safety: single-threaded CLI code; nothing here is shared between threads.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/admin_service.h"
#include "audit/audit_log.h"
#include "auth/authenticator.h"
#include "auth/login_throttle.h"
#include "cli/commands.h"
#include "common/result.h"
#include "metadata/sqlite/sqlite_metadata_store.h"

namespace bulwark::cli::admin {

// One runnable leaf command (e.g. `admin user create`): chosen when `app->parsed()`.
struct Leaf {
  CLI::App* app;
  Action run;
};
using Leaves = std::vector<Leaf>;

// Options every admin command takes.
struct Common {
  std::string data = "./var";
  std::string output = "table";  // only for commands registered with add_output
};

// Adds --data to `cmd`, and -o/--output (table|json) when `with_output`.
void add_common(CLI::App* cmd, Common& common, bool with_output);

// Opens <data>/metadata.sqlite, creating it (with the schema) when the data directory exists but
// holds no database yet. kNotFound when the data directory itself is missing (a typo in --data must
// not silently start an empty registry somewhere else).
Result<std::unique_ptr<metadata::SqliteMetadataStore>> open_store(const Common& common);

// The data directory's AdminService, acting as the local operator (a system administrator named
// local_actor()). Every change it makes is recorded in the data directory's audit trail under a
// signed checkpoint (the audit log is opened on the first change).
struct Admin {
  std::unique_ptr<metadata::SqliteMetadataStore> store;
  auth::LoginThrottle throttle;
  std::unique_ptr<auth::Authenticator> authenticator;
  std::unique_ptr<audit::AuditLog> audit_log;  // opened on first use
  std::unique_ptr<api::AdminService> service;
  api::Actor actor;
  api::AuditRecorder recorder;  // the service's, for the other services (admin_policies.cc)
};
// kNotFound when the data directory is missing (as open_store).
Result<std::unique_ptr<Admin>> open_admin(const Common& common);

// Prints "bulwark admin <what>: <message>" on stderr and returns kExitError.
int fail_with(std::string_view what, std::string_view message);
int fail_with(std::string_view what, const Error& error);
int fail_with(std::string_view what, const api::AdminError& error);

// Reads a password from stdin: everything up to EOF minus one trailing "\n" or "\r\n".
// kInvalidArgument when it is empty or longer than auth::kMaxPasswordBytes.
Result<std::string> read_password_stdin();

// "2024-05-01T12:00:00Z" (UTC); "-" for 0.
std::string format_time(int64_t unix_seconds);

// Comma-separated networks, "any" for none.
std::string networks_text(const std::vector<std::string>& networks);

// Left-aligned columns separated by two spaces, header first.
void print_table(const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows);
// One JSON document and a newline on stdout.
void print_json(const boost::json::value& value);

// Who runs the command (the audit actor and RobotAccount::created_by): "cli:<login name>" or
// "cli:uid<N>".
std::string local_actor();

// The command groups; each returns its leaves.
Leaves add_user_commands(CLI::App& admin);
Leaves add_project_commands(CLI::App& admin);
Leaves add_member_commands(CLI::App& admin);
Leaves add_robot_commands(CLI::App& admin);
Leaves add_settings_commands(CLI::App& admin);  // admin_settings.cc
Leaves add_policy_commands(CLI::App& admin);    // admin_policies.cc

}  // namespace bulwark::cli::admin
