// SqliteMetadataStore: the SettingsStore part (the `settings` table of schema version 5).
#include <string>

#include "common/clock.h"
#include "metadata/sqlite/store_internal.h"

namespace bulwark::metadata {

Result<std::map<std::string, StoredSetting>> SqliteMetadataStore::get_settings() {
  return with_reader([&](sqlite::Db& db) -> Result<std::map<std::string, StoredSetting>> {
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt query,
        db.prepare("SELECT key, value, updated_at, updated_by FROM settings ORDER BY key"));
    std::map<std::string, StoredSetting> out;
    for (;;) {
      BULWARK_ASSIGN_OR_RETURN(bool row, query.step());
      if (!row) return out;
      out[query.column_text(0)] =
          StoredSetting{query.column_text(1), query.column_int(2), query.column_text(3)};
    }
  });
}

Result<void> SqliteMetadataStore::put_settings(const std::map<std::string, std::string>& values,
                                               std::string_view actor) {
  if (values.empty()) return fail(ErrorCode::kInvalidArgument, "no settings to store");
  for (const auto& [key, value] : values) {
    if (key.empty()) return fail(ErrorCode::kInvalidArgument, "empty setting key");
  }
  const int64_t now = unix_seconds();
  return with_identity_writer([&](sqlite::Db& db) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt put,
        db.prepare("INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?) "
                   "ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
                   "updated_at = excluded.updated_at, updated_by = excluded.updated_by"));
    for (const auto& [key, value] : values) {
      BULWARK_TRY_VOID(put.bind(key).bind(value).bind(now).bind(actor).run());
      put.reset();
    }
    return ok();
  });
}

}  // namespace bulwark::metadata
