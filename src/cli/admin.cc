// `bulwark admin user|project|member|robot ...`: management of the identity store in
// <data>/metadata.sqlite through api::AdminService (the management API's implementation), as
// the local operator. Works while `bulwark serve` runs on the same data directory (SQLite WAL
// lets several processes share the file; the server sees changes at once through the store's
// identity generation). This file holds the group registration and the shared helpers
// (admin_internal.h); the command groups live in admin_users.cc, admin_projects.cc and
// admin_robots.cc.
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <iterator>

#include "auth/password.h"
#include "cli/admin_internal.h"
#include "common/clock.h"

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

int fail_with(std::string_view what, const api::AdminError& error) {
  return fail_with(what, error.error.message);
}

Result<std::unique_ptr<Admin>> open_admin(const Common& common) {
  auto admin = std::make_unique<Admin>();
  BULWARK_ASSIGN_OR_RETURN(admin->store, open_store(common));
  admin->authenticator = std::make_unique<auth::Authenticator>(*admin->store, admin->throttle);
  admin->actor = api::Actor::local(local_actor());
  Admin* self = admin.get();
  const std::string key_file = common.data + "/audit-key.pem";
  // Administrative changes are rare: cover each with a signed checkpoint at once, so that even
  // removing the newest records is detected.
  api::AuditRecorder recorder = [self, key_file](audit::Event event) -> Result<void> {
    if (!self->audit_log) {
      BULWARK_ASSIGN_OR_RETURN(self->audit_log,
                               audit::AuditLog::open(*self->store, {key_file, 1000, {}}));
    }
    BULWARK_TRY_VOID(self->audit_log->record(event));
    BULWARK_TRY_VOID(self->audit_log->checkpoint());
    return ok();
  };
  admin->recorder = recorder;
  admin->service = std::make_unique<api::AdminService>(*admin->store, *admin->authenticator,
                                                       std::move(recorder));
  return admin;
}

std::string networks_text(const std::vector<std::string>& networks) {
  std::string out;
  for (const std::string& n : networks) out += (out.empty() ? "" : ",") + n;
  return out.empty() ? "any" : out;
}

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
  return unix_seconds == 0 ? "-" : rfc3339_utc(unix_seconds);
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

Command add_admin(CLI::App& app) {
  CLI::App* group =
      app.add_subcommand("admin", "Manage users, projects, members, robot accounts and runtime settings");
  group->require_subcommand(1);
  auto leaves = std::make_shared<admin::Leaves>();
  for (auto add : {admin::add_user_commands, admin::add_project_commands,
                   admin::add_member_commands, admin::add_robot_commands,
                   admin::add_settings_commands, admin::add_policy_commands}) {
    admin::Leaves more = add(*group);
    std::move(more.begin(), more.end(), std::back_inserter(*leaves));
  }
  return {group, [leaves] {
            for (const admin::Leaf& leaf : *leaves) {
              if (!leaf.app->parsed()) continue;
              return leaf.run();
            }
            return kExitError;
          }};
}

}  // namespace bulwark::cli
