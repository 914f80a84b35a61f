// Reading rpm's SQLite rpmdb.sqlite from memory (declared in rpm_db.h).
//
// The file is copied into an SQLite-owned buffer and deserialized read-only into an in-memory
// connection: nothing touches the host file system. A database in WAL mode (rpm's default) cannot
// be deserialized as is, so the copy's header is switched to the legacy journal mode (bytes 18-19),
// which changes nothing for reading. A hostile file gets no help from SQLite's extras: defensive
// mode, no trusted schema, "Packages" must be a real table (not a view), and a progress handler
// caps the work one query may do.
#include <sqlite3.h>

#include <cstring>
#include <memory>

#include "scan/analyzers/rpm_db.h"

namespace bulwark::scan {
namespace {

// Virtual machine steps (in units of the progress handler's period) before a query is abandoned:
// far more than a real database of 100k packages needs.
constexpr int kProgressPeriod = 10000;
constexpr int kMaxProgressCalls = 100000;

struct Closer {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using Db = std::unique_ptr<sqlite3, Closer>;
using Stmt = std::unique_ptr<sqlite3_stmt, Closer>;

Result<Db> open_from_memory(std::string_view file) {
  if (file.size() < 100 || std::memcmp(file.data(), "SQLite format 3", 16) != 0) {
    return fail(ErrorCode::kCorrupt, "rpmdb: not an SQLite database");
  }
  sqlite3* raw = nullptr;
  if (sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    sqlite3_close(raw);
    return fail(ErrorCode::kUnavailable, "rpmdb: cannot open an in-memory SQLite database");
  }
  Db db(raw);
  sqlite3_db_config(raw, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(raw, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  auto* copy = static_cast<unsigned char*>(sqlite3_malloc64(file.size()));
  if (copy == nullptr) return fail(ErrorCode::kUnavailable, "rpmdb: out of memory");
  std::memcpy(copy, file.data(), file.size());
  if (copy[18] == 2) copy[18] = 1;  // WAL write version -> legacy
  if (copy[19] == 2) copy[19] = 1;  // WAL read version -> legacy
  // On failure sqlite3_deserialize frees the buffer itself (FREEONCLOSE).
  if (sqlite3_deserialize(raw, "main", copy, static_cast<sqlite3_int64>(file.size()),
                          static_cast<sqlite3_int64>(file.size()),
                          SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY) != SQLITE_OK) {
    return fail(ErrorCode::kCorrupt, "rpmdb: unreadable SQLite database");
  }
  return db;
}

Result<Stmt> prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return fail(ErrorCode::kCorrupt, std::string("rpmdb: ") + sqlite3_errmsg(db));
  }
  return Stmt(stmt);
}

}  // namespace

Result<void> read_rpm_sqlite(std::string_view file, const RpmBlobVisitor& visit) {
  BULWARK_ASSIGN_OR_RETURN(Db db, open_from_memory(file));
  int progress_calls = 0;
  sqlite3_progress_handler(
      db.get(), kProgressPeriod,
      [](void* counter) -> int { return ++*static_cast<int*>(counter) > kMaxProgressCalls ? 1 : 0; },
      &progress_calls);

  BULWARK_ASSIGN_OR_RETURN(
      Stmt kind, prepare(db.get(), "SELECT type FROM sqlite_schema WHERE name = 'Packages'"));
  int rc = sqlite3_step(kind.get());
  const unsigned char* type = rc == SQLITE_ROW ? sqlite3_column_text(kind.get(), 0) : nullptr;
  if (type == nullptr || std::string_view(reinterpret_cast<const char*>(type)) != "table") {
    return fail(ErrorCode::kCorrupt, "rpmdb: SQLite database has no Packages table");
  }
  BULWARK_ASSIGN_OR_RETURN(Stmt rows, prepare(db.get(), "SELECT blob FROM Packages ORDER BY hnum"));
  while ((rc = sqlite3_step(rows.get())) == SQLITE_ROW) {
    const void* data = sqlite3_column_blob(rows.get(), 0);
    int size = sqlite3_column_bytes(rows.get(), 0);
    if (data == nullptr || size <= 0) return fail(ErrorCode::kCorrupt, "rpmdb: empty package row");
    BULWARK_TRY_VOID(visit(std::string_view(static_cast<const char*>(data), static_cast<size_t>(size))));
  }
  if (rc != SQLITE_DONE) {
    return fail(ErrorCode::kCorrupt, std::string("rpmdb: reading Packages: ") + sqlite3_errmsg(db.get()));
  }
  return ok();
}

}  // namespace bulwark::scan
