// The contract every IdentityStore backend must meet, as one parameterised gtest suite.
//
// A backend's test binary compiles identity_store_suite.cc and instantiates the suite:
//   INSTANTIATE_TEST_SUITE_P(Backends, IdentityStoreSuite,
//                            testing::Values(IdentityStoreBackend{"sqlite", make_harness}),
//                            store_backend_name<IdentityStoreHarness>);
// Test-only code; a harness is used by one test thread (the store itself by many).
#pragma once

#include "metadata/identity_store.h"
#include "metadata/metadata_store.h"
#include "metadata/store_backend.h"

namespace bulwark::metadata {

// One empty backend instance under test, plus a way to simulate a process restart.
class IdentityStoreHarness {
 public:
  virtual ~IdentityStoreHarness() = default;
  virtual IdentityStore& identities() = 0;
  // The registry metadata of the same database (projects are tied to its repositories).
  virtual MetadataStore& metadata() = 0;
  // Replaces both stores by newly opened ones over the same persistent database.
  virtual void reopen() = 0;
};

using IdentityStoreBackend = StoreBackend<IdentityStoreHarness>;

class IdentityStoreSuite : public StoreSuite<IdentityStoreHarness> {
 protected:
  IdentityStore& store() { return harness().identities(); }
};

}  // namespace bulwark::metadata
