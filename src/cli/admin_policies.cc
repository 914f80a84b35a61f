// `bulwark admin policy get|history|set|delete|rollback`: the versioned policy documents of a
// project (--project) or an environment (--environment) in <data>/metadata.sqlite, through
// api::PolicyService — the same validation, versioning and audit as /api/v1/.../policy.
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>

#include "api/policy_service.h"
#include "cli/admin_internal.h"

namespace bulwark::cli::admin {
namespace {

using metadata::PolicyVersion;

struct PolicyFlags {
  Common common;
  std::string project;
  std::string environment;
  std::string file;     // set: the YAML document ("-": stdin)
  std::string comment;  // set, delete, rollback
  int64_t version = 0;  // get (0: current), rollback
};

// The admin store and a PolicyService over it, acting as the local operator.
struct Opened {
  std::unique_ptr<Admin> admin;
  std::unique_ptr<api::PolicyService> service;
};

Result<Opened> open_policies(const Common& common) {
  Opened out;
  BULWARK_ASSIGN_OR_RETURN(out.admin, open_admin(common));
  out.service = std::make_unique<api::PolicyService>(*out.admin->store, *out.admin->store,
                                                     *out.admin->authenticator,
                                                     out.admin->recorder);
  return out;
}

Result<api::PolicyTarget> target_of(const PolicyFlags& f) {
  if (!f.project.empty()) return api::PolicyTarget::of_project(f.project);
  if (!f.environment.empty()) {
    // CLI11 has checked the name already.
    return api::PolicyTarget::of_environment(*metadata::parse_environment(f.environment));
  }
  return fail(ErrorCode::kInvalidArgument, "give --project NAME or --environment ENV");
}

Result<std::string> read_document(const std::string& file) {
  std::string text;
  const size_t cap = api::kMaxPolicyBytes + 1;  // one byte more than allowed: refused whole
  auto read_from = [&](std::istream& in) {
    char c;
    while (text.size() < cap && in.get(c)) text.push_back(c);
  };
  if (file == "-") {
    read_from(std::cin);
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) return fail(ErrorCode::kNotFound, "cannot read " + file);
    read_from(in);
  }
  return text;
}

std::string restored_text(const PolicyVersion& v) {
  return v.restored_from ? std::to_string(*v.restored_from) : "-";
}

// Prints a stored version: JSON, or a short header and the document.
void print_version(const PolicyVersion& v, const Common& common) {
  if (common.output == "json") {
    print_json(api::policy_version_json(v));
    return;
  }
  std::cout << "scope:    " << v.scope << "\nversion:  " << v.version << "\nauthor:   " << v.author
            << "\ncreated:  " << format_time(v.created_at) << "\ncomment:  " << v.comment << "\n";
  if (v.restored_from) std::cout << "restores: " << *v.restored_from << "\n";
  std::cout << "---\n"
            << (v.document.empty() ? "# (removed: the next scope applies)\n" : v.document);
  if (!v.document.empty() && v.document.back() != '\n') std::cout << "\n";
}

int policy_get(const PolicyFlags& f) {
  constexpr std::string_view what = "policy get";
  auto target = target_of(f);
  if (!target) return fail_with(what, target.error());
  auto opened = open_policies(f.common);
  if (!opened) return fail_with(what, opened.error());
  const api::Actor& actor = opened->admin->actor;
  if (f.version > 0) {
    auto found = opened->service->version(actor, *target, f.version);
    if (!found) return fail_with(what, found.error());
    print_version(*found, f.common);
    return kExitOk;
  }
  auto state = opened->service->get(actor, *target);
  if (!state) return fail_with(what, state.error());
  if (f.common.output == "json") {
    print_json(api::policy_state_json(*state));
    return kExitOk;
  }
  std::cout << "effective: "
            << (state->effective_source.empty() ? "-" : state->effective_source);
  if (!state->effective_error.empty()) std::cout << " (error: " << state->effective_error << ")";
  std::cout << "\n";
  if (!state->current) {
    std::cout << "scope:    " << state->scope << "\n# no policy of its own\n";
    return kExitOk;
  }
  print_version(*state->current, f.common);
  return kExitOk;
}

int policy_history(const PolicyFlags& f) {
  constexpr std::string_view what = "policy history";
  auto target = target_of(f);
  if (!target) return fail_with(what, target.error());
  auto opened = open_policies(f.common);
  if (!opened) return fail_with(what, opened.error());
  auto versions = opened->service->history(opened->admin->actor, *target);
  if (!versions) return fail_with(what, versions.error());
  if (f.common.output == "json") {
    boost::json::array out;
    for (const PolicyVersion& v : *versions) out.push_back(api::policy_version_json(v));
    print_json(out);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const PolicyVersion& v : *versions) {
    rows.push_back({std::to_string(v.version), v.author, format_time(v.created_at),
                    v.document.empty() ? "removed" : "document", restored_text(v), v.comment});
  }
  print_table({"VERSION", "AUTHOR", "CREATED", "CONTENT", "RESTORES", "COMMENT"}, rows);
  return kExitOk;
}

// set, delete and rollback: run `change`, report the new version.
template <class Change>
int policy_change(const PolicyFlags& f, std::string_view what, Change change) {
  auto target = target_of(f);
  if (!target) return fail_with(what, target.error());
  auto opened = open_policies(f.common);
  if (!opened) return fail_with(what, opened.error());
  api::AdminResult<PolicyVersion> stored = change(*opened->service, opened->admin->actor, *target);
  if (!stored) return fail_with(what, stored.error());
  if (f.common.output == "json") {
    print_json(api::policy_version_json(*stored));
  } else {
    std::cerr << "stored version " << stored->version << " of " << stored->scope << "'s policy"
              << (stored->restored_from
                      ? " (restoring version " + std::to_string(*stored->restored_from) + ")"
                      : std::string())
              << (stored->document.empty() ? " (removed: the next scope applies)" : "") << "\n";
  }
  return kExitOk;
}

int policy_set(const PolicyFlags& f) {
  constexpr std::string_view what = "policy set";
  auto document = read_document(f.file);
  if (!document) return fail_with(what, document.error());
  return policy_change(f, what, [&](api::PolicyService& s, const api::Actor& a,
                                    const api::PolicyTarget& t) {
    return s.set(a, t, std::move(*document), f.comment);
  });
}

int policy_delete(const PolicyFlags& f) {
  return policy_change(f, "policy delete",
                       [&](api::PolicyService& s, const api::Actor& a,
                           const api::PolicyTarget& t) { return s.remove(a, t, f.comment); });
}

int policy_rollback(const PolicyFlags& f) {
  return policy_change(f, "policy rollback",
                       [&](api::PolicyService& s, const api::Actor& a,
                           const api::PolicyTarget& t) {
                         return s.rollback(a, t, f.version, f.comment);
                       });
}

}  // namespace

Leaves add_policy_commands(CLI::App& admin) {
  CLI::App* group = admin.add_subcommand(
      "policy", "Manage the versioned policy documents of projects and environments");
  group->require_subcommand(1);
  Leaves leaves;

  // Every command names one scope, output as table or json.
  auto add_scope = [](CLI::App* cmd, PolicyFlags& f) {
    add_common(cmd, f.common, true);
    CLI::Option* project = cmd->add_option("--project", f.project, "a project's policy");
    CLI::Option* environment =
        cmd->add_option("--environment", f.environment,
                        "an environment's policy: development, staging or production")
            ->check(CLI::IsMember({"development", "staging", "production"}));
    project->excludes(environment);  // one of them: target_of() says so when neither is given
  };
  auto add_comment = [](CLI::App* cmd, PolicyFlags& f) {
    cmd->add_option("--comment", f.comment, "why (recorded with the version and in the audit)");
  };
  auto add = [&](const char* name, const char* help, auto configure, int (*run)(const PolicyFlags&)) {
    auto flags = std::make_shared<PolicyFlags>();
    CLI::App* cmd = group->add_subcommand(name, help);
    add_scope(cmd, *flags);
    configure(cmd, *flags);
    leaves.push_back({cmd, [flags, run] { return run(*flags); }});
  };

  add("get", "Show the current document (or --version N) and which policy applies",
      [](CLI::App* cmd, PolicyFlags& f) {
        cmd->add_option("--version", f.version, "a stored version instead of the current one")
            ->check(CLI::PositiveNumber);
      },
      policy_get);
  add("history", "List every version, newest first", [](CLI::App*, PolicyFlags&) {},
      policy_history);
  add("set", "Store a new version from a YAML file (validated)",
      [&](CLI::App* cmd, PolicyFlags& f) {
        cmd->add_option("--file,-f", f.file, "the policy document (YAML; - for stdin)")
            ->required();
        add_comment(cmd, f);
      },
      policy_set);
  add("delete", "Remove the scope's own policy (a new empty version: the next scope applies)",
      [&](CLI::App* cmd, PolicyFlags& f) { add_comment(cmd, f); }, policy_delete);
  add("rollback", "Store a copy of an earlier version as the newest",
      [&](CLI::App* cmd, PolicyFlags& f) {
        cmd->add_option("--version", f.version, "the version to restore")
            ->required()
            ->check(CLI::PositiveNumber);
        add_comment(cmd, f);
      },
      policy_rollback);
  return leaves;
}

}  // namespace bulwark::cli::admin
