// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP) for the second factor of
// interactive logins, compatible with authenticator apps (otpauth:// key URIs). Secrets are raw
// bytes here; show them to people with base32_encode() (auth/encoding.h).
//
// Pure functions apart from generate_totp_secret() (CSPRNG); all thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bulwark::auth {

enum class TotpAlgorithm { kSha1, kSha256, kSha512 };

struct TotpParams {
  TotpAlgorithm algorithm = TotpAlgorithm::kSha1;  // what authenticator apps assume by default
  int digits = 6;                                  // 6..8
  int period = 30;                                 // seconds per time step, > 0
};

// True when `params` lie within the ranges above (check configuration with it once).
bool totp_params_valid(const TotpParams& params);

// A new random secret as long as the algorithm's HMAC output (20, 32 or 64 bytes; RFC 4226 §4
// asks for at least 16).
std::string generate_totp_secret(const TotpParams& params = {});

// The code for `unix_time` (zero-padded to `digits`).
// REQUIRES: totp_params_valid(params), unix_time >= 0.
std::string totp_code(std::string_view secret, int64_t unix_time, const TotpParams& params = {});

// Checks `code` against the time steps within `window` steps of `now` (clamped to 0..10),
// comparing in constant time. Returns the matched time step, which the caller stores and passes
// back as `last_used_step` next time: a code for that step or an earlier one is then refused, so
// an observed code cannot be replayed. nullopt for a wrong, malformed or replayed code, a
// negative `now` or invalid params.
std::optional<int64_t> totp_verify(std::string_view secret, std::string_view code, int64_t now,
                                   int window = 1, const TotpParams& params = {},
                                   int64_t last_used_step = -1);

// Key URI for enrolment as a QR code (Google Authenticator "Key Uri Format"):
// otpauth://totp/<issuer>:<account>?secret=<BASE32>&issuer=<issuer>&algorithm=SHA1&digits=6&period=30
// with issuer and account percent-encoded. REQUIRES: totp_params_valid(params).
std::string otpauth_uri(std::string_view issuer, std::string_view account, std::string_view secret,
                        const TotpParams& params = {});

}  // namespace bulwark::auth
