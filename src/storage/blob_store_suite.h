// The contract every BlobStore backend must meet, as one parameterised gtest suite.
//
// A backend's test binary compiles blob_store_suite.cc and instantiates the suite with a factory:
//   INSTANTIATE_TEST_SUITE_P(Fs, BlobStoreSuite,
//                            testing::Values(BlobStoreBackend{"fs", make_fs_harness}),
//                            blob_store_backend_name);
// Test-only code; a harness is used by one test thread.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "storage/blob_store.h"

namespace bulwark::storage {

// One backend instance under test, plus a way to simulate a process restart.
class BlobStoreHarness {
 public:
  virtual ~BlobStoreHarness() = default;
  virtual BlobStore& store() = 0;
  // Replaces store() by a new store object over the same persistent contents; all in-memory
  // state of the old object (e.g. saved hash states) is lost.
  virtual void restart() = 0;
};

struct BlobStoreBackend {
  std::string name;
  std::function<std::unique_ptr<BlobStoreHarness>()> make;
};

std::string blob_store_backend_name(const testing::TestParamInfo<BlobStoreBackend>& info);
// Shows the backend's name (not its bytes) in test listings.
inline void PrintTo(const BlobStoreBackend& backend, std::ostream* os) { *os << backend.name; }

class BlobStoreSuite : public testing::TestWithParam<BlobStoreBackend> {
 protected:
  void SetUp() override { harness_ = GetParam().make(); }
  BlobStore& store() { return harness_->store(); }
  void restart() { harness_->restart(); }

 private:
  std::unique_ptr<BlobStoreHarness> harness_;
};

}  // namespace bulwark::storage
