// `bulwark admin project create|list|update|delete` and `bulwark admin member set|remove|list`:
// projects (the first path component of repositories, with their visibility, environment and
// client network allow-list) and who holds which role in them, through api::AdminService.
#include <iostream>
#include <optional>

#include "api/views.h"
#include "cli/admin_internal.h"

namespace bulwark::cli::admin {
namespace {

namespace json = boost::json;
using metadata::Environment;
using metadata::PrincipalKind;
using metadata::Role;

// The accepted option values, named by the metadata module's own name tables.
template <class E, size_t N>
std::vector<std::string> names_of(const E (&values)[N], std::string_view (*name)(E)) {
  std::vector<std::string> out;
  for (E value : values) out.emplace_back(name(value));
  return out;
}
constexpr Environment kEnvironments[] = {Environment::kDevelopment, Environment::kStaging,
                                         Environment::kProduction};
constexpr Role kRoles[] = {Role::kProjectAdmin, Role::kMaintainer, Role::kDeveloper, Role::kGuest};

// ---- project

struct ProjectFlags {
  Common common;
  std::string name;
  bool make_public = false;
  bool make_private = false;
  std::string environment;            // empty: unchanged (update) or development (create)
  std::vector<std::string> networks;  // --allow-network (repeatable)
  bool any_network = false;           // --any-network (update: clears the allow-list)
};

int project_create(const ProjectFlags& f) {
  constexpr std::string_view what = "project create";
  auto admin = open_admin(f.common);
  if (!admin) return fail_with(what, admin.error());
  api::NewProject project;
  project.name = f.name;
  project.visibility =
      f.make_public ? metadata::Visibility::kPublic : metadata::Visibility::kPrivate;
  if (!f.environment.empty()) project.environment = *metadata::parse_environment(f.environment);
  project.allowed_networks = f.networks;
  auto created = (*admin)->service->create_project((*admin)->actor, project);
  if (!created) return fail_with(what, created.error());
  std::cerr << "created " << metadata::visibility_name(created->visibility) << " "
            << metadata::environment_name(created->environment) << " project " << f.name << "\n";
  return kExitOk;
}

int project_list(const ProjectFlags& f) {
  auto admin = open_admin(f.common);
  if (!admin) return fail_with("project list", admin.error());
  auto projects = (*admin)->service->list_projects((*admin)->actor);
  if (!projects) return fail_with("project list", projects.error());
  if (f.common.output == "json") {
    json::array out;
    for (const metadata::Project& p : *projects) out.push_back(api::project_json(p));
    print_json(out);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const metadata::Project& p : *projects) {
    rows.push_back({p.name, std::string(metadata::visibility_name(p.visibility)),
                    std::string(metadata::environment_name(p.environment)),
                    format_time(p.created_at), networks_text(p.allowed_networks)});
  }
  print_table({"NAME", "VISIBILITY", "ENVIRONMENT", "CREATED", "NETWORKS"}, rows);
  return kExitOk;
}

int project_update(const ProjectFlags& f) {
  constexpr std::string_view what = "project update";
  metadata::ProjectUpdate update;
  if (f.make_public) update.visibility = metadata::Visibility::kPublic;
  if (f.make_private) update.visibility = metadata::Visibility::kPrivate;
  if (!f.environment.empty()) update.environment = *metadata::parse_environment(f.environment);
  if (!f.networks.empty()) update.allowed_networks = f.networks;
  if (f.any_network) update.allowed_networks = metadata::NetworkList{};
  auto admin = open_admin(f.common);
  if (!admin) return fail_with(what, admin.error());
  auto updated = (*admin)->service->update_project((*admin)->actor, f.name, update);
  if (!updated) return fail_with(what, updated.error());
  std::cerr << "updated project " << f.name << "\n";
  return kExitOk;
}

int project_delete(const ProjectFlags& f) {
  constexpr std::string_view what = "project delete";
  auto admin = open_admin(f.common);
  if (!admin) return fail_with(what, admin.error());
  auto deleted = (*admin)->service->delete_project((*admin)->actor, f.name);
  if (!deleted) return fail_with(what, deleted.error());
  std::cerr << "deleted project " << f.name << " with its members and robot accounts\n";
  return kExitOk;
}

// ---- member

struct MemberFlags {
  Common common;
  std::string project;
  std::string user;
  std::string group;
  std::string role;
};

// The principal named by --user or --group (exactly one; CLI11 enforces "at most one").
Result<std::pair<PrincipalKind, std::string>> principal_of(const MemberFlags& f) {
  if (!f.user.empty()) return std::pair{PrincipalKind::kUser, f.user};
  if (!f.group.empty()) return std::pair{PrincipalKind::kGroup, f.group};
  return fail(ErrorCode::kInvalidArgument, "give --user NAME or --group NAME");
}

void add_principal_options(CLI::App* cmd, MemberFlags& f) {
  CLI::Option* user = cmd->add_option("--user", f.user, "a user name (local, OIDC or LDAP)");
  CLI::Option* group = cmd->add_option("--group", f.group, "a group name (OIDC or LDAP)");
  user->excludes(group);
}

int member_set(const MemberFlags& f) {
  constexpr std::string_view what = "member set";
  auto principal = principal_of(f);
  if (!principal) return fail_with(what, principal.error());
  auto admin = open_admin(f.common);
  if (!admin) return fail_with(what, admin.error());
  metadata::Member member;
  member.project = f.project;
  member.kind = principal->first;
  member.principal = principal->second;
  member.role = *metadata::parse_role(f.role);
  auto set = (*admin)->service->set_member((*admin)->actor, member);
  if (!set) return fail_with(what, set.error());
  if (!set->local_user_exists) {
    std::cerr << "note: there is no local user " << member.principal
              << "; the role applies to an OIDC or LDAP user of that name\n";
  }
  std::cerr << metadata::principal_kind_name(member.kind) << " " << member.principal << " is "
            << metadata::role_name(member.role) << " of project " << f.project << "\n";
  return kExitOk;
}

int member_remove(const MemberFlags& f) {
  constexpr std::string_view what = "member remove";
  auto principal = principal_of(f);
  if (!principal) return fail_with(what, principal.error());
  auto admin = open_admin(f.common);
  if (!admin) return fail_with(what, admin.error());
  auto removed = (*admin)->service->remove_member((*admin)->actor, f.project, principal->first,
                                                  principal->second);
  if (!removed) return fail_with(what, removed.error());
  std::cerr << "removed " << metadata::principal_kind_name(principal->first) << " "
            << principal->second << " from project " << f.project << "\n";
  return kExitOk;
}

int member_list(const MemberFlags& f) {
  constexpr std::string_view what = "member list";
  auto admin = open_admin(f.common);
  if (!admin) return fail_with(what, admin.error());
  auto members = (*admin)->service->list_members((*admin)->actor, f.project);
  if (!members) return fail_with(what, members.error());
  if (f.common.output == "json") {
    json::array out;
    for (const metadata::Member& m : *members) out.push_back(api::member_json(m));
    print_json(out);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const metadata::Member& m : *members) {
    rows.push_back({std::string(metadata::principal_kind_name(m.kind)), m.principal,
                    std::string(metadata::role_name(m.role)), format_time(m.updated_at)});
  }
  print_table({"KIND", "NAME", "ROLE", "UPDATED"}, rows);
  return kExitOk;
}

}  // namespace

Leaves add_project_commands(CLI::App& admin) {
  CLI::App* group = admin.add_subcommand("project", "Manage projects");
  group->require_subcommand(1);
  Leaves leaves;

  auto add_name = [](CLI::App* cmd, ProjectFlags& f) {
    cmd->add_option("NAME", f.name, "project name")->required();
  };
  auto add_networks = [](CLI::App* cmd, ProjectFlags& f) {
    return cmd
        ->add_option("--allow-network", f.networks,
                     "a client network (CIDR or address) requests may come from (repeatable; "
                     "default: anywhere)")
        ->allow_extra_args(false);
  };
  auto add_environment = [](CLI::App* cmd, ProjectFlags& f) {
    cmd->add_option("--environment", f.environment, "development, staging or production")
        ->check(CLI::IsMember(names_of(kEnvironments, metadata::environment_name)));
  };

  auto cf = std::make_shared<ProjectFlags>();
  CLI::App* create_cmd = group->add_subcommand("create", "Create a project (private by default)");
  add_common(create_cmd, cf->common, false);
  add_name(create_cmd, *cf);
  create_cmd->add_flag("--public", cf->make_public, "anyone may pull from it");
  add_environment(create_cmd, *cf);
  add_networks(create_cmd, *cf);
  leaves.push_back({create_cmd, [cf] { return project_create(*cf); }});

  auto lf = std::make_shared<ProjectFlags>();
  CLI::App* list_cmd = group->add_subcommand("list", "List projects");
  add_common(list_cmd, lf->common, true);
  leaves.push_back({list_cmd, [lf] { return project_list(*lf); }});

  auto uf = std::make_shared<ProjectFlags>();
  CLI::App* update_cmd = group->add_subcommand(
      "update", "Change a project's visibility, environment or allowed client networks");
  add_common(update_cmd, uf->common, false);
  add_name(update_cmd, *uf);
  CLI::Option* pub = update_cmd->add_flag("--public", uf->make_public, "make it public");
  CLI::Option* priv = update_cmd->add_flag("--private", uf->make_private, "make it private");
  pub->excludes(priv);
  add_environment(update_cmd, *uf);
  CLI::Option* allow = add_networks(update_cmd, *uf);
  update_cmd
      ->add_flag("--any-network", uf->any_network, "clear the allow-list: requests from anywhere")
      ->excludes(allow);
  leaves.push_back({update_cmd, [uf] { return project_update(*uf); }});

  auto df = std::make_shared<ProjectFlags>();
  CLI::App* delete_cmd = group->add_subcommand(
      "delete", "Delete an empty project with its members and robot accounts");
  add_common(delete_cmd, df->common, false);
  add_name(delete_cmd, *df);
  leaves.push_back({delete_cmd, [df] { return project_delete(*df); }});
  return leaves;
}

Leaves add_member_commands(CLI::App& admin) {
  CLI::App* group = admin.add_subcommand("member", "Manage who holds which role in a project");
  group->require_subcommand(1);
  Leaves leaves;

  auto sf = std::make_shared<MemberFlags>();
  CLI::App* set_cmd = group->add_subcommand("set", "Give a user or group a role in a project");
  add_common(set_cmd, sf->common, false);
  set_cmd->add_option("PROJECT", sf->project, "project name")->required();
  add_principal_options(set_cmd, *sf);
  set_cmd->add_option("--role", sf->role, "project_admin, maintainer, developer or guest")
      ->required()
      ->check(CLI::IsMember(names_of(kRoles, metadata::role_name)));
  leaves.push_back({set_cmd, [sf] { return member_set(*sf); }});

  auto rf = std::make_shared<MemberFlags>();
  CLI::App* remove_cmd = group->add_subcommand("remove", "Take a user's or group's role away");
  add_common(remove_cmd, rf->common, false);
  remove_cmd->add_option("PROJECT", rf->project, "project name")->required();
  add_principal_options(remove_cmd, *rf);
  leaves.push_back({remove_cmd, [rf] { return member_remove(*rf); }});

  auto lf = std::make_shared<MemberFlags>();
  CLI::App* list_cmd = group->add_subcommand("list", "List a project's members");
  add_common(list_cmd, lf->common, true);
  list_cmd->add_option("PROJECT", lf->project, "project name")->required();
  leaves.push_back({list_cmd, [lf] { return member_list(*lf); }});
  return leaves;
}

}  // namespace bulwark::cli::admin
