// The contract every DeploymentStore backend must meet, as one parameterised gtest suite.
//
// A backend's test binary compiles deployment_store_suite.cc and instantiates the suite:
//   INSTANTIATE_TEST_SUITE_P(Backends, DeploymentStoreSuite,
//                            testing::Values(DeploymentStoreBackend{"sqlite", make_harness}),
//                            store_backend_name<DeploymentStoreHarness>);
// Test-only code; a harness is used by one test thread (the store itself by many).
#pragma once

#include "metadata/deployment_store.h"
#include "metadata/store_backend.h"

namespace bulwark::metadata {

// One empty backend instance under test, plus a way to simulate a process restart.
class DeploymentStoreHarness {
 public:
  virtual ~DeploymentStoreHarness() = default;
  virtual DeploymentStore& deployments() = 0;
  // Replaces deployments() by a newly opened store over the same persistent database.
  virtual void reopen() = 0;
};

using DeploymentStoreBackend = StoreBackend<DeploymentStoreHarness>;

class DeploymentStoreSuite : public StoreSuite<DeploymentStoreHarness> {
 protected:
  DeploymentStore& store() { return harness().deployments(); }
};

}  // namespace bulwark::metadata
