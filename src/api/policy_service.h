// PolicyService: reading and changing the versioned policy documents (metadata/policy_store.h)
// of projects and environments — one implementation shared by the management API
// (/api/v1/projects/{p}/policy, /api/v1/environments/{e}/policy) and `bulwark admin policy`.
// Like AdminService, every method takes the acting principal, decides whether it may act,
// validates its input, changes the store and records the change in the audit trail.
//
// Who may do what:
//   - a project's policy: every user holding a role in the project (and system administrators)
//     may read it and its history; its project_admins and system administrators may change it;
//   - an environment's policy: system administrators only;
//   - robots and anyone else: nothing.
// A refusal fails with AdminError::denied; for a project the actor has no standing in, the
// refusal does not say whether the project exists.
//
// Changes: set() stores a validated document (policy::parse_policy; the parser's message on
// failure) as a new version; remove() stores an empty version, so the next scope applies
// (project -> environment -> built-in defaults); rollback() stores a copy of an earlier version
// naming it (restored_from). Nothing is ever overwritten.
//
// Audit: every change — allowed, refused (denied) or failed (error) — is one durable event:
// action "policy.update", "policy.delete" or "policy.rollback"; resource.repository = the
// project (or the environment's scope, "environment:production"); reason "targets: <scope>
// version N[ restoring M]; comment: <comment>[; <what failed>]". Refused reads are recorded too
// ("policy.get", "policy.list", outcome denied).
//
// Thread-safety: thread-safe (the stores, authenticator and recorder are); methods block on the
// stores — call them from a worker thread.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/admin_service.h"
#include "metadata/identity_store.h"
#include "metadata/policy_store.h"

namespace bulwark::api {

// Whose policy: a project's or an environment's.
struct PolicyTarget {
  std::optional<std::string> project;            // set for a project
  metadata::Environment environment{};           // meaningful when project is nullopt

  static PolicyTarget of_project(std::string name);
  static PolicyTarget of_environment(metadata::Environment environment);
  std::string scope() const;  // "project:<name>" / "environment:<env>"
};

// A scope's current state and what applies to it.
struct PolicyState {
  std::string scope;
  std::optional<metadata::PolicyVersion> current;  // nullopt: never had a version
  std::string effective_source;  // "project:app@3", "environment:production@1" or "defaults"
  std::string effective_error;   // set when the applicable stored document does not parse
  std::optional<metadata::Environment> environment;  // the project's (projects only)
};

// The largest document accepted (the API's body limit is 64 KiB as well).
inline constexpr size_t kMaxPolicyBytes = 64 * 1024;
inline constexpr size_t kMaxPolicyComment = 1024;

// kInvalidArgument with the parser's message (or "empty") when `document` is no valid policy.
Result<void> validate_policy_document(std::string_view document);

class PolicyService {
 public:
  // All references must outlive the service.
  PolicyService(metadata::PolicyStore& policies, metadata::IdentityStore& identities,
                auth::Authenticator& authenticator, AuditRecorder audit);

  AdminResult<PolicyState> get(const Actor& actor, const PolicyTarget& target);
  // Newest first.
  AdminResult<std::vector<metadata::PolicyVersion>> history(const Actor& actor,
                                                            const PolicyTarget& target);
  // kNotFound when the scope has no such version.
  AdminResult<metadata::PolicyVersion> version(const Actor& actor, const PolicyTarget& target,
                                               int64_t version);
  // Stores `document` (validated; not empty: use remove()) as the newest version.
  AdminResult<metadata::PolicyVersion> set(const Actor& actor, const PolicyTarget& target,
                                           std::string document, std::string comment);
  // Stores an empty version: the scope's own policy no longer applies.
  AdminResult<metadata::PolicyVersion> remove(const Actor& actor, const PolicyTarget& target,
                                              std::string comment);
  // Stores a copy of `version` naming it. kNotFound when there is no such version;
  // kInvalidArgument when its document no longer parses.
  AdminResult<metadata::PolicyVersion> rollback(const Actor& actor, const PolicyTarget& target,
                                                int64_t version, std::string comment);

 private:
  struct Op;
  // Refusal (denied) unless the actor may read / change the target; kNotFound for a missing
  // project the actor may otherwise see.
  AdminResult<void> check(const Actor& actor, const PolicyTarget& target, bool change);
  // Appends `version` to the target's scope as the actor (after check()).
  AdminResult<metadata::PolicyVersion> append(const Actor& actor, const PolicyTarget& target,
                                              metadata::PolicyVersion version);
  template <class T>
  AdminResult<T> finish(const Op& op, AdminResult<T> result);

  metadata::PolicyStore& policies_;
  metadata::IdentityStore& identities_;
  auth::Authenticator& authenticator_;
  const AuditRecorder audit_;
};

// JSON views shared by the API and `bulwark admin policy -o json`:
// {"scope","version","document","author","comment","created_at","restored_from"?}
boost::json::object policy_version_json(const metadata::PolicyVersion& version);
// policy_version_json(current) (or {"scope","version":null,"document":""} when there is none)
// plus "effective": {"source", "environment"?, "error"?}.
boost::json::object policy_state_json(const PolicyState& state);

}  // namespace bulwark::api
