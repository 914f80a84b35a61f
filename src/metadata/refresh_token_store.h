// RefreshTokenStore: persistence for OAuth2 refresh tokens (the token endpoint's refresh_token
// grant; docker keeps them as "identity tokens" for weeks), so they survive restarts and are
// shared by every node on one database. Only a hash of each token is stored (the auth module
// hashes; this interface never sees a token).
//
// Thread-safety: all methods are thread-safe; calls block (disk I/O).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace bulwark::metadata {

struct RefreshTokenRecord {
  std::string hash;     // hex SHA-256 of the token; unique
  std::string subject;  // the user or robot it was issued to
  int64_t issued_at = 0;
  int64_t expires_at = 0;
};

class RefreshTokenStore {
 public:
  virtual ~RefreshTokenStore() = default;
  // Stores a new record (kAlreadyExists for a hash already stored).
  virtual Result<void> put_refresh_token(const RefreshTokenRecord& record) = 0;
  virtual Result<std::optional<RefreshTokenRecord>> get_refresh_token(std::string_view hash) = 0;
  // Deletes one record (no error when there is none).
  virtual Result<void> delete_refresh_token(std::string_view hash) = 0;
  // Deletes every record with expires_at <= now; returns how many.
  virtual Result<size_t> delete_expired_refresh_tokens(int64_t now) = 0;
};

}  // namespace bulwark::metadata
