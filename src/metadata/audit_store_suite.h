// The contract every AuditStore backend must meet, as one parameterised gtest suite.
//
// A backend's test binary compiles audit_store_suite.cc and instantiates the suite:
//   INSTANTIATE_TEST_SUITE_P(Backends, AuditStoreSuite,
//                            testing::Values(AuditStoreBackend{"sqlite", make_harness}),
//                            store_backend_name<AuditStoreHarness>);
// Test-only code; a harness is used by one test thread (the store itself by many).
#pragma once

#include "metadata/audit_store.h"
#include "metadata/store_backend.h"

namespace bulwark::metadata {

// One empty backend instance under test, plus a way to simulate a process restart.
class AuditStoreHarness {
 public:
  virtual ~AuditStoreHarness() = default;
  virtual AuditStore& audit() = 0;
  // Replaces audit() by a newly opened store over the same persistent database.
  virtual void reopen() = 0;
};

using AuditStoreBackend = StoreBackend<AuditStoreHarness>;

class AuditStoreSuite : public StoreSuite<AuditStoreHarness> {
 protected:
  AuditStore& store() { return harness().audit(); }
};

}  // namespace bulwark::metadata
