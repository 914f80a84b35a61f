// PolicyStore: the policy documents (policy/document.h) of projects and environments, versioned.
// Every change appends a version (who, when, why); nothing is overwritten, so any earlier version
// can be restored (a restore is itself a new version naming the one it restores). An empty
// document removes the scope's own policy: the next scope applies (a project falls back to its
// environment's document, an environment to the built-in defaults).
//
// Scopes are "project:<name>" and "environment:<development|staging|production>"; the store
// does not interpret them.
//
// Thread-safety: all methods are thread-safe; they block (disk I/O): call them from worker
// threads, never from an I/O thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace bulwark::metadata {

struct PolicyVersion {
  std::string scope;
  int64_t version = 0;   // 1, 2, ... per scope
  std::string document;  // the YAML as submitted; empty: the scope's own policy was removed
  std::string author;
  std::string comment;
  std::optional<int64_t> restored_from;  // the version this one restores (a rollback)
  int64_t created_at = 0;                // set by the store
};

class PolicyStore {
 public:
  virtual ~PolicyStore() = default;
  // Appends a version (version and created_at are assigned; the given ones are ignored) and
  // returns it. kNotFound when restored_from names no version of the scope.
  virtual Result<PolicyVersion> add_policy_version(const PolicyVersion& version) = 0;
  // The newest version of `scope`; nullopt when it never had one.
  virtual Result<std::optional<PolicyVersion>> current_policy(std::string_view scope) = 0;
  virtual Result<std::optional<PolicyVersion>> get_policy_version(std::string_view scope,
                                                                  int64_t version) = 0;
  // Every version of `scope`, newest first.
  virtual Result<std::vector<PolicyVersion>> list_policy_versions(std::string_view scope) = 0;
  // A number that changes whenever any scope gets a version (cheap; caches of policy decisions
  // compare it).
  virtual Result<int64_t> policy_generation() = 0;
};

}  // namespace bulwark::metadata
