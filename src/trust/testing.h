// Test support shared by the trust module's tests: reading files and the shared Sigstore vectors
// (../shared/data/sigstore, TRUST_SIGSTORE_DIR at build time), and their trusted roots. Tests
// only; header-only.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "trust/trusted_root.h"

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

// The trusted roots of the vectors: the mock services' and Sigstore's public-good one.
inline const TrustedRoot& mock_root() {
  static const TrustedRoot root =
      load_trusted_root(sigstore_path("keyless-mock/trusted_root.json")).value();
  return root;
}
inline const TrustedRoot& public_good() {
  static const TrustedRoot root =
      load_trusted_root(sigstore_path("public-good-trusted_root.json")).value();
  return root;
}

// Every bundle of the vectors; each carries a Rekor entry of the mock log.
inline constexpr const char* kBundlesWithTlogEntries[] = {
    "keyless-mock/blob/artifact.txt.sigstore.json",
    "keyless-mock/image-sig-legacy/payload.sigstore.json",
    "keyless-mock/image-sig-bundle/bundle.sigstore.json",
    "keyless-mock/image-att-cyclonedx/bundle.sigstore.json",
    "keyless-mock/image-att-cyclonedx/bundle-intoto-entry.sigstore.json",
    "keybased-openssl/bundle-messagesig/payload.sigstore.json",
    "keybased-openssl/bundle-dsse/statement.sigstore.json",
};

}  // namespace bulwark::trust::testing
