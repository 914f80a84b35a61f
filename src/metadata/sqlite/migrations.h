// Versioned schema migrations for the SQLite metadata database.
//
// A migration is (version, SQL). apply_migrations() runs, in ascending order and each in its own
// transaction, every migration newer than the highest version recorded in `schema_version`, and
// records it there, so reopening an existing database applies only what is new. A database
// written by a newer binary (unknown higher version) is refused rather than misread.
// Migration SQL sticks to INTEGER/TEXT/BLOB and standard constraints so the PostgreSQL backend's
// list can mirror it statement for statement.
//
// Thread-safety: functions use the given connection only (one thread at a time per Db).
#pragma once

#include <span>
#include <string_view>

#include "common/result.h"
#include "metadata/sqlite/sqlite.h"

namespace bulwark::metadata::sqlite {

struct Migration {
  int version;
  std::string_view sql;
};

// The metadata schema history, oldest first.
std::span<const Migration> metadata_migrations();

// Highest applied version; 0 for a database without migrations.
Result<int> schema_version(Db& db);

// Applies the pending migrations and returns how many were applied.
// REQUIRES: `migrations` sorted by strictly increasing version.
Result<int> apply_migrations(Db& db, std::span<const Migration> migrations);

}  // namespace bulwark::metadata::sqlite
