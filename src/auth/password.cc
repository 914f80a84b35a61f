#include "auth/password.h"

#include <sodium.h>

#include <array>
#include <cassert>
#include <vector>

#include "common/encoding.h"
#include "auth/sodium_init.h"

namespace bulwark::auth {
namespace {

static_assert(PasswordParams{}.opslimit == crypto_pwhash_OPSLIMIT_INTERACTIVE);
static_assert(PasswordParams{}.memlimit == crypto_pwhash_MEMLIMIT_INTERACTIVE);

bool params_in_bounds(const PasswordParams& p) {
  return p.opslimit >= crypto_pwhash_OPSLIMIT_MIN && p.opslimit <= crypto_pwhash_OPSLIMIT_MAX &&
         p.memlimit >= crypto_pwhash_MEMLIMIT_MIN && p.memlimit <= crypto_pwhash_MEMLIMIT_MAX;
}

// libsodium reads the stored hash as a NUL-terminated string: copy it into a bounded buffer.
// Returns false when it cannot be a hash string at all (too long or containing a NUL).
bool to_c_string(std::string_view stored, std::array<char, crypto_pwhash_STRBYTES>& out) {
  if (stored.size() >= out.size() || stored.find('\0') != std::string_view::npos) return false;
  out.fill('\0');
  stored.copy(out.data(), stored.size());
  return true;
}

}  // namespace

Result<std::string> hash_password(std::string_view password, const PasswordParams& params) {
  ensure_sodium();
  if (password.empty()) return fail(ErrorCode::kInvalidArgument, "password is empty");
  if (password.size() > kMaxPasswordBytes) {
    return fail(ErrorCode::kInvalidArgument, "password is longer than 4096 bytes");
  }
  if (!params_in_bounds(params)) {
    return fail(ErrorCode::kInvalidArgument, "argon2id parameters out of bounds");
  }
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), params.opslimit,
                            params.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return fail(ErrorCode::kUnavailable, "not enough memory to hash the password");
  }
  return std::string(out.data());
}

bool verify_password(std::string_view stored, std::string_view candidate) {
  ensure_sodium();
  std::array<char, crypto_pwhash_STRBYTES> c_stored{};
  if (candidate.size() > kMaxPasswordBytes || !to_c_string(stored, c_stored)) return false;
  // Only argon2id hashes are ours; crypto_pwhash_str_verify would also accept argon2i.
  if (!stored.starts_with(crypto_pwhash_argon2id_STRPREFIX)) return false;
  return crypto_pwhash_str_verify(c_stored.data(), candidate.data(), candidate.size()) == 0;
}

bool needs_rehash(std::string_view stored, const PasswordParams& params) {
  ensure_sodium();
  std::array<char, crypto_pwhash_STRBYTES> c_stored{};
  if (!to_c_string(stored, c_stored)) return true;
  // 0: argon2id with these params; 1: other params; -1: not an argon2id hash string.
  return crypto_pwhash_argon2id_str_needs_rehash(c_stored.data(), params.opslimit,
                                                 params.memlimit) != 0;
}

std::string generate_secret(size_t bytes) {
  assert(bytes >= 16 && bytes <= 1024);
  ensure_sodium();
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::string secret = base64url_encode(raw);
  sodium_memzero(raw.data(), raw.size());
  return secret;
}

}  // namespace bulwark::auth
