// StoreBackend<Harness>: the parameter of the shared identity and audit store suites — a named
// factory of harnesses (one fresh backend instance each), printed by name in test listings.
// Test-only code.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

namespace bulwark::metadata {

template <class Harness>
struct StoreBackend {
  std::string name;
  std::function<std::unique_ptr<Harness>()> make;
};

template <class Harness>
void PrintTo(const StoreBackend<Harness>& backend, std::ostream* os) {
  *os << backend.name;
}

// The test-name suffix for INSTANTIATE_TEST_SUITE_P.
template <class Harness>
std::string store_backend_name(const testing::TestParamInfo<StoreBackend<Harness>>& info) {
  return info.param.name;
}

// A parameterised fixture owning one harness per test.
template <class Harness>
class StoreSuite : public testing::TestWithParam<StoreBackend<Harness>> {
 protected:
  void SetUp() override { harness_ = this->GetParam().make(); }
  Harness& harness() { return *harness_; }

 private:
  std::unique_ptr<Harness> harness_;
};

}  // namespace bulwark::metadata

// Asserts that a Result-returning expression succeeded, printing its error message otherwise.
#define ASSERT_OK(expr)                                        \
  do {                                                         \
    auto assert_ok_r_ = (expr);                                \
    ASSERT_TRUE(assert_ok_r_) << assert_ok_r_.error().message; \
  } while (0)
