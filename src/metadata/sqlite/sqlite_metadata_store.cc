#include "metadata/sqlite/sqlite_metadata_store.h"
#include "common/clock.h"

#include <limits>
#include <utility>

#include "metadata/sqlite/migrations.h"
#include "metadata/sqlite/store_internal.h"

namespace bulwark::metadata {
namespace {

using sqlite::clamp_limit;
using sqlite::Db;
using sqlite::Stmt;

constexpr size_t kMaxIdleReaders = 8;
// Pragmas every connection needs; busy_timeout covers other processes sharing the file.
constexpr const char* kConnectionPragmas = "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;";

Result<void> configure_writer(Db& db) {
  BULWARK_ASSIGN_OR_RETURN(Stmt wal, db.prepare("PRAGMA journal_mode = WAL"));
  BULWARK_ASSIGN_OR_RETURN(bool row, wal.step());
  if (!row || wal.column_text(0) != "wal") {
    return fail(ErrorCode::kUnsupported, "metadata database cannot use WAL journaling");
  }
  return db.exec(std::string(kConnectionPragmas) + " PRAGMA synchronous = FULL;");
}

Result<void> configure_reader(Db& db) {
  return db.exec(std::string(kConnectionPragmas) + " PRAGMA query_only = ON;");
}

Result<Digest> stored_digest(const std::string& text) {
  auto digest = Digest::parse(text);
  if (!digest) return fail(ErrorCode::kCorrupt, "stored digest is malformed: " + text);
  return digest;
}

Result<std::optional<int64_t>> find_repository(Db& db, std::string_view name) {
  BULWARK_ASSIGN_OR_RETURN(Stmt query, db.prepare("SELECT id FROM repositories WHERE name = ?"));
  BULWARK_ASSIGN_OR_RETURN(bool row, query.bind(name).step());
  if (!row) return std::optional<int64_t>();
  return std::optional<int64_t>(query.column_int(0));
}

// Id of repository `name`, created if missing. REQUIRES: inside a write transaction.
Result<int64_t> ensure_repository(Db& db, std::string_view name) {
  {
    BULWARK_ASSIGN_OR_RETURN(Stmt insert,
                             db.prepare("INSERT INTO repositories (name, created_at) VALUES (?, ?) "
                                        "ON CONFLICT (name) DO NOTHING"));
    BULWARK_TRY_VOID(insert.bind(name).bind(unix_seconds()).run());
  }
  BULWARK_ASSIGN_OR_RETURN(std::optional<int64_t> id, find_repository(db, name));
  if (!id) return fail(ErrorCode::kInternal, "repository vanished inside its transaction");
  return *id;
}

// Reads a row laid out as: digest, media_type, artifact_type, subject_digest, annotations, size,
// created_at [, content].
Result<ManifestRecord> manifest_from_row(const Stmt& row, std::string_view repository,
                                         bool with_content) {
  ManifestRecord record;
  record.repository = std::string(repository);
  BULWARK_ASSIGN_OR_RETURN(record.digest, stored_digest(row.column_text(0)));
  record.media_type = row.column_text(1);
  record.artifact_type = row.column_text(2);
  if (!row.column_is_null(3)) {
    BULWARK_ASSIGN_OR_RETURN(Digest subject, stored_digest(row.column_text(3)));
    record.subject = std::move(subject);
  }
  record.annotations_json = row.column_text(4);
  record.size = static_cast<uint64_t>(row.column_int(5));
  record.created_at = row.column_int(6);
  if (with_content) record.content = row.column_blob(7);
  return record;
}

Result<std::vector<std::string>> collect_names(Stmt& query) {
  std::vector<std::string> names;
  for (;;) {
    BULWARK_ASSIGN_OR_RETURN(bool row, query.step());
    if (!row) return names;
    names.push_back(query.column_text(0));
  }
}

UploadSession upload_from_row(const Stmt& row) {
  return UploadSession{row.column_text(0), row.column_text(1), row.column_int(2),
                       row.column_int(3)};
}

}  // namespace

SqliteMetadataStore::SqliteMetadataStore(std::string path, std::unique_ptr<Db> writer)
    : path_(std::move(path)), writer_(std::move(writer)) {}

SqliteMetadataStore::~SqliteMetadataStore() = default;

Result<std::unique_ptr<SqliteMetadataStore>> SqliteMetadataStore::open(std::string path) {
  BULWARK_ASSIGN_OR_RETURN(std::unique_ptr<Db> writer, Db::open(path));
  BULWARK_TRY_VOID(configure_writer(*writer));
  BULWARK_ASSIGN_OR_RETURN(int applied,
                           sqlite::apply_migrations(*writer, sqlite::metadata_migrations()));
  BULWARK_ASSIGN_OR_RETURN(auto generation, SharedCounter::open(path + "-identity.gen"));
  std::unique_ptr<SqliteMetadataStore> store(
      new SqliteMetadataStore(std::move(path), std::move(writer)));
  store->migrations_applied_ = applied;
  store->identity_generation_ = std::move(generation);
  return store;
}

uint64_t SqliteMetadataStore::identity_generation() const { return identity_generation_->load(); }

Result<std::unique_ptr<Db>> SqliteMetadataStore::acquire_reader() {
  {
    std::lock_guard lock(pool_mu_);
    if (!idle_readers_.empty()) {
      std::unique_ptr<Db> db = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return db;
    }
  }
  BULWARK_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Db::open(path_));
  BULWARK_TRY_VOID(configure_reader(*db));
  return db;
}

void SqliteMetadataStore::release_reader(std::unique_ptr<Db> db) {
  std::lock_guard lock(pool_mu_);
  if (idle_readers_.size() < kMaxIdleReaders) idle_readers_.push_back(std::move(db));
}

// --- repositories

Result<bool> SqliteMetadataStore::repository_exists(std::string_view repository) {
  return with_reader([&](Db& db) -> Result<bool> {
    BULWARK_ASSIGN_OR_RETURN(std::optional<int64_t> id, find_repository(db, repository));
    return id.has_value();
  });
}

Result<std::vector<std::string>> SqliteMetadataStore::list_repositories(std::string_view after,
                                                                        size_t limit) {
  return with_reader([&](Db& db) -> Result<std::vector<std::string>> {
    BULWARK_ASSIGN_OR_RETURN(
        Stmt query,
        db.prepare("SELECT name FROM repositories WHERE name > ? ORDER BY name LIMIT ?"));
    query.bind(after).bind(clamp_limit(limit));
    return collect_names(query);
  });
}

// --- blobs

Result<void> SqliteMetadataStore::link_blob(std::string_view repository, const Digest& digest,
                                            uint64_t size) {
  return with_writer([&](Db& db) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(int64_t repo, ensure_repository(db, repository));
    const int64_t now = unix_seconds();
    {
      BULWARK_ASSIGN_OR_RETURN(
          Stmt insert, db.prepare("INSERT INTO blobs (digest, size, created_at) VALUES (?, ?, ?) "
                                  "ON CONFLICT (digest) DO NOTHING"));
      BULWARK_TRY_VOID(insert.bind(digest.str()).bind(static_cast<int64_t>(size)).bind(now).run());
    }
    BULWARK_ASSIGN_OR_RETURN(
        Stmt link, db.prepare("INSERT INTO repository_blobs (repository_id, digest, size, "
                              "created_at) VALUES (?, ?, ?, ?) "
                              "ON CONFLICT (repository_id, digest) DO NOTHING"));
    return link.bind(repo).bind(digest.str()).bind(static_cast<int64_t>(size)).bind(now).run();
  });
}

Result<std::optional<uint64_t>> SqliteMetadataStore::blob_in_repository(std::string_view repository,
                                                                        const Digest& digest) {
  return with_reader([&](Db& db) -> Result<std::optional<uint64_t>> {
    BULWARK_ASSIGN_OR_RETURN(Stmt query,
                             db.prepare("SELECT rb.size FROM repository_blobs rb "
                                        "JOIN repositories r ON r.id = rb.repository_id "
                                        "WHERE r.name = ? AND rb.digest = ?"));
    BULWARK_ASSIGN_OR_RETURN(bool row, query.bind(repository).bind(digest.str()).step());
    if (!row) return std::optional<uint64_t>();
    return std::optional<uint64_t>(static_cast<uint64_t>(query.column_int(0)));
  });
}

Result<bool> SqliteMetadataStore::unlink_blob(std::string_view repository, const Digest& digest) {
  return with_writer([&](Db& db) -> Result<bool> {
    BULWARK_ASSIGN_OR_RETURN(
        Stmt remove, db.prepare("DELETE FROM repository_blobs WHERE repository_id = "
                                "(SELECT id FROM repositories WHERE name = ?) AND digest = ?"));
    BULWARK_TRY_VOID(remove.bind(repository).bind(digest.str()).run());
    return db.changes() > 0;
  });
}

// --- manifests and tags

Result<void> SqliteMetadataStore::put_manifest(const ManifestPut& m) {
  if (Digest::of(m.content, m.digest.algorithm()) != m.digest) {
    return fail(ErrorCode::kDigestMismatch,
                "manifest content does not match digest " + m.digest.str());
  }
  return with_writer([&](Db& db) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(int64_t repo, ensure_repository(db, m.repository));
    // Every reference must already be recorded in this repository.
    struct RefCheck {
      const std::vector<Digest>& digests;
      std::string_view sql;
      std::string_view kind;
    };
    for (const RefCheck& check :
         {RefCheck{m.blobs, "SELECT 1 FROM repository_blobs WHERE repository_id = ? AND digest = ?",
                   "blob"},
          RefCheck{m.manifests, "SELECT 1 FROM manifests WHERE repository_id = ? AND digest = ?",
                   "manifest"}}) {
      BULWARK_ASSIGN_OR_RETURN(Stmt exists, db.prepare(check.sql));
      for (const Digest& ref : check.digests) {
        exists.reset();
        BULWARK_ASSIGN_OR_RETURN(bool found, exists.bind(repo).bind(ref.str()).step());
        if (!found) {
          return fail(ErrorCode::kMissingReference, std::string(check.kind) + " " + ref.str() +
                                                        " is not in repository " + m.repository);
        }
      }
    }

    const int64_t now = unix_seconds();
    {
      BULWARK_ASSIGN_OR_RETURN(
          Stmt insert,
          db.prepare("INSERT INTO manifests (repository_id, digest, media_type, artifact_type, "
                     "subject_digest, annotations, size, content, created_at, pushed_by) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                     "ON CONFLICT (repository_id, digest) DO NOTHING"));
      std::optional<std::string> subject;
      if (m.subject) subject = m.subject->str();
      insert.bind(repo).bind(m.digest.str()).bind(m.media_type).bind(m.artifact_type);
      insert.bind(subject).bind(m.annotations_json).bind(static_cast<int64_t>(m.content.size()));
      BULWARK_TRY_VOID(insert.bind_blob(m.content).bind(now).bind(m.pusher).run());
    }
    if (db.changes() > 0) {  // new manifest: record what it references
      struct RefInsert {
        const std::vector<Digest>& digests;
        std::string_view sql;
      };
      for (const RefInsert& refs :
           {RefInsert{m.blobs,
                      "INSERT INTO manifest_blobs (repository_id, manifest_digest, blob_digest) "
                      "VALUES (?, ?, ?) ON CONFLICT DO NOTHING"},
            RefInsert{m.manifests,
                      "INSERT INTO manifest_manifests (repository_id, manifest_digest, "
                      "child_digest) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"}}) {
        BULWARK_ASSIGN_OR_RETURN(Stmt insert, db.prepare(refs.sql));
        for (const Digest& ref : refs.digests) {
          insert.reset();
          BULWARK_TRY_VOID(insert.bind(repo).bind(m.digest.str()).bind(ref.str()).run());
        }
      }
      for (const std::string& kind : m.jobs) {
        BULWARK_TRY_VOID(enqueue_job_in(db, kind, m.repository, m.digest.str(), now));
      }
    }
    for (const auto& [kind, digest] : m.related_jobs) {
      BULWARK_TRY_VOID(enqueue_job_in(db, kind, m.repository, digest.str(), now, /*queued_only=*/true));
    }
    if (!m.tag) return ok();
    BULWARK_ASSIGN_OR_RETURN(
        Stmt tag, db.prepare("INSERT INTO tags (repository_id, name, manifest_digest, updated_at) "
                             "VALUES (?, ?, ?, ?) ON CONFLICT (repository_id, name) DO UPDATE SET "
                             "manifest_digest = excluded.manifest_digest, "
                             "updated_at = excluded.updated_at"));
    return tag.bind(repo).bind(*m.tag).bind(m.digest.str()).bind(now).run();
  });
}

Result<std::optional<ManifestRecord>> SqliteMetadataStore::get_manifest(std::string_view repository,
                                                                        const Digest& digest) {
  return with_reader([&](Db& db) -> Result<std::optional<ManifestRecord>> {
    BULWARK_ASSIGN_OR_RETURN(
        Stmt query, db.prepare("SELECT m.digest, m.media_type, m.artifact_type, m.subject_digest, "
                               "m.annotations, m.size, m.created_at, m.content FROM manifests m "
                               "JOIN repositories r ON r.id = m.repository_id "
                               "WHERE r.name = ? AND m.digest = ?"));
    BULWARK_ASSIGN_OR_RETURN(bool row, query.bind(repository).bind(digest.str()).step());
    if (!row) return std::optional<ManifestRecord>();
    BULWARK_ASSIGN_OR_RETURN(ManifestRecord record, manifest_from_row(query, repository, true));
    return std::optional<ManifestRecord>(std::move(record));
  });
}

Result<std::optional<Digest>> SqliteMetadataStore::resolve_tag(std::string_view repository,
                                                               std::string_view tag) {
  return with_reader([&](Db& db) -> Result<std::optional<Digest>> {
    BULWARK_ASSIGN_OR_RETURN(Stmt query, db.prepare("SELECT t.manifest_digest FROM tags t "
                                                    "JOIN repositories r ON r.id = t.repository_id "
                                                    "WHERE r.name = ? AND t.name = ?"));
    BULWARK_ASSIGN_OR_RETURN(bool row, query.bind(repository).bind(tag).step());
    if (!row) return std::optional<Digest>();
    BULWARK_ASSIGN_OR_RETURN(Digest digest, stored_digest(query.column_text(0)));
    return std::optional<Digest>(std::move(digest));
  });
}

Result<DeleteManifestResult> SqliteMetadataStore::delete_manifest(std::string_view repository,
                                                                  const Digest& digest) {
  return with_writer([&](Db& db) -> Result<DeleteManifestResult> {
    DeleteManifestResult result;
    BULWARK_ASSIGN_OR_RETURN(std::optional<int64_t> repo, find_repository(db, repository));
    if (!repo) return result;
    {
      BULWARK_ASSIGN_OR_RETURN(Stmt tags,
                               db.prepare("SELECT name FROM tags WHERE repository_id = ? AND "
                                          "manifest_digest = ? ORDER BY name"));
      tags.bind(*repo).bind(digest.str());
      BULWARK_ASSIGN_OR_RETURN(result.removed_tags, collect_names(tags));
    }
    // Tags and reference rows go with it (ON DELETE CASCADE).
    BULWARK_ASSIGN_OR_RETURN(
        Stmt remove, db.prepare("DELETE FROM manifests WHERE repository_id = ? AND digest = ?"));
    BULWARK_TRY_VOID(remove.bind(*repo).bind(digest.str()).run());
    result.existed = db.changes() > 0;
    return result;
  });
}

Result<bool> SqliteMetadataStore::delete_tag(std::string_view repository, std::string_view tag) {
  return with_writer([&](Db& db) -> Result<bool> {
    BULWARK_ASSIGN_OR_RETURN(
        Stmt remove, db.prepare("DELETE FROM tags WHERE repository_id = "
                                "(SELECT id FROM repositories WHERE name = ?) AND name = ?"));
    BULWARK_TRY_VOID(remove.bind(repository).bind(tag).run());
    return db.changes() > 0;
  });
}

Result<std::vector<std::string>> SqliteMetadataStore::list_tags(std::string_view repository,
                                                                std::string_view after,
                                                                size_t limit) {
  return with_reader([&](Db& db) -> Result<std::vector<std::string>> {
    BULWARK_ASSIGN_OR_RETURN(Stmt query,
                             db.prepare("SELECT t.name FROM tags t "
                                        "JOIN repositories r ON r.id = t.repository_id "
                                        "WHERE r.name = ? AND t.name > ? ORDER BY t.name LIMIT ?"));
    query.bind(repository).bind(after).bind(clamp_limit(limit));
    return collect_names(query);
  });
}

Result<std::vector<ManifestRecord>> SqliteMetadataStore::list_referrers(
    std::string_view repository, const Digest& subject,
    std::optional<std::string_view> artifact_type) {
  return with_reader([&](Db& db) -> Result<std::vector<ManifestRecord>> {
    BULWARK_ASSIGN_OR_RETURN(
        Stmt query, db.prepare("SELECT m.digest, m.media_type, m.artifact_type, m.subject_digest, "
                               "m.annotations, m.size, m.created_at FROM manifests m "
                               "JOIN repositories r ON r.id = m.repository_id "
                               "WHERE r.name = ?1 AND m.subject_digest = ?2 "
                               "AND (?3 IS NULL OR m.artifact_type = ?3) ORDER BY m.digest"));
    query.bind(repository).bind(subject.str());
    if (artifact_type) {
      query.bind(*artifact_type);
    } else {
      query.bind(std::nullopt);
    }
    std::vector<ManifestRecord> records;
    for (;;) {
      BULWARK_ASSIGN_OR_RETURN(bool row, query.step());
      if (!row) return records;
      BULWARK_ASSIGN_OR_RETURN(ManifestRecord record, manifest_from_row(query, repository, false));
      records.push_back(std::move(record));
    }
  });
}

// --- upload sessions

Result<void> SqliteMetadataStore::create_upload(const UploadSession& session) {
  auto created = with_writer([&](Db& db) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(
        Stmt insert, db.prepare("INSERT INTO uploads (id, repository, created_at, updated_at) "
                                "VALUES (?, ?, ?, ?)"));
    insert.bind(session.id).bind(session.repository).bind(session.created_at);
    return insert.bind(session.updated_at).run();
  });
  if (!created && created.error().code == ErrorCode::kConflict) {
    return fail(ErrorCode::kAlreadyExists, "upload session already exists");
  }
  return created;
}

Result<std::optional<UploadSession>> SqliteMetadataStore::get_upload(std::string_view id) {
  return with_reader([&](Db& db) -> Result<std::optional<UploadSession>> {
    BULWARK_ASSIGN_OR_RETURN(
        Stmt query,
        db.prepare("SELECT id, repository, created_at, updated_at FROM uploads WHERE id = ?"));
    BULWARK_ASSIGN_OR_RETURN(bool row, query.bind(id).step());
    if (!row) return std::optional<UploadSession>();
    return std::optional<UploadSession>(upload_from_row(query));
  });
}

Result<void> SqliteMetadataStore::touch_upload(std::string_view id, int64_t updated_at) {
  return with_writer([&](Db& db) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(Stmt update,
                             db.prepare("UPDATE uploads SET updated_at = ? WHERE id = ?"));
    BULWARK_TRY_VOID(update.bind(updated_at).bind(id).run());
    if (db.changes() == 0) return fail(ErrorCode::kNotFound, "upload session not found");
    return ok();
  });
}

Result<void> SqliteMetadataStore::delete_upload(std::string_view id) {
  return with_writer([&](Db& db) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(Stmt remove, db.prepare("DELETE FROM uploads WHERE id = ?"));
    return remove.bind(id).run();
  });
}

Result<std::vector<UploadSession>> SqliteMetadataStore::list_uploads_idle_since(int64_t before) {
  return with_reader([&](Db& db) -> Result<std::vector<UploadSession>> {
    BULWARK_ASSIGN_OR_RETURN(
        Stmt query, db.prepare("SELECT id, repository, created_at, updated_at FROM uploads "
                               "WHERE updated_at < ? ORDER BY updated_at, id"));
    query.bind(before);
    std::vector<UploadSession> sessions;
    for (;;) {
      BULWARK_ASSIGN_OR_RETURN(bool row, query.step());
      if (!row) return sessions;
      sessions.push_back(upload_from_row(query));
    }
  });
}

}  // namespace bulwark::metadata
