// Content digests ("sha256:<64 hex>", "sha512:<128 hex>") and streaming hashing (OpenSSL EVP).
//
// Digest is an immutable value type; Hasher is a single-owner streaming object (not thread-safe;
// copyable via snapshot() so an interrupted upload can resume hashing from a saved state).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"

namespace bulwark {

enum class DigestAlgorithm { kSha256, kSha512 };

// "sha256" / "sha512".
std::string_view algorithm_name(DigestAlgorithm algorithm);
// Length of the hex encoding for the algorithm (64 / 128).
size_t algorithm_hex_length(DigestAlgorithm algorithm);

class Digest {
 public:
  // Parses "algorithm:hex". Accepts only sha256 and sha512 with lowercase hex of exact length,
  // as the OCI image spec requires for registered algorithms.
  static Result<Digest> parse(std::string_view text);
  // Digest of an in-memory byte string.
  static Digest of(std::string_view bytes, DigestAlgorithm algorithm = DigestAlgorithm::kSha256);

  Digest() = default;
  DigestAlgorithm algorithm() const { return algorithm_; }
  const std::string& hex() const { return hex_; }
  std::string str() const;  // "sha256:..."
  bool empty() const { return hex_.empty(); }

  friend bool operator==(const Digest&, const Digest&) = default;
  friend auto operator<=>(const Digest& a, const Digest& b) { return a.str() <=> b.str(); }

 private:
  Digest(DigestAlgorithm algorithm, std::string hex) : algorithm_(algorithm), hex_(std::move(hex)) {}
  DigestAlgorithm algorithm_ = DigestAlgorithm::kSha256;
  std::string hex_;
};

// Streaming hash. Feed bytes with update(), read the digest with finish() (once).
class Hasher {
 public:
  explicit Hasher(DigestAlgorithm algorithm = DigestAlgorithm::kSha256);
  ~Hasher();
  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  void update(std::span<const char> bytes);
  void update(std::string_view bytes) { update(std::span<const char>(bytes.data(), bytes.size())); }
  // Independent copy of the current state (for resumable uploads).
  Hasher snapshot() const;
  // Bytes fed so far.
  uint64_t size() const { return size_; }
  DigestAlgorithm algorithm() const { return algorithm_; }
  // Finalises and returns the digest. REQUIRES: called at most once.
  Digest finish();

 private:
  struct Ctx;
  DigestAlgorithm algorithm_;
  std::unique_ptr<Ctx> ctx_;
  uint64_t size_ = 0;
};

// Lowercase hex of arbitrary bytes.
std::string to_hex(std::span<const unsigned char> bytes);

// Compares two secrets in time independent of where they differ (lengths may leak).
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace bulwark
