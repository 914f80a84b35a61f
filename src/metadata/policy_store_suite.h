// The contract every PolicyStore backend must meet, as one parameterised gtest suite.
//
// A backend's test binary compiles policy_store_suite.cc and instantiates the suite:
//   INSTANTIATE_TEST_SUITE_P(Backends, PolicyStoreSuite,
//                            testing::Values(PolicyStoreBackend{"sqlite", make_harness}),
//                            store_backend_name<PolicyStoreHarness>);
// Test-only code; a harness is used by one test thread (the store itself by many).
#pragma once

#include "metadata/policy_store.h"
#include "metadata/store_backend.h"

namespace bulwark::metadata {

// One empty backend instance under test, plus a way to simulate a process restart.
class PolicyStoreHarness {
 public:
  virtual ~PolicyStoreHarness() = default;
  virtual PolicyStore& policies() = 0;
  // Replaces the store by a newly opened one over the same persistent database.
  virtual void reopen() = 0;
};

using PolicyStoreBackend = StoreBackend<PolicyStoreHarness>;

class PolicyStoreSuite : public StoreSuite<PolicyStoreHarness> {
 protected:
  PolicyStore& store() { return harness().policies(); }
};

}  // namespace bulwark::metadata
