// Password hashing for local users and robot secrets: argon2id through libsodium, stored in the
// self-describing PHC string form ("$argon2id$v=19$m=...,t=...,p=1$salt$hash"), so parameters can
// be raised later and old hashes upgraded on the next successful login (needs_rehash).
//
// No function logs, returns or embeds a password in an error. All functions are thread-safe
// (libsodium is initialised once, on first use, under a function-local static).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace bulwark::auth {

// argon2id cost. The defaults are libsodium's OPSLIMIT/MEMLIMIT_INTERACTIVE (checked in
// password.cc); the values must lie within libsodium's crypto_pwhash_*_MIN..MAX bounds.
struct PasswordParams {
  uint64_t opslimit = 2;
  size_t memlimit = size_t{64} << 20;  // bytes
};

// Longest password accepted (bytes). Bounds the work one login request can cause.
inline constexpr size_t kMaxPasswordBytes = 4096;

// Hashes `password` with a fresh random salt. Fails with kInvalidArgument for an empty or too long
// password or out-of-bounds params, kUnavailable when the memory for the hash cannot be allocated.
Result<std::string> hash_password(std::string_view password, const PasswordParams& params = {});

// True when `candidate` is the password `stored` (a hash_password() result) was made from. Any
// malformed `stored`, or a candidate longer than kMaxPasswordBytes, yields false. libsodium
// compares in constant time.
bool verify_password(std::string_view stored, std::string_view candidate);

// True when `stored` was not made by argon2id with exactly `params` (including malformed input),
// i.e. the caller should re-hash the password it has just verified and store the new hash.
bool needs_rehash(std::string_view stored, const PasswordParams& params = {});

// A new random secret of `bytes` bytes of entropy as URL-safe base64 without padding (generated
// admin passwords, robot secrets). REQUIRES: 16 <= bytes <= 1024.
std::string generate_secret(size_t bytes = 32);

}  // namespace bulwark::auth
