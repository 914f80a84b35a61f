#include "auth/totp.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cassert>

#include "common/encoding.h"
#include "auth/sodium_init.h"
#include "common/digest.h"

namespace bulwark::auth {
namespace {

struct AlgorithmInfo {
  TotpAlgorithm algorithm;
  std::string_view uri_name;  // the otpauth `algorithm` parameter
  const EVP_MD* (*md)();
  size_t key_bytes;  // HMAC output size, also the generated secret's size
};
constexpr std::array<AlgorithmInfo, 3> kAlgorithms = {{
    {TotpAlgorithm::kSha1, "SHA1", EVP_sha1, 20},
    {TotpAlgorithm::kSha256, "SHA256", EVP_sha256, 32},
    {TotpAlgorithm::kSha512, "SHA512", EVP_sha512, 64},
}};

const AlgorithmInfo* find_algorithm(TotpAlgorithm a) {
  auto it = std::find_if(kAlgorithms.begin(), kAlgorithms.end(),
                         [&](const AlgorithmInfo& info) { return info.algorithm == a; });
  return it == kAlgorithms.end() ? nullptr : &*it;
}

constexpr std::array<uint32_t, 9> kPowersOfTen = {1,      10,      100,      1000,     10000,
                                                  100000, 1000000, 10000000, 100000000};

// RFC 4226 §5.3: HMAC of the big-endian counter, dynamically truncated to `digits` digits.
std::string hotp(std::string_view secret, uint64_t counter, const TotpParams& params) {
  std::array<unsigned char, 8> message{};
  for (int i = 7; i >= 0; --i, counter >>= 8) message[i] = static_cast<unsigned char>(counter);
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_len = 0;
  HMAC(find_algorithm(params.algorithm)->md(), secret.data(), static_cast<int>(secret.size()),
       message.data(), message.size(), mac.data(), &mac_len);
  size_t offset = mac[mac_len - 1] & 0x0f;
  uint32_t binary = (uint32_t{mac[offset]} & 0x7f) << 24 | uint32_t{mac[offset + 1]} << 16 |
                    uint32_t{mac[offset + 2]} << 8 | uint32_t{mac[offset + 3]};
  std::string code = std::to_string(binary % kPowersOfTen[params.digits]);
  return std::string(static_cast<size_t>(params.digits) - code.size(), '0') + code;
}

// Percent-encodes all but RFC 3986 unreserved characters.
std::string percent_encode(std::string_view text) {
  constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    }
  }
  return out;
}

}  // namespace

bool totp_params_valid(const TotpParams& params) {
  return find_algorithm(params.algorithm) != nullptr && params.digits >= 6 && params.digits <= 8 &&
         params.period > 0;
}

std::string generate_totp_secret(const TotpParams& params) {
  ensure_sodium();
  const AlgorithmInfo* info = find_algorithm(params.algorithm);
  std::string secret(info ? info->key_bytes : 20, '\0');
  randombytes_buf(secret.data(), secret.size());
  return secret;
}

std::string totp_code(std::string_view secret, int64_t unix_time, const TotpParams& params) {
  assert(totp_params_valid(params) && unix_time >= 0);
  return hotp(secret, static_cast<uint64_t>(unix_time / params.period), params);
}

std::optional<int64_t> totp_verify(std::string_view secret, std::string_view code, int64_t now,
                                   int window, const TotpParams& params, int64_t last_used_step) {
  if (!totp_params_valid(params) || now < 0 || code.size() != static_cast<size_t>(params.digits) ||
      !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  window = std::clamp(window, 0, 10);
  int64_t current = now / params.period;
  std::optional<int64_t> matched;
  // Every candidate step is computed and compared, so timing does not reveal which one matched.
  for (int64_t step = current - window; step <= current + window; ++step) {
    if (step < 0) continue;
    bool equal = constant_time_equal(hotp(secret, static_cast<uint64_t>(step), params), code);
    if (equal && step > last_used_step && !matched) matched = step;
  }
  return matched;
}

std::string otpauth_uri(std::string_view issuer, std::string_view account, std::string_view secret,
                        const TotpParams& params) {
  assert(totp_params_valid(params));
  std::string enc_issuer = percent_encode(issuer);
  return "otpauth://totp/" + enc_issuer + ":" + percent_encode(account) +
         "?secret=" + base32_encode(secret) + "&issuer=" + enc_issuer +
         "&algorithm=" + std::string(find_algorithm(params.algorithm)->uri_name) +
         "&digits=" + std::to_string(params.digits) + "&period=" + std::to_string(params.period);
}

}  // namespace bulwark::auth
