#include "api/policy_service.h"

#include <boost/json.hpp>

#include "common/log.h"
#include "policy/document.h"
#include "policy/effective.h"

namespace bulwark::api {
namespace {

namespace json = boost::json;
using metadata::PolicyVersion;
using metadata::Role;

tl::unexpected<AdminError> denied(std::string message) {
  return tl::unexpected<AdminError>(
      AdminError(Error{ErrorCode::kInvalidArgument, std::move(message)}, /*is_denied=*/true));
}

bool is_user(const Actor& actor) { return actor.principal.type == auth::PrincipalType::kUser; }
bool is_admin(const Actor& actor) { return is_user(actor) && actor.principal.is_admin; }

// The effective source of an environment: its own document, else the defaults.
Result<std::string> environment_source(metadata::PolicyStore& policies,
                                       metadata::Environment environment, std::string& error) {
  BULWARK_ASSIGN_OR_RETURN(std::optional<PolicyVersion> current,
                           policies.current_policy(policy::environment_scope(environment)));
  if (!current || current->document.empty()) return std::string(policy::kDefaultsSource);
  if (auto parsed = policy::parse_policy(current->document); !parsed) {
    error = parsed.error().message;
  }
  return policy::version_source(*current);
}

}  // namespace

PolicyTarget PolicyTarget::of_project(std::string name) {
  PolicyTarget t;
  t.project = std::move(name);
  return t;
}

PolicyTarget PolicyTarget::of_environment(metadata::Environment environment) {
  PolicyTarget t;
  t.environment = environment;
  return t;
}

std::string PolicyTarget::scope() const {
  return project ? policy::project_scope(*project) : policy::environment_scope(environment);
}

Result<void> validate_policy_document(std::string_view document) {
  if (document.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return fail(ErrorCode::kInvalidArgument,
                "the policy document is empty (to remove a policy, delete it)");
  }
  if (document.size() > kMaxPolicyBytes) {
    return fail(ErrorCode::kInvalidArgument,
                "the policy document exceeds " + std::to_string(kMaxPolicyBytes) + " bytes");
  }
  BULWARK_TRY_VOID(policy::parse_policy(document));
  return ok();
}

// What one call is about, for its audit event.
struct PolicyService::Op {
  const Actor& actor;
  std::string action;
  const PolicyTarget& target;
  std::string comment;
  std::optional<int64_t> restoring;
  bool change = true;  // reads are recorded only when refused
};

PolicyService::PolicyService(metadata::PolicyStore& policies, metadata::IdentityStore& identities,
                             auth::Authenticator& authenticator, AuditRecorder audit)
    : policies_(policies),
      identities_(identities),
      authenticator_(authenticator),
      audit_(std::move(audit)) {}

template <class T>
AdminResult<T> PolicyService::finish(const Op& op, AdminResult<T> result) {
  const bool refused = !result && result.error().denied;
  if (!op.change && !refused) return result;
  std::string reason = "targets: " + op.target.scope();
  if constexpr (std::is_same_v<T, PolicyVersion>) {
    if (result) reason += " version " + std::to_string(result->version);
  }
  if (op.restoring) reason += " restoring " + std::to_string(*op.restoring);
  if (op.change) reason += "; comment: " + op.comment;
  record_admin_event(audit_, op.actor, op.action,
                     op.target.project ? *op.target.project : op.target.scope(), std::move(reason),
                     result ? nullptr : &result.error());
  return result;
}

AdminResult<void> PolicyService::check(const Actor& actor, const PolicyTarget& target,
                                       bool change) {
  if (!target.project) {
    if (!is_admin(actor)) {
      return denied("only system administrators may read or change environment policies");
    }
    return {};
  }
  const std::string& project = *target.project;
  if (!is_admin(actor)) {
    if (!is_user(actor)) return denied("you have no role in project " + project);
    BULWARK_ASSIGN_OR_RETURN(std::optional<Role> role,
                             authenticator_.effective_role(actor.principal, project));
    if (!role) return denied("you have no role in project " + project);
    if (change && role != Role::kProjectAdmin) {
      return denied("only system administrators and project admins of " + project +
                    " may change its policy");
    }
  }
  BULWARK_ASSIGN_OR_RETURN(std::optional<metadata::Project> found,
                           identities_.get_project(project));
  if (!found) return tl::unexpected<AdminError>(Error{ErrorCode::kNotFound, "no project " + project});
  return {};
}

AdminResult<PolicyState> PolicyService::get(const Actor& actor, const PolicyTarget& target) {
  Op op{actor, "policy.get", target, "", std::nullopt, false};
  auto run = [&]() -> AdminResult<PolicyState> {
    if (auto allowed = check(actor, target, false); !allowed) {
      return tl::unexpected(std::move(allowed.error()));
    }
    PolicyState state;
    state.scope = target.scope();
    BULWARK_ASSIGN_OR_RETURN(state.current, policies_.current_policy(state.scope));
    if (!target.project) {
      BULWARK_ASSIGN_OR_RETURN(
          state.effective_source,
          environment_source(policies_, target.environment, state.effective_error));
      return state;
    }
    BULWARK_ASSIGN_OR_RETURN(std::optional<metadata::Project> project,
                             identities_.get_project(*target.project));
    if (!project) return fail(ErrorCode::kNotFound, "no project " + *target.project);
    state.environment = project->environment;
    auto effective = policy::effective_policy_in(policies_, *target.project, project->environment);
    if (effective) {
      state.effective_source = effective->source;
    } else if (effective.error().code == ErrorCode::kCorrupt) {
      // The stored document does not parse: show which one and why rather than fail the read
      // (an operator needs this view to repair it).
      state.effective_error = effective.error().message;
    } else {
      return fail(std::move(effective.error()));
    }
    return state;
  };
  return finish(op, run());
}

AdminResult<std::vector<PolicyVersion>> PolicyService::history(const Actor& actor,
                                                               const PolicyTarget& target) {
  Op op{actor, "policy.list", target, "", std::nullopt, false};
  auto run = [&]() -> AdminResult<std::vector<PolicyVersion>> {
    if (auto allowed = check(actor, target, false); !allowed) {
      return tl::unexpected(std::move(allowed.error()));
    }
    return policies_.list_policy_versions(target.scope());
  };
  return finish(op, run());
}

AdminResult<PolicyVersion> PolicyService::version(const Actor& actor, const PolicyTarget& target,
                                                  int64_t number) {
  Op op{actor, "policy.get", target, "", std::nullopt, false};
  auto run = [&]() -> AdminResult<PolicyVersion> {
    if (auto allowed = check(actor, target, false); !allowed) {
      return tl::unexpected(std::move(allowed.error()));
    }
    BULWARK_ASSIGN_OR_RETURN(std::optional<PolicyVersion> found,
                             policies_.get_policy_version(target.scope(), number));
    if (!found) {
      return fail(ErrorCode::kNotFound, "no version " + std::to_string(number) + " of " +
                                            target.scope() + "'s policy");
    }
    return *found;
  };
  return finish(op, run());
}

AdminResult<PolicyVersion> PolicyService::append(const Actor& actor, const PolicyTarget& target,
                                                 PolicyVersion version) {
  if (version.comment.size() > kMaxPolicyComment) {
    return fail(ErrorCode::kInvalidArgument,
                "the comment exceeds " + std::to_string(kMaxPolicyComment) + " bytes");
  }
  version.scope = target.scope();
  version.author = actor.principal.name;
  return policies_.add_policy_version(version);
}

AdminResult<PolicyVersion> PolicyService::set(const Actor& actor, const PolicyTarget& target,
                                              std::string document, std::string comment) {
  Op op{actor, "policy.update", target, comment, std::nullopt};
  auto run = [&]() -> AdminResult<PolicyVersion> {
    // Authorisation first, so that a refused caller learns nothing about the document.
    if (auto allowed = check(actor, target, true); !allowed) {
      return tl::unexpected(std::move(allowed.error()));
    }
    BULWARK_TRY_VOID(validate_policy_document(document));
    PolicyVersion v;
    v.document = std::move(document);
    v.comment = comment;
    return append(actor, target, std::move(v));
  };
  return finish(op, run());
}

AdminResult<PolicyVersion> PolicyService::remove(const Actor& actor, const PolicyTarget& target,
                                                 std::string comment) {
  Op op{actor, "policy.delete", target, comment, std::nullopt};
  auto run = [&]() -> AdminResult<PolicyVersion> {
    if (auto allowed = check(actor, target, true); !allowed) {
      return tl::unexpected(std::move(allowed.error()));
    }
    PolicyVersion v;
    v.comment = comment;
    return append(actor, target, std::move(v));
  };
  return finish(op, run());
}

AdminResult<PolicyVersion> PolicyService::rollback(const Actor& actor, const PolicyTarget& target,
                                                   int64_t number, std::string comment) {
  Op op{actor, "policy.rollback", target, comment, number};
  auto run = [&]() -> AdminResult<PolicyVersion> {
    if (auto allowed = check(actor, target, true); !allowed) {
      return tl::unexpected(std::move(allowed.error()));
    }
    BULWARK_ASSIGN_OR_RETURN(std::optional<PolicyVersion> earlier,
                             policies_.get_policy_version(target.scope(), number));
    if (!earlier) {
      return fail(ErrorCode::kNotFound, "no version " + std::to_string(number) + " of " +
                                            target.scope() + "'s policy");
    }
    // A removal (empty document) may be restored; a document must still parse, or the restore
    // would install a policy nothing can apply.
    if (!earlier->document.empty()) {
      if (auto parsed = policy::parse_policy(earlier->document); !parsed) {
        return fail(ErrorCode::kInvalidArgument, "version " + std::to_string(number) +
                                                     " no longer parses: " +
                                                     parsed.error().message);
      }
    }
    PolicyVersion v;
    v.document = earlier->document;
    v.comment = comment;
    v.restored_from = number;
    return append(actor, target, std::move(v));
  };
  return finish(op, run());
}

json::object policy_version_json(const PolicyVersion& v) {
  json::object out{{"scope", v.scope},         {"version", v.version},
                   {"document", v.document},   {"author", v.author},
                   {"comment", v.comment},     {"created_at", v.created_at}};
  if (v.restored_from) out["restored_from"] = *v.restored_from;
  return out;
}

json::object policy_state_json(const PolicyState& state) {
  json::object out;
  if (state.current) {
    out = policy_version_json(*state.current);
  } else {
    out = json::object{{"scope", state.scope}, {"version", nullptr}, {"document", ""}};
  }
  json::object effective;
  if (!state.effective_source.empty()) effective["source"] = state.effective_source;
  if (state.environment) {
    effective["environment"] = std::string(metadata::environment_name(*state.environment));
  }
  if (!state.effective_error.empty()) effective["error"] = state.effective_error;
  out["effective"] = std::move(effective);
  return out;
}

}  // namespace bulwark::api
