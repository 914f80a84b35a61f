// The contract every MetadataStore backend must meet, as one parameterised gtest suite.
//
// A backend's test binary compiles metadata_store_suite.cc and instantiates the suite:
//   INSTANTIATE_TEST_SUITE_P(Sqlite, MetadataStoreSuite,
//                            testing::Values(MetadataStoreBackend{"sqlite", make_harness}),
//                            metadata_store_backend_name);
// Test-only code; a harness is used by one test thread (the store itself by many).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "metadata/metadata_store.h"

namespace bulwark::metadata {

// One empty backend instance under test, plus a way to simulate a process restart.
class MetadataStoreHarness {
 public:
  virtual ~MetadataStoreHarness() = default;
  virtual MetadataStore& store() = 0;
  // Replaces store() by a newly opened store over the same persistent database.
  virtual void reopen() = 0;
};

struct MetadataStoreBackend {
  std::string name;
  std::function<std::unique_ptr<MetadataStoreHarness>()> make;
};

std::string metadata_store_backend_name(const testing::TestParamInfo<MetadataStoreBackend>& info);
// Shows the backend's name (not its bytes) in test listings.
inline void PrintTo(const MetadataStoreBackend& backend, std::ostream* os) { *os << backend.name; }

class MetadataStoreSuite : public testing::TestWithParam<MetadataStoreBackend> {
 protected:
  void SetUp() override { harness_ = GetParam().make(); }
  MetadataStore& store() { return harness_->store(); }
  void reopen() { harness_->reopen(); }

 private:
  std::unique_ptr<MetadataStoreHarness> harness_;
};

}  // namespace bulwark::metadata
