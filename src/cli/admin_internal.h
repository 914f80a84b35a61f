// Shared plumbing of `bulwark admin` (admin.cc) for its command groups (admin_users.cc,
// admin_projects.cc, admin_robots.cc): the common --data / -o options, opening the data
// directory's metadata database, error reporting and table/JSON output. Listings built with these
// helpers show only what the caller passes in; callers never pass password hashes, secret hashes
// or TOTP secrets.
//
// Thread-safety: single-threaded CLI code; nothing here is shared between threads.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

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

// Prints "bulwark admin <what>: <message>" on stderr and returns kExitError.
int fail_with(std::string_view what, std::string_view message);
int fail_with(std::string_view what, const Error& error);

// Reads a password from stdin: everything up to EOF minus one trailing "\n" or "\r\n".
// kInvalidArgument when it is empty or longer than auth::kMaxPasswordBytes.
Result<std::string> read_password_stdin();

// "2024-05-01T12:00:00Z" (UTC); "-" for 0.
std::string format_time(int64_t unix_seconds);

// Left-aligned columns separated by two spaces, header first.
void print_table(const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows);
// One JSON document and a newline on stdout.
void print_json(const boost::json::value& value);

// Who runs the command, for RobotAccount::created_by: "cli:<login name>" or "cli:uid<N>".
std::string local_actor();

// The command groups; each returns its leaves.
Leaves add_user_commands(CLI::App& admin);
Leaves add_project_commands(CLI::App& admin);
Leaves add_member_commands(CLI::App& admin);
Leaves add_robot_commands(CLI::App& admin);

}  // namespace bulwark::cli::admin
