// SqliteMetadataStore: the RefreshTokenStore part (the `refresh_tokens` table of schema 6).
#include "metadata/sqlite/store_internal.h"

namespace bulwark::metadata {

Result<void> SqliteMetadataStore::put_refresh_token(const RefreshTokenRecord& record) {
  if (record.hash.empty() || record.subject.empty()) {
    return fail(ErrorCode::kInvalidArgument, "a refresh token needs a hash and a subject");
  }
  return with_writer([&](sqlite::Db& db) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt insert,
        db.prepare("INSERT INTO refresh_tokens (hash, subject, issued_at, expires_at) "
                   "VALUES (?, ?, ?, ?) ON CONFLICT(hash) DO NOTHING"));
    BULWARK_TRY_VOID(insert.bind(record.hash)
                         .bind(record.subject)
                         .bind(record.issued_at)
                         .bind(record.expires_at)
                         .run());
    if (db.changes() == 0) return fail(ErrorCode::kAlreadyExists, "refresh token already stored");
    return ok();
  });
}

Result<std::optional<RefreshTokenRecord>> SqliteMetadataStore::get_refresh_token(
    std::string_view hash) {
  return with_reader([&](sqlite::Db& db) -> Result<std::optional<RefreshTokenRecord>> {
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt query,
        db.prepare(
            "SELECT hash, subject, issued_at, expires_at FROM refresh_tokens WHERE hash = ?"));
    query.bind(hash);
    BULWARK_ASSIGN_OR_RETURN(bool row, query.step());
    if (!row) return std::optional<RefreshTokenRecord>();
    return std::optional<RefreshTokenRecord>(RefreshTokenRecord{
        query.column_text(0), query.column_text(1), query.column_int(2), query.column_int(3)});
  });
}

Result<void> SqliteMetadataStore::delete_refresh_token(std::string_view hash) {
  return with_writer([&](sqlite::Db& db) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(sqlite::Stmt remove,
                             db.prepare("DELETE FROM refresh_tokens WHERE hash = ?"));
    return remove.bind(hash).run();
  });
}

Result<size_t> SqliteMetadataStore::delete_expired_refresh_tokens(int64_t now) {
  return with_writer([&](sqlite::Db& db) -> Result<size_t> {
    BULWARK_ASSIGN_OR_RETURN(sqlite::Stmt remove,
                             db.prepare("DELETE FROM refresh_tokens WHERE expires_at <= ?"));
    BULWARK_TRY_VOID(remove.bind(now).run());
    return static_cast<size_t>(db.changes());
  });
}

}  // namespace bulwark::metadata
