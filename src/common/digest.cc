#include "common/digest.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace bulwark {
namespace {

struct AlgorithmInfo {
  DigestAlgorithm algorithm;
  std::string_view name;
  size_t hex_length;
  const EVP_MD* (*md)();
};

constexpr std::array<AlgorithmInfo, 2> kAlgorithms = {{
    {DigestAlgorithm::kSha256, "sha256", 64, &EVP_sha256},
    {DigestAlgorithm::kSha512, "sha512", 128, &EVP_sha512},
}};

const AlgorithmInfo& info(DigestAlgorithm algorithm) {
  for (const auto& a : kAlgorithms) {
    if (a.algorithm == algorithm) return a;
  }
  return kAlgorithms[0];
}

bool is_lower_hex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::string_view algorithm_name(DigestAlgorithm algorithm) { return info(algorithm).name; }
size_t algorithm_hex_length(DigestAlgorithm algorithm) { return info(algorithm).hex_length; }

Result<Digest> Digest::parse(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    return fail(ErrorCode::kInvalidArgument, "digest must have the form algorithm:hex");
  }
  std::string_view name = text.substr(0, colon);
  std::string_view hex = text.substr(colon + 1);
  for (const auto& a : kAlgorithms) {
    if (a.name != name) continue;
    if (hex.size() != a.hex_length || !is_lower_hex(hex)) {
      return fail(ErrorCode::kInvalidArgument,
                  std::string(name) + " digest must be " + std::to_string(a.hex_length) +
                      " lowercase hex characters");
    }
    return Digest(a.algorithm, std::string(hex));
  }
  return fail(ErrorCode::kUnsupported, "unsupported digest algorithm (use sha256 or sha512)");
}

Digest Digest::of(std::string_view bytes, DigestAlgorithm algorithm) {
  Hasher h(algorithm);
  h.update(bytes);
  return h.finish();
}

std::string Digest::str() const {
  std::string out(algorithm_name(algorithm_));
  out += ':';
  out += hex_;
  return out;
}

struct Hasher::Ctx {
  EVP_MD_CTX* md = nullptr;
  ~Ctx() { EVP_MD_CTX_free(md); }
};

Hasher::Hasher(DigestAlgorithm algorithm) : algorithm_(algorithm), ctx_(std::make_unique<Ctx>()) {
  ctx_->md = EVP_MD_CTX_new();
  if (ctx_->md == nullptr || EVP_DigestInit_ex(ctx_->md, info(algorithm).md(), nullptr) != 1) {
    throw std::bad_alloc();
  }
}
Hasher::~Hasher() = default;
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;

void Hasher::update(std::span<const char> bytes) {
  EVP_DigestUpdate(ctx_->md, bytes.data(), bytes.size());
  size_ += bytes.size();
}

Hasher Hasher::snapshot() const {
  Hasher copy(algorithm_);
  EVP_MD_CTX_copy_ex(copy.ctx_->md, ctx_->md);
  copy.size_ = size_;
  return copy;
}

Digest Hasher::finish() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_->md, out.data(), &len);
  return Digest::parse(std::string(algorithm_name(algorithm_)) + ":" +
                       to_hex(std::span<const unsigned char>(out.data(), len)))
      .value();
}

std::string to_hex(std::span<const unsigned char> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.resize(bytes.size() * 2);
  for (size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 0xf];
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace bulwark
