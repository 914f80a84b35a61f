// `bulwark admin robot create|list|revoke|rotate`: robot accounts of a project, named
// robot$PROJECT+NAME. Every robot expires (--expires is mandatory); its permissions are validated
// by auth::parse_robot_permissions and stored in canonical form. The secret is generated, only its
// argon2id hash is stored, and it is printed exactly once (by create and rotate).
#include <algorithm>
#include <iostream>
#include <optional>

#include "auth/authorizer.h"
#include "common/clock.h"
#include "auth/password.h"
#include "cli/admin_internal.h"
#include "common/config.h"
#include "oci/reference.h"

namespace bulwark::cli::admin {
namespace {

namespace json = boost::json;

// Longest accepted lifetime; also keeps now + lifetime far from overflowing.
constexpr int64_t kMaxLifetimeDays = 3650;

constexpr auth::RobotKind kKinds[] = {auth::RobotKind::kGeneric, auth::RobotKind::kCi,
                                      auth::RobotKind::kRelease};

std::vector<std::string> kind_names() {
  std::vector<std::string> out;
  for (auth::RobotKind kind : kKinds) out.emplace_back(auth::robot_kind_name(kind));
  return out;
}

std::string robot_name(const std::string& project, const std::string& name) {
  return "robot$" + project + "+" + name;
}

// Seconds from now until the robot expires; refuses 0 and absurd lifetimes.
Result<int64_t> parse_lifetime(const std::string& text) {
  BULWARK_ASSIGN_OR_RETURN(int64_t seconds, parse_duration_seconds(text));
  if (seconds <= 0 || seconds > kMaxLifetimeDays * 86400) {
    return fail(ErrorCode::kInvalidArgument,
                "--expires must lie between 1s and " + std::to_string(kMaxLifetimeDays) + "d");
  }
  return seconds;
}

// The canonical permissions JSON of --kind and the --rule 'PATTERN=action,action' list. Every
// pattern must stay inside `project`: a project robot acts only there, so a rule elsewhere is
// a mistake that would silently grant nothing.
Result<std::string> build_permissions(const std::string& kind,
                                      const std::vector<std::string>& rules,
                                      const std::string& project) {
  if (rules.empty()) {
    return fail(
        ErrorCode::kInvalidArgument,
        "give at least one --rule 'PATTERN=ACTION,...' (e.g. '" + project + "/*=pull,push')");
  }
  json::array rule_array;
  for (const std::string& rule : rules) {
    const size_t eq = rule.rfind('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == rule.size()) {
      return fail(ErrorCode::kInvalidArgument, "invalid --rule \"" + rule +
                                                   "\" (expected PATTERN=ACTION,... e.g. '" +
                                                   project + "/*=pull,push')");
    }
    const std::string pattern = rule.substr(0, eq);
    if (pattern != project && pattern.rfind(project + "/", 0) != 0) {
      return fail(ErrorCode::kInvalidArgument, "--rule pattern \"" + pattern +
                                                   "\" lies outside project " + project +
                                                   " (it must start with \"" + project + "/\")");
    }
    json::array actions;
    std::string_view list = std::string_view(rule).substr(eq + 1);
    while (true) {
      const size_t comma = list.find(',');
      actions.emplace_back(list.substr(0, comma));
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
    rule_array.push_back(json::object{{"repository", pattern}, {"actions", std::move(actions)}});
  }
  const std::string text =
      json::serialize(json::object{{"kind", kind}, {"rules", std::move(rule_array)}});
  BULWARK_ASSIGN_OR_RETURN(auth::RobotPermissions parsed, auth::parse_robot_permissions(text));
  return auth::to_json(parsed);
}

struct Issued {
  std::string name;
  std::string secret;
  int64_t expires_at;
};

void print_issued(const Issued& issued, const std::string& output) {
  if (output == "json") {
    print_json(json::object{
        {"name", issued.name}, {"secret", issued.secret}, {"expires_at", issued.expires_at}});
  } else {
    std::cout << "name:    " << issued.name << "\nsecret:  " << issued.secret
              << "\nexpires: " << format_time(issued.expires_at) << "\n";
  }
  std::cerr << "store the secret now: it is not shown again\n";
}

// ---- create

struct CreateFlags {
  Common common;
  std::string project;
  std::string name;
  std::string expires;
  std::string kind = "generic";
  std::vector<std::string> rules;
  std::string description;
};

int create(const CreateFlags& f) {
  constexpr std::string_view what = "robot create";
  if (f.name.find('/') != std::string::npos || !oci::validate_repository(f.name)) {
    return fail_with(what, "invalid robot name \"" + f.name +
                               "\" (lowercase letters and digits, separated by '.', '_' or '-')");
  }
  auto lifetime = parse_lifetime(f.expires);
  if (!lifetime) return fail_with(what, lifetime.error());
  auto permissions = build_permissions(f.kind, f.rules, f.project);
  if (!permissions) return fail_with(what, permissions.error());
  auto store = open_store(f.common);
  if (!store) return fail_with(what, store.error());
  auto project = (*store)->get_project(f.project);
  if (!project) return fail_with(what, project.error());
  if (!*project) return fail_with(what, "no project " + f.project);

  Issued issued{robot_name(f.project, f.name), auth::generate_secret(), 0};
  auto hash = auth::hash_password(issued.secret);
  if (!hash) return fail_with(what, hash.error());
  metadata::RobotAccount robot;
  robot.name = issued.name;
  robot.project = f.project;
  robot.secret_hash = std::move(*hash);
  robot.description = f.description;
  robot.permissions_json = std::move(*permissions);
  robot.expires_at = issued.expires_at = unix_seconds() + *lifetime;
  robot.created_by = local_actor();
  if (auto created = (*store)->create_robot(robot); !created) {
    return fail_with(what, created.error().code == ErrorCode::kAlreadyExists
                               ? "robot " + issued.name + " already exists"
                               : created.error().message);
  }
  print_issued(issued, f.common.output);
  return kExitOk;
}

// ---- list

struct ListFlags {
  Common common;
  std::string project;
};

std::string status_of(const metadata::RobotAccount& r, int64_t now) {
  if (r.revoked_at) return "revoked";
  return now >= r.expires_at ? "expired" : "active";
}

int list(const ListFlags& f) {
  auto store = open_store(f.common);
  if (!store) return fail_with("robot list", store.error());
  std::optional<std::string_view> project;
  if (!f.project.empty()) project = f.project;
  auto robots = (*store)->list_robots(project);
  if (!robots) return fail_with("robot list", robots.error());
  const int64_t now = unix_seconds();
  json::array out;
  std::vector<std::vector<std::string>> rows;
  for (const metadata::RobotAccount& r : *robots) {
    // Stored permissions were validated when written; show "invalid" rather than fail the whole
    // listing should a row have been edited by hand.
    auto permissions = auth::parse_robot_permissions(r.permissions_json);
    json::array rules;
    std::string rules_text;
    if (permissions) {
      for (const auth::RobotRule& rule : permissions->rules) {
        json::array actions;
        for (auth::Action a : rule.actions.actions()) actions.emplace_back(auth::action_name(a));
        rules.push_back(json::object{{"repository", rule.repository}, {"actions", actions}});
        std::string names = rule.actions.str();
        std::replace(names.begin(), names.end(), ' ', ',');
        rules_text += (rules_text.empty() ? "" : " ") + rule.repository + "=" + names;
      }
    }
    const std::string kind =
        permissions ? std::string(auth::robot_kind_name(permissions->kind)) : "invalid";
    json::value revoked_at = nullptr;
    if (r.revoked_at) revoked_at = *r.revoked_at;
    json::value owner = nullptr;
    if (r.project) owner = *r.project;
    out.push_back(json::object{{"name", r.name},
                               {"project", owner},
                               {"kind", kind},
                               {"rules", std::move(rules)},
                               {"description", r.description},
                               {"status", status_of(r, now)},
                               {"expires_at", r.expires_at},
                               {"revoked_at", revoked_at},
                               {"created_by", r.created_by},
                               {"created_at", r.created_at},
                               {"updated_at", r.updated_at}});
    rows.push_back({r.name, r.project.value_or("-"), kind, status_of(r, now),
                    format_time(r.expires_at), rules_text.empty() ? "-" : rules_text});
  }
  if (f.common.output == "json") {
    print_json(out);
  } else {
    print_table({"NAME", "PROJECT", "KIND", "STATUS", "EXPIRES", "RULES"}, rows);
  }
  return kExitOk;
}

// ---- revoke, rotate

struct NameFlags {
  Common common;
  std::string name;
  std::string expires;  // rotate only; empty keeps the expiry
};

// The named robot, or kNotFound with a clear message.
Result<metadata::RobotAccount> require_robot(metadata::IdentityStore& store,
                                             const std::string& name) {
  BULWARK_ASSIGN_OR_RETURN(std::optional<metadata::RobotAccount> robot, store.get_robot(name));
  if (!robot) {
    return fail(ErrorCode::kNotFound, "no robot " + name + " (names look like robot$PROJECT+NAME)");
  }
  return *robot;
}

int revoke(const NameFlags& f) {
  constexpr std::string_view what = "robot revoke";
  auto store = open_store(f.common);
  if (!store) return fail_with(what, store.error());
  auto robot = require_robot(**store, f.name);
  if (!robot) return fail_with(what, robot.error());
  if (robot->revoked_at) {
    std::cerr << "robot " << f.name << " was already revoked at " << format_time(*robot->revoked_at)
              << "\n";
    return kExitOk;
  }
  if (auto revoked = (*store)->revoke_robot(f.name, unix_seconds()); !revoked) {
    return fail_with(what, revoked.error());
  }
  std::cerr << "revoked robot " << f.name << "\n";
  return kExitOk;
}

int rotate(const NameFlags& f) {
  constexpr std::string_view what = "robot rotate";
  std::optional<int64_t> lifetime;
  if (!f.expires.empty()) {
    auto parsed = parse_lifetime(f.expires);
    if (!parsed) return fail_with(what, parsed.error());
    lifetime = *parsed;
  }
  auto store = open_store(f.common);
  if (!store) return fail_with(what, store.error());
  auto robot = require_robot(**store, f.name);
  if (!robot) return fail_with(what, robot.error());
  if (robot->revoked_at) {
    return fail_with(what, "robot " + f.name + " is revoked; create a new robot instead");
  }
  const int64_t now = unix_seconds();
  if (!lifetime && now >= robot->expires_at) {
    return fail_with(what, "robot " + f.name + " expired at " + format_time(robot->expires_at) +
                               "; give --expires to extend it");
  }
  Issued issued{f.name, auth::generate_secret(), robot->expires_at};
  auto hash = auth::hash_password(issued.secret);
  if (!hash) return fail_with(what, hash.error());
  std::optional<int64_t> expires_at;
  if (lifetime) expires_at = issued.expires_at = now + *lifetime;
  if (auto rotated = (*store)->rotate_robot_secret(f.name, *hash, expires_at); !rotated) {
    return fail_with(what, rotated.error());
  }
  print_issued(issued, f.common.output);
  return kExitOk;
}

}  // namespace

Leaves add_robot_commands(CLI::App& admin) {
  CLI::App* group = admin.add_subcommand("robot", "Manage robot accounts");
  group->require_subcommand(1);
  Leaves leaves;

  auto cf = std::make_shared<CreateFlags>();
  CLI::App* create_cmd =
      group->add_subcommand("create", "Create robot$PROJECT+NAME; prints its secret once");
  add_common(create_cmd, cf->common, true);
  create_cmd->add_option("PROJECT", cf->project, "owning project")->required();
  create_cmd->add_option("NAME", cf->name, "robot name within the project")->required();
  create_cmd->add_option("--expires", cf->expires, "lifetime, e.g. 90d, 12h (mandatory)")
      ->required();
  create_cmd->add_option("--kind", cf->kind, "generic (default), ci or release")
      ->check(CLI::IsMember(kind_names()));
  create_cmd
      ->add_option("--rule", cf->rules,
                   "PATTERN=ACTION,... (repeatable), e.g. 'proj/*=pull,push'; actions: "
                   "pull push delete sign scan *")
      ->allow_extra_args(false);
  create_cmd->add_option("--description", cf->description, "free text");
  leaves.push_back({create_cmd, [cf] { return create(*cf); }});

  auto lf = std::make_shared<ListFlags>();
  CLI::App* list_cmd = group->add_subcommand("list", "List robot accounts (never their secrets)");
  add_common(list_cmd, lf->common, true);
  list_cmd->add_option("--project", lf->project, "only this project's robots");
  leaves.push_back({list_cmd, [lf] { return list(*lf); }});

  auto vf = std::make_shared<NameFlags>();
  CLI::App* revoke_cmd = group->add_subcommand("revoke", "Revoke a robot account for good");
  add_common(revoke_cmd, vf->common, false);
  revoke_cmd->add_option("NAME", vf->name, "robot$PROJECT+NAME")->required();
  leaves.push_back({revoke_cmd, [vf] { return revoke(*vf); }});

  auto rf = std::make_shared<NameFlags>();
  CLI::App* rotate_cmd = group->add_subcommand(
      "rotate", "Replace a robot's secret (prints the new one once); the old one stops working");
  add_common(rotate_cmd, rf->common, true);
  rotate_cmd->add_option("NAME", rf->name, "robot$PROJECT+NAME")->required();
  rotate_cmd->add_option("--expires", rf->expires, "new lifetime from now (default: keep)");
  leaves.push_back({rotate_cmd, [rf] { return rotate(*rf); }});
  return leaves;
}

}  // namespace bulwark::cli::admin
