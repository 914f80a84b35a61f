// `bulwark admin robot create|list|revoke|rotate|networks`: robot accounts of a project, named
// robot$PROJECT+NAME, through api::AdminService. Every robot expires (--expires is mandatory);
// its permissions are validated and stored in canonical form. The secret is generated, only its
// argon2id hash is stored, and it is printed exactly once (by create and rotate).
#include <algorithm>
#include <iostream>
#include <optional>

#include "api/views.h"
#include "auth/authorizer.h"
#include "cli/admin_internal.h"
#include "common/config.h"

namespace bulwark::cli::admin {
namespace {

namespace json = boost::json;

constexpr auth::RobotKind kKinds[] = {auth::RobotKind::kGeneric, auth::RobotKind::kCi,
                                      auth::RobotKind::kRelease};

std::vector<std::string> kind_names() {
  std::vector<std::string> out;
  for (auth::RobotKind kind : kKinds) out.emplace_back(auth::robot_kind_name(kind));
  return out;
}

// Seconds of an --expires value ("90d", "12h", ...); the service checks the range.
Result<int64_t> parse_lifetime(const std::string& text) { return parse_duration_seconds(text); }

// The --rule 'PATTERN=action,action' list as the service's rules.
Result<std::vector<api::RuleSpec>> parse_rules(const std::vector<std::string>& rules,
                                               const std::string& project) {
  if (rules.empty()) {
    return fail(
        ErrorCode::kInvalidArgument,
        "give at least one --rule 'PATTERN=ACTION,...' (e.g. '" + project + "/*=pull,push')");
  }
  std::vector<api::RuleSpec> out;
  for (const std::string& rule : rules) {
    const size_t eq = rule.rfind('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == rule.size()) {
      return fail(ErrorCode::kInvalidArgument, "invalid --rule \"" + rule +
                                                   "\" (expected PATTERN=ACTION,... e.g. '" +
                                                   project + "/*=pull,push')");
    }
    api::RuleSpec spec{rule.substr(0, eq), {}};
    std::string_view list = std::string_view(rule).substr(eq + 1);
    while (true) {
      const size_t comma = list.find(',');
      spec.actions.emplace_back(list.substr(0, comma));
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
    out.push_back(std::move(spec));
  }
  return out;
}

void print_issued(const api::IssuedRobot& issued, const std::string& output) {
  if (output == "json") {
    print_json(api::issued_json(issued));
  } else {
    std::cout << "name:    " << issued.name << "\nsecret:  " << issued.secret
              << "\nexpires: " << format_time(issued.expires_at) << "\n";
  }
  std::cerr << "store the secret now: it is not shown again\n";
}

void add_networks(CLI::App* cmd, std::vector<std::string>& networks, const char* help) {
  cmd->add_option("--allow-network", networks, help)->allow_extra_args(false);
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
  std::vector<std::string> networks;
};

int create(const CreateFlags& f) {
  constexpr std::string_view what = "robot create";
  auto lifetime = parse_lifetime(f.expires);
  if (!lifetime) return fail_with(what, lifetime.error());
  auto rules = parse_rules(f.rules, f.project);
  if (!rules) return fail_with(what, rules.error());
  auto admin = open_admin(f.common);
  if (!admin) return fail_with(what, admin.error());
  api::NewRobot robot;
  robot.project = f.project;
  robot.name = f.name;
  robot.kind = f.kind;
  robot.rules = std::move(*rules);
  robot.lifetime_seconds = *lifetime;
  robot.description = f.description;
  robot.allowed_networks = f.networks;
  auto issued = (*admin)->service->create_robot((*admin)->actor, robot);
  if (!issued) return fail_with(what, issued.error());
  print_issued(*issued, f.common.output);
  return kExitOk;
}

// ---- list

struct ListFlags {
  Common common;
  std::string project;
};

int list(const ListFlags& f) {
  auto admin = open_admin(f.common);
  if (!admin) return fail_with("robot list", admin.error());
  std::optional<std::string_view> project;
  if (!f.project.empty()) project = f.project;
  auto robots = (*admin)->service->list_robots((*admin)->actor, project);
  if (!robots) return fail_with("robot list", robots.error());
  json::array out;
  std::vector<std::vector<std::string>> rows;
  for (const api::RobotInfo& r : *robots) {
    out.push_back(api::robot_json(r));
    std::string rules_text;
    for (const api::RuleSpec& rule : r.rules) {
      std::string names;
      for (const std::string& a : rule.actions) names += (names.empty() ? "" : ",") + a;
      rules_text += (rules_text.empty() ? "" : " ") + rule.repository + "=" + names;
    }
    rows.push_back({r.name, r.project.value_or("-"), r.kind, r.status, format_time(r.expires_at),
                    rules_text.empty() ? "-" : rules_text, networks_text(r.allowed_networks)});
  }
  if (f.common.output == "json") {
    print_json(out);
  } else {
    print_table({"NAME", "PROJECT", "KIND", "STATUS", "EXPIRES", "RULES", "NETWORKS"}, rows);
  }
  return kExitOk;
}

// ---- revoke, rotate, networks

struct NameFlags {
  Common common;
  std::string name;
  std::string expires;                // rotate only; empty keeps the expiry
  std::vector<std::string> networks;  // networks only
  bool any_network = false;           // networks only
};

int revoke(const NameFlags& f) {
  constexpr std::string_view what = "robot revoke";
  auto admin = open_admin(f.common);
  if (!admin) return fail_with(what, admin.error());
  auto revoked = (*admin)->service->revoke_robot((*admin)->actor, f.name);
  if (!revoked) return fail_with(what, revoked.error());
  if (revoked->already_revoked) {
    std::cerr << "robot " << f.name << " was already revoked at "
              << format_time(revoked->revoked_at) << "\n";
  } else {
    std::cerr << "revoked robot " << f.name << "\n";
  }
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
  auto admin = open_admin(f.common);
  if (!admin) return fail_with(what, admin.error());
  auto issued = (*admin)->service->rotate_robot((*admin)->actor, f.name, lifetime);
  if (!issued) return fail_with(what, issued.error());
  print_issued(*issued, f.common.output);
  return kExitOk;
}

int networks(const NameFlags& f) {
  constexpr std::string_view what = "robot networks";
  if (f.networks.empty() && !f.any_network) {
    return fail_with(what, "give --allow-network CIDR (repeatable) or --any-network");
  }
  auto admin = open_admin(f.common);
  if (!admin) return fail_with(what, admin.error());
  auto robot = (*admin)->service->set_robot_networks((*admin)->actor, f.name, f.networks);
  if (!robot) return fail_with(what, robot.error());
  if (f.common.output == "json") print_json(api::robot_json(*robot));
  std::cerr << "robot " << f.name << " may connect from " << networks_text(robot->allowed_networks)
            << "\n";
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
  add_networks(create_cmd, cf->networks,
               "a client network (CIDR or address) the robot may connect from (repeatable; "
               "default: anywhere)");
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

  auto nf = std::make_shared<NameFlags>();
  CLI::App* networks_cmd =
      group->add_subcommand("networks", "Replace the client networks a robot may connect from");
  add_common(networks_cmd, nf->common, true);
  networks_cmd->add_option("NAME", nf->name, "robot$PROJECT+NAME")->required();
  add_networks(networks_cmd, nf->networks, "a client network (CIDR or address) (repeatable)");
  networks_cmd->add_flag("--any-network", nf->any_network, "clear the allow-list: anywhere")
      ->excludes("--allow-network");
  leaves.push_back({networks_cmd, [nf] { return networks(*nf); }});
  return leaves;
}

}  // namespace bulwark::cli::admin
