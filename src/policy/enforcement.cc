#include "policy/enforcement.h"

#include <boost/json/value.hpp>

#include "common/strict_json.h"

namespace bulwark::policy {
namespace {

namespace json = boost::json;

// The reasons and wait time a stored decision (decision_to_json) carries; a decision that cannot
// be read yields none, and the image stays as its outcome says.
void read_decision(const std::string& decision_json, ImageStatus& status) {
  auto parsed = parse_strict_json(decision_json);
  if (!parsed || !parsed->is_object()) return;
  const json::object& decision = parsed->get_object();
  if (const json::value* reasons = decision.if_contains("reasons"); reasons && reasons->is_array()) {
    for (const json::value& reason : reasons->get_array()) {
      if (reason.is_string()) status.reasons.emplace_back(reason.get_string());
    }
  }
  if (const json::value* wait = decision.if_contains("waitSeconds"); wait && wait->is_int64()) {
    status.wait_seconds = wait->get_int64();
  }
  if (const json::value* until = decision.if_contains("validUntil"); until && until->is_int64()) {
    status.valid_until = until->get_int64();
  }
}

}  // namespace

ImageStatus image_status(const std::optional<metadata::ImagePolicyRecord>& decision,
                         const std::optional<metadata::ManualQuarantine>& manual) {
  ImageStatus status;
  if (decision) {
    status.outcome = decision->outcome;
    status.policy = decision->policy;
    status.pending = decision->pending;
    read_decision(decision->decision_json, status);
    status.quarantined = decision->outcome == "block";
    if (status.quarantined && status.reasons.empty()) status.reasons.push_back("blocked by policy");
  } else {
    // Never evaluated (just pushed, or pushed before enforcement existed): not vouched for yet.
    status.quarantined = true;
    status.pending = true;
    status.reasons.push_back("policy evaluation pending");
  }
  if (manual) {
    // An operator's quarantine outranks whatever the policy says; its reason is the one given.
    status.quarantined = true;
    status.manual = true;
    status.wait_seconds.reset();
    status.reasons = {"quarantined by " + manual->actor + ": " + manual->reason};
  }
  return status;
}

std::string status_message(const ImageStatus& status, size_t max_reasons) {
  std::string out;
  if (!status.quarantined) {
    out = "image allowed";
  } else if (status.manual) {
    out = "image quarantined";
  } else if (status.pending) {
    out = "image not yet cleared by policy";
  } else {
    out = "image quarantined by policy";
  }
  if (!status.policy.empty() && !status.manual) out += " " + status.policy;
  size_t shown = 0;
  for (const std::string& reason : status.reasons) {
    if (shown == max_reasons) {
      out += "; and " + std::to_string(status.reasons.size() - shown) + " more";
      break;
    }
    out += shown == 0 ? ": " : "; ";
    out += reason;
    ++shown;
  }
  return out;
}

}  // namespace bulwark::policy
