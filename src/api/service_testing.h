// Test helpers shared by the API service suites (AdminService, PolicyService): an Actor for a
// user, and an audit recorder that keeps the events a service reports. Test-only.
#pragma once

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "api/admin_service.h"
#include "audit/event.h"

namespace bulwark::api::testing {

// A signed-in user calling from a documentation address (192.0.2.1).
inline Actor user_actor(const std::string& name, bool admin = false) {
  Actor a;
  a.principal.type = auth::PrincipalType::kUser;
  a.principal.name = name;
  a.principal.is_admin = admin;
  a.client_address = "192.0.2.1";
  return a;
}

// Keeps every event a service records. Thread-safe.
class EventLog {
 public:
  AuditRecorder recorder() {
    return [this](audit::Event e) -> Result<void> {
      std::lock_guard lock(mu_);
      events_.push_back(std::move(e));
      return ok();
    };
  }
  std::vector<audit::Event> events() {
    std::lock_guard lock(mu_);
    return events_;
  }
  // The newest event, or an empty one when none was recorded.
  audit::Event last() {
    std::lock_guard lock(mu_);
    return events_.empty() ? audit::Event{} : events_.back();
  }

 private:
  std::mutex mu_;
  std::vector<audit::Event> events_;  // guarded by mu_
};

}  // namespace bulwark::api::testing
