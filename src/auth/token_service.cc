#include "auth/token_service.h"

#include <sys/stat.h>

#include <algorithm>
#include <ctime>
#include <system_error>

#include "auth/password.h"
#include "common/clock.h"
#include "common/digest.h"
#include "common/random.h"

namespace bulwark::auth {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

std::optional<int64_t> integer_claim(const json::object& claims, std::string_view name) {
  const json::value* v = claims.if_contains(name);
  if (v == nullptr) return std::nullopt;
  std::error_code ec;
  auto n = v->to_number<int64_t>(ec);
  if (ec) return std::nullopt;
  return n;
}

const json::string* string_claim(const json::object& claims, std::string_view name) {
  const json::value* v = claims.if_contains(name);
  return v == nullptr ? nullptr : v->if_string();
}

std::string refresh_hash(std::string_view token) { return Digest::of(token).hex(); }

tl::unexpected<Error> bad_refresh() {
  return fail(ErrorCode::kInvalidArgument, "refresh token is invalid or expired");
}

}  // namespace

std::string IssuedToken::issued_at_rfc3339() const { return rfc3339_utc(issued_at); }

Result<SigningKey> TokenService::load_or_create_key(const fs::path& key_file) {
  std::error_code ec;
  fs::file_status status = fs::status(key_file, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) {
    return fail(ErrorCode::kIo, "cannot stat the token signing key: " + ec.message());
  }
  if (!fs::exists(status)) {
    BULWARK_ASSIGN_OR_RETURN(SigningKey key, SigningKey::generate());
    BULWARK_TRY_VOID(key.save(key_file));
    return key;
  }
  constexpr fs::perms kOthers = fs::perms::group_all | fs::perms::others_all;
  if ((status.permissions() & kOthers) != fs::perms::none) {
    return fail(ErrorCode::kConflict, "token signing key " + key_file.string() +
                                          " is accessible to group or others; chmod 600 it");
  }
  return SigningKey::load(key_file);
}

Result<std::unique_ptr<TokenService>> TokenService::open(const fs::path& key_file,
                                                         TokenServiceOptions options,
                                                         RevocationCheck still_valid) {
  BULWARK_ASSIGN_OR_RETURN(SigningKey key, load_or_create_key(key_file));
  return std::make_unique<TokenService>(std::move(key), std::move(options), std::move(still_valid));
}

TokenService::TokenService(SigningKey key, TokenServiceOptions options, RevocationCheck still_valid)
    : key_(std::move(key)),
      keys_{{key_.key_id(), key_.public_key()}},
      options_(std::move(options)),
      still_valid_(std::move(still_valid)) {}

Result<IssuedToken> TokenService::issue(const Principal& principal, std::span<const Scope> granted,
                                        int64_t now, std::optional<int64_t> lifetime) const {
  const int64_t seconds = lifetime                         ? *lifetime
                          : options_.token_lifetime_source ? options_.token_lifetime_source()
                                                           : options_.token_lifetime;
  json::object claims{
      {"iss", options_.issuer},
      {"sub", principal.name},
      {"aud", options_.service},
      {"exp", now + seconds},
      {"nbf", now},
      {"iat", now},
      {"jti", random_hex(16)},
      {"access", to_access_claim(granted)},
  };
  BULWARK_ASSIGN_OR_RETURN(std::string token, key_.sign(claims));
  return IssuedToken{std::move(token), seconds, now};
}

Result<TokenClaims> TokenService::verify(std::string_view token, int64_t now) const {
  TokenExpectations expect{options_.issuer, options_.service, now, options_.leeway};
  BULWARK_ASSIGN_OR_RETURN(json::object claims, verify_jwt(token, keys_, expect));
  const json::string* sub = string_claim(claims, "sub");
  const json::string* jti = string_claim(claims, "jti");
  std::optional<int64_t> iat = integer_claim(claims, "iat");
  std::optional<int64_t> exp = integer_claim(claims, "exp");
  if (sub == nullptr || jti == nullptr || !iat || !exp) {
    return fail(ErrorCode::kInvalidArgument, "token lacks sub, jti, iat or exp");
  }
  const json::value* access = claims.if_contains("access");
  BULWARK_ASSIGN_OR_RETURN(std::vector<Scope> scopes,
                           from_access_claim(access ? *access : json::value()));
  if (!still_valid_(*sub, *iat, now)) return fail(ErrorCode::kInvalidArgument, "token was revoked");
  return TokenClaims{std::string(*sub), std::move(scopes), std::string(*jti), *iat, *exp};
}

Result<std::string> TokenService::issue_refresh(const Principal& principal, int64_t now) {
  if (principal.type == PrincipalType::kAnonymous) {
    return fail(ErrorCode::kInvalidArgument, "anonymous clients get no refresh token");
  }
  std::string token = generate_secret(32);
  const int64_t lifetime = options_.refresh_lifetime_source ? options_.refresh_lifetime_source()
                                                            : options_.refresh_lifetime;
  BULWARK_TRY_VOID(remember_refresh(
      RefreshEntry{refresh_hash(token), principal.name, now, now + lifetime}, now));
  return token;
}

Result<RefreshGrant> TokenService::redeem_refresh(std::string_view refresh_token, int64_t now) {
  std::string hash = refresh_hash(refresh_token);
  BULWARK_ASSIGN_OR_RETURN(std::optional<RefreshEntry> entry, find_refresh(hash));
  // The lookup compares hashes of a 256-bit random secret (its timing reveals nothing useful);
  // the explicit check keeps the comparison constant-time all the same.
  if (!entry || !constant_time_equal(entry->hash, hash)) return bad_refresh();
  if (now >= entry->expires_at || !still_valid_(entry->subject, entry->issued_at, now)) {
    forget_refresh(hash);
    return bad_refresh();
  }
  return RefreshGrant{entry->subject, entry->issued_at};
}

Result<void> TokenService::remember_refresh(const RefreshEntry& entry, int64_t now) {
  if (metadata::RefreshTokenStore* store = options_.refresh_store) {
    int64_t due = next_store_sweep_.load();
    if (now >= due && next_store_sweep_.compare_exchange_strong(due, now + 60)) {
      (void)store->delete_expired_refresh_tokens(now);  // housekeeping; a failure is harmless
    }
    auto stored = store->put_refresh_token(entry);
    if (!stored) return fail(ErrorCode::kUnavailable, "cannot store the refresh token");
    return ok();
  }
  std::lock_guard lock(refresh_mu_);
  make_room(now);
  refresh_.insert_or_assign(entry.hash, entry);
  return ok();
}

Result<std::optional<TokenService::RefreshEntry>> TokenService::find_refresh(
    const std::string& hash) {
  if (metadata::RefreshTokenStore* store = options_.refresh_store) {
    auto found = store->get_refresh_token(hash);
    if (!found) return fail(ErrorCode::kUnavailable, "cannot read refresh tokens");
    return std::move(*found);
  }
  std::lock_guard lock(refresh_mu_);
  auto it = refresh_.find(hash);
  if (it == refresh_.end()) return std::optional<RefreshEntry>();
  return std::optional<RefreshEntry>(it->second);
}

void TokenService::forget_refresh(const std::string& hash) {
  if (metadata::RefreshTokenStore* store = options_.refresh_store) {
    (void)store->delete_refresh_token(hash);  // an undeleted row is refused again next time
    return;
  }
  std::lock_guard lock(refresh_mu_);
  refresh_.erase(hash);
}

void TokenService::make_room(int64_t now) {
  std::erase_if(refresh_, [&](const auto& entry) { return now >= entry.second.expires_at; });
  while (!refresh_.empty() && refresh_.size() >= options_.max_refresh_tokens) {
    auto soonest = std::min_element(
        refresh_.begin(), refresh_.end(),
        [](const auto& a, const auto& b) { return a.second.expires_at < b.second.expires_at; });
    refresh_.erase(soonest);
  }
}

}  // namespace bulwark::auth
