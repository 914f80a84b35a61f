// The policy that applies to a project: its own document ("project:<name>" in the PolicyStore)
// unless that is absent or removed (empty), else its environment's ("environment:<env>"), else
// the built-in defaults (default_policy()). The answer names which, with the version, as
// "project:app@3", "environment:production@1" or "defaults" — the string decisions record.
//
// A stored document that no longer parses (e.g. written by a newer release) is an error naming
// it (kCorrupt), never a silent fall-back to a weaker policy.
//
// Thread-safety: thread-safe (the stores are); blocks on the stores: call from worker threads.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "metadata/identity_store.h"
#include "metadata/policy_store.h"
#include "policy/document.h"

namespace bulwark::policy {

// The PolicyStore scope of a project's and an environment's documents.
std::string project_scope(std::string_view project);          // "project:<name>"
std::string environment_scope(metadata::Environment environment);  // "environment:<env>"
// "<scope>@<version>", the source naming one stored version.
std::string version_source(const metadata::PolicyVersion& version);
inline constexpr std::string_view kDefaultsSource = "defaults";

struct EffectivePolicy {
  PolicyDocument document;
  std::string source;  // "project:app@3", "environment:production@1" or "defaults"
  metadata::Environment environment = metadata::Environment::kDevelopment;
  bool production = false;  // environment == production (block_in_production applies)
};

// The policy of `project`. kNotFound when the identity store has no such project; kCorrupt
// naming the source when the applicable stored document does not parse.
Result<EffectivePolicy> effective_policy(metadata::PolicyStore& policies,
                                         metadata::IdentityStore& identities,
                                         std::string_view project);

// The same for a project whose environment is known (no identity lookup).
Result<EffectivePolicy> effective_policy_in(metadata::PolicyStore& policies,
                                            std::string_view project,
                                            metadata::Environment environment);

}  // namespace bulwark::policy
