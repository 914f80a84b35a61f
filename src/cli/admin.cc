// `bulwark admin user|project|member|robot ...`: offline management of the identity store in
// <data>/metadata.sqlite. Works while `bulwark serve` runs on the same data directory (SQLite WAL
// lets several processes share the file). This file holds the group registration and the shared
// helpers (admin_internal.h); the command groups live in admin_users.cc, admin_projects.cc and
// admin_robots.cc.
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <iterator>

#include "audit/audit_log.h"
#include "auth/password.h"
#include "cli/admin_internal.h"

namespace bulwark::cli {
namespace admin {

void add_common(CLI::App* cmd, Common& common, bool with_output) {
  cmd->add_option("--data", common.data, "data directory (default ./var)");
  if (with_output) {
    cmd->add_option("-o,--output", common.output, "output format: table or json")
        ->check(CLI::IsMember({"table", "json"}));
  }
}

Result<std::unique_ptr<metadata::SqliteMetadataStore>> open_store(const Common& common) {
  std::error_code ec;
  if (!std::filesystem::is_directory(common.data, ec)) {
    return fail(ErrorCode::kNotFound, "data directory " + common.data + " does not exist");
  }
  return metadata::SqliteMetadataStore::open(common.data + "/metadata.sqlite");
}

int fail_with(std::string_view what, std::string_view message) {
  std::cerr << "bulwark admin " << what << ": " << message << "\n";
  return kExitError;
}

int fail_with(std::string_view what, const Error& error) { return fail_with(what, error.message); }

Result<std::string> read_password_stdin() {
  std::string text;
  // Read at most one byte more than the limit (plus a line ending) so an oversized input is
  // refused without being buffered whole.
  const size_t cap = auth::kMaxPasswordBytes + 3;
  char c;
  while (text.size() < cap && std::cin.get(c)) text.push_back(c);
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (!text.empty() && text.back() == '\r') text.pop_back();
  if (text.empty()) return fail(ErrorCode::kInvalidArgument, "no password on stdin");
  if (text.size() > auth::kMaxPasswordBytes) {
    return fail(ErrorCode::kInvalidArgument, "the password on stdin is longer than " +
                                                 std::to_string(auth::kMaxPasswordBytes) +
                                                 " bytes");
  }
  return text;
}

std::string format_time(int64_t unix_seconds) {
  if (unix_seconds == 0) return "-";
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf, n);
}

void print_table(const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(header.size());
  auto widen = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  };
  widen(header);
  for (const auto& row : rows) widen(row);
  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(width[i] - row[i].size() + 2, ' ');
    }
    std::cout << line << "\n";
  };
  print_row(header);
  for (const auto& row : rows) print_row(row);
}

void print_json(const boost::json::value& value) {
  std::cout << boost::json::serialize(value) << "\n";
}

std::string local_actor() {
  const uid_t uid = getuid();
  passwd entry{};
  passwd* found = nullptr;
  char buf[1024];
  if (getpwuid_r(uid, &entry, buf, sizeof buf, &found) == 0 && found != nullptr &&
      found->pw_name != nullptr) {
    return std::string("cli:") + found->pw_name;
  }
  return "cli:uid" + std::to_string(uid);
}

}  // namespace admin

namespace {

// Records an administrative change (every leaf but the listings) in the data directory's audit
// trail, under a signed checkpoint: who ran it, which command, its positional targets (never a secret: passwords and
// secrets are read from stdin or generated) and whether it succeeded. A failure to record is
// reported on stderr; the change itself has already been made or refused.
void audit_change(const admin::Leaf& leaf, int exit_code) {
  if (leaf.app->get_name() == "list") return;
  const CLI::Option* data_option = leaf.app->get_option_no_throw("--data");
  if (data_option == nullptr) return;
  admin::Common common;
  common.data = data_option->as<std::string>();
  auto store = admin::open_store(common);
  if (!store) return;  // no data directory: nothing was changed
  auto log = audit::AuditLog::open(**store, {common.data + "/audit-key.pem", 1000, {}});
  if (!log) {
    admin::fail_with("audit", log.error());
    return;
  }
  audit::Event event;
  event.actor = admin::local_actor();
  event.action = "admin." + leaf.app->get_parent()->get_name() + "." + leaf.app->get_name();
  event.outcome = exit_code == 0 ? audit::Outcome::kAllowed : audit::Outcome::kError;
  std::string targets;
  for (const CLI::Option* option : leaf.app->get_options()) {
    if (!option->get_positional()) continue;
    for (const std::string& value : option->results()) {
      targets += (targets.empty() ? "" : " ") + value;
    }
  }
  event.reason = "targets: " + targets + (exit_code == 0 ? "" : " (command failed)");
  if (auto recorded = (*log)->record(event); !recorded) {
    admin::fail_with("audit", recorded.error());
    return;
  }
  // Administrative changes are rare: cover each with a signed checkpoint at once, so that even
  // removing the newest records is detected.
  if (auto signed_checkpoint = (*log)->checkpoint(); !signed_checkpoint) {
    admin::fail_with("audit", signed_checkpoint.error());
  }
}

}  // namespace

Command add_admin(CLI::App& app) {
  CLI::App* group =
      app.add_subcommand("admin", "Manage users, projects, members and robot accounts");
  group->require_subcommand(1);
  auto leaves = std::make_shared<admin::Leaves>();
  for (auto add : {admin::add_user_commands, admin::add_project_commands,
                   admin::add_member_commands, admin::add_robot_commands}) {
    admin::Leaves more = add(*group);
    std::move(more.begin(), more.end(), std::back_inserter(*leaves));
  }
  return {group, [leaves] {
            for (const admin::Leaf& leaf : *leaves) {
              if (!leaf.app->parsed()) continue;
              int exit_code = leaf.run();
              audit_change(leaf, exit_code);
              return exit_code;
            }
            return kExitError;
          }};
}

}  // namespace bulwark::cli
