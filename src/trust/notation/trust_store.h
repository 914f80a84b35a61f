// A Notation trust store: named sets of X.509 certificates laid out as `notation` keeps them,
// <root>/x509/<type>/<name>/<file>.{crt,cer,pem}, where <type> is ca, signingAuthority or tsa.
// Each file holds one or more certificates (PEM, or a single DER certificate); every certificate
// must be a CA certificate or self-signed, sub-directories and symlinks are refused, and a store
// with no certificate is an error, as notation-go does. A trust policy names stores as
// "<type>:<name>".
//
// A TrustStore reads its directory on each lookup (so edits are seen without a restart) or serves
// certificates added in memory; it has no mutable state after construction, so const methods are
// thread-safe.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "trust/x509.h"

namespace bulwark::trust::notation {

enum class StoreType { kCa, kSigningAuthority, kTsa };
// "ca", "signingAuthority", "tsa".
std::string_view store_type_name(StoreType type);
std::optional<StoreType> parse_store_type(std::string_view name);
// A store name: [A-Za-z0-9_.-]+ (it is a directory name).
bool valid_store_name(std::string_view name);

class TrustStore {
 public:
  // A store backed by the directory `root` (the one containing x509/).
  static TrustStore directory(std::filesystem::path root);
  // An in-memory store (tests, callers that hold certificates already).
  static TrustStore in_memory(
      std::map<std::pair<StoreType, std::string>, std::vector<Certificate>> stores);

  // The certificates of store <type>:<name>. kNotFound when it does not exist, kInvalidArgument
  // for a bad file or a certificate that is neither a CA nor self-signed.
  Result<std::vector<Certificate>> certificates(StoreType type, std::string_view name) const;

 private:
  std::optional<std::filesystem::path> root_;
  std::map<std::pair<StoreType, std::string>, std::vector<Certificate>> memory_;
};

}  // namespace bulwark::trust::notation
