#include "metadata/sqlite/migrations.h"

#include <array>
#include <string>

namespace bulwark::metadata::sqlite {
namespace {

constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE repositories (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);

-- Global content registry: every blob any repository holds (for GC and quotas).
CREATE TABLE blobs (
  digest TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE repository_blobs (
  repository_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
  digest TEXT NOT NULL REFERENCES blobs(digest),
  size INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (repository_id, digest)
);
CREATE INDEX repository_blobs_by_digest ON repository_blobs(digest);

CREATE TABLE manifests (
  repository_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
  digest TEXT NOT NULL,
  media_type TEXT NOT NULL,
  artifact_type TEXT NOT NULL,
  subject_digest TEXT,
  annotations TEXT NOT NULL,
  size INTEGER NOT NULL,
  content BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (repository_id, digest)
);
CREATE INDEX manifests_by_subject ON manifests(repository_id, subject_digest);

CREATE TABLE manifest_blobs (
  repository_id INTEGER NOT NULL,
  manifest_digest TEXT NOT NULL,
  blob_digest TEXT NOT NULL,
  PRIMARY KEY (repository_id, manifest_digest, blob_digest),
  FOREIGN KEY (repository_id, manifest_digest)
    REFERENCES manifests(repository_id, digest) ON DELETE CASCADE
);
CREATE INDEX manifest_blobs_by_blob ON manifest_blobs(repository_id, blob_digest);

CREATE TABLE manifest_manifests (
  repository_id INTEGER NOT NULL,
  manifest_digest TEXT NOT NULL,
  child_digest TEXT NOT NULL,
  PRIMARY KEY (repository_id, manifest_digest, child_digest),
  FOREIGN KEY (repository_id, manifest_digest)
    REFERENCES manifests(repository_id, digest) ON DELETE CASCADE
);
CREATE INDEX manifest_manifests_by_child ON manifest_manifests(repository_id, child_digest);

CREATE TABLE tags (
  repository_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  manifest_digest TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (repository_id, name),
  FOREIGN KEY (repository_id, manifest_digest)
    REFERENCES manifests(repository_id, digest) ON DELETE CASCADE
);
CREATE INDEX tags_by_manifest ON tags(repository_id, manifest_digest);

CREATE TABLE uploads (
  id TEXT PRIMARY KEY,
  repository TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX uploads_by_updated_at ON uploads(updated_at);
)sql";

constexpr std::array<Migration, 1> kMigrations = {{
    {1, kSchemaV1},
}};

Result<void> ensure_version_table(Db& db) {
  return db.exec(
      "CREATE TABLE IF NOT EXISTS schema_version ("
      "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
}

}  // namespace

std::span<const Migration> metadata_migrations() { return kMigrations; }

Result<int> schema_version(Db& db) {
  BULWARK_TRY_VOID(ensure_version_table(db));
  BULWARK_ASSIGN_OR_RETURN(Stmt query,
                           db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version"));
  BULWARK_ASSIGN_OR_RETURN(bool row, query.step());
  return row ? static_cast<int>(query.column_int(0)) : 0;
}

Result<int> apply_migrations(Db& db, std::span<const Migration> migrations) {
  int latest = migrations.empty() ? 0 : migrations.back().version;
  BULWARK_ASSIGN_OR_RETURN(int current, schema_version(db));
  if (current > latest) {
    return fail(ErrorCode::kUnsupported, "metadata schema version " + std::to_string(current) +
                                             " is newer than this binary supports (" +
                                             std::to_string(latest) + ")");
  }
  int applied = 0;
  for (const Migration& migration : migrations) {
    if (migration.version <= current) continue;
    BULWARK_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(db));
    // Re-read under the write lock: another process may have migrated meanwhile.
    BULWARK_ASSIGN_OR_RETURN(current, schema_version(db));
    if (migration.version <= current) continue;
    auto applied_sql = db.exec(std::string(migration.sql));
    if (!applied_sql) {
      return fail(applied_sql.error().code, "migration " + std::to_string(migration.version) +
                                                " failed: " + applied_sql.error().message);
    }
    BULWARK_ASSIGN_OR_RETURN(
        Stmt record, db.prepare("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)"));
    BULWARK_TRY_VOID(record.bind(int64_t{migration.version}).bind(unix_now()).run());
    BULWARK_TRY_VOID(tx.commit());
    current = migration.version;
    ++applied;
  }
  return applied;
}

}  // namespace bulwark::metadata::sqlite
