#include "policy/effective.h"

namespace bulwark::policy {

std::string project_scope(std::string_view project) { return "project:" + std::string(project); }

std::string environment_scope(metadata::Environment environment) {
  return "environment:" + std::string(metadata::environment_name(environment));
}

std::string version_source(const metadata::PolicyVersion& version) {
  return version.scope + "@" + std::to_string(version.version);
}

Result<EffectivePolicy> effective_policy_in(metadata::PolicyStore& policies,
                                            std::string_view project,
                                            metadata::Environment environment) {
  EffectivePolicy out;
  out.environment = environment;
  out.production = environment == metadata::Environment::kProduction;
  // The first scope, most specific first, whose newest version holds a document.
  for (const std::string& scope : {project_scope(project), environment_scope(environment)}) {
    BULWARK_ASSIGN_OR_RETURN(std::optional<metadata::PolicyVersion> current,
                             policies.current_policy(scope));
    if (!current || current->document.empty()) continue;
    out.source = version_source(*current);
    auto parsed = parse_policy(current->document);
    if (!parsed) {
      return fail(ErrorCode::kCorrupt,
                  "stored policy " + out.source + " does not parse: " + parsed.error().message);
    }
    out.document = std::move(*parsed);
    return out;
  }
  out.document = default_policy();
  out.source = std::string(kDefaultsSource);
  return out;
}

Result<EffectivePolicy> effective_policy(metadata::PolicyStore& policies,
                                         metadata::IdentityStore& identities,
                                         std::string_view project) {
  BULWARK_ASSIGN_OR_RETURN(std::optional<metadata::Project> found, identities.get_project(project));
  if (!found) return fail(ErrorCode::kNotFound, "no project " + std::string(project));
  return effective_policy_in(policies, project, found->environment);
}

}  // namespace bulwark::policy
