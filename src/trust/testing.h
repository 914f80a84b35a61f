// Test support shared by the trust module's tests: reading files and the shared Sigstore vectors
// (../shared/data/sigstore, TRUST_SIGSTORE_DIR at build time). Tests only; header-only.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace bulwark::trust::testing {

// The whole file; a missing file fails the test (and reads as "").
inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The path of a shared vector, e.g. sigstore_path("keybased-openssl/cosign.pub").
inline std::string sigstore_path(std::string_view relative) {
  return std::string(TRUST_SIGSTORE_DIR) + "/" + std::string(relative);
}

// A file of the shared vectors.
inline std::string vector_file(std::string_view relative) {
  return read_file(sigstore_path(relative));
}

}  // namespace bulwark::trust::testing
