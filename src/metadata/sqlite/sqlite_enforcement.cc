// SqliteMetadataStore: the EnforcementStore part (manifests.pushed_by and the `image_policy` and
// `manual_quarantine` tables of schema version 12).
#include <string>

#include "metadata/sqlite/store_internal.h"

namespace bulwark::metadata {
namespace {

// The repository id of a stored manifest; nullopt when the manifest is not stored.
Result<std::optional<int64_t>> manifest_repository_id(sqlite::Db& db, std::string_view repository,
                                                      std::string_view digest) {
  BULWARK_ASSIGN_OR_RETURN(
      sqlite::Stmt query,
      db.prepare("SELECT m.repository_id FROM manifests m JOIN repositories r ON r.id = "
                 "m.repository_id WHERE r.name = ? AND m.digest = ?"));
  BULWARK_ASSIGN_OR_RETURN(bool found, query.bind(repository).bind(digest).step());
  if (!found) return std::optional<int64_t>();
  return std::optional<int64_t>(query.column_int(0));
}

ManualQuarantine quarantine_from_row(const sqlite::Stmt& row) {
  ManualQuarantine q;
  q.repository = row.column_text(0);
  q.digest = row.column_text(1);
  q.reason = row.column_text(2);
  q.actor = row.column_text(3);
  q.created_at = row.column_int(4);
  return q;
}

constexpr std::string_view kQuarantineColumns =
    "SELECT r.name, q.manifest_digest, q.reason, q.actor, q.created_at FROM manual_quarantine q "
    "JOIN repositories r ON r.id = q.repository_id ";

}  // namespace

Result<std::string> SqliteMetadataStore::manifest_pusher(std::string_view repository,
                                                         std::string_view digest) {
  return with_reader([&](sqlite::Db& db) -> Result<std::string> {
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt query,
        db.prepare("SELECT m.pushed_by FROM manifests m JOIN repositories r ON r.id = "
                   "m.repository_id WHERE r.name = ? AND m.digest = ?"));
    BULWARK_ASSIGN_OR_RETURN(bool row, query.bind(repository).bind(digest).step());
    return row ? query.column_text(0) : std::string();
  });
}

Result<std::vector<ImageRef>> SqliteMetadataStore::list_images(std::string_view prefix,
                                                              std::string& cursor, size_t limit) {
  return with_reader([&](sqlite::Db& db) -> Result<std::vector<ImageRef>> {
    return page_images(
        db, "", "? = '' OR r.name = ? OR substr(r.name, 1, length(?) + 1) = ? || '/'",
        [&](sqlite::Stmt& q) { q.bind(prefix).bind(prefix).bind(prefix).bind(prefix); }, cursor,
        limit);
  });
}

Result<std::vector<ImageRef>> SqliteMetadataStore::images_with_digest(std::string_view digest) {
  return with_reader([&](sqlite::Db& db) -> Result<std::vector<ImageRef>> {
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt query,
        db.prepare("SELECT r.name, m.digest FROM manifests m JOIN repositories r ON r.id = "
                   "m.repository_id WHERE m.digest = ? AND " + std::string(kIsImage) +
                   " ORDER BY r.name"));
    query.bind(digest);
    return sqlite::collect_rows<ImageRef>(query, [](const sqlite::Stmt& row) {
      return ImageRef{row.column_text(0), row.column_text(1)};
    });
  });
}

Result<std::vector<ImageRef>> SqliteMetadataStore::images_with_finding(
    std::string_view vulnerability) {
  return with_reader([&](sqlite::Db& db) -> Result<std::vector<ImageRef>> {
    // Aliases live in the finding's detail (the report's "aliases" array).
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt query,
        db.prepare("SELECT DISTINCT r.name, f.manifest_digest FROM findings f JOIN repositories r "
                   "ON r.id = f.repository_id WHERE f.resolved_at IS NULL AND (f.vulnerability = "
                   "? OR EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid(f.detail) THEN "
                   "f.detail ELSE '{}' END, '$.aliases') a WHERE a.value = ?)) ORDER BY r.name, f.manifest_digest"));
    query.bind(vulnerability).bind(vulnerability);
    return sqlite::collect_rows<ImageRef>(query, [](const sqlite::Stmt& row) {
      return ImageRef{row.column_text(0), row.column_text(1)};
    });
  });
}

Result<std::vector<std::string>> SqliteMetadataStore::parent_indexes(std::string_view repository,
                                                                    std::string_view digest) {
  return with_reader([&](sqlite::Db& db) -> Result<std::vector<std::string>> {
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt query,
        db.prepare("SELECT mm.manifest_digest FROM manifest_manifests mm JOIN repositories r ON "
                   "r.id = mm.repository_id WHERE r.name = ? AND mm.child_digest = ? ORDER BY "
                   "mm.manifest_digest"));
    query.bind(repository).bind(digest);
    return sqlite::collect_rows<std::string>(query,
                                             [](const sqlite::Stmt& row) { return row.column_text(0); });
  });
}

Result<bool> SqliteMetadataStore::put_image_policy(const ImagePolicyRecord& record) {
  auto written = with_writer([&](sqlite::Db& db) -> Result<bool> {
    BULWARK_ASSIGN_OR_RETURN(auto repository_id,
                             manifest_repository_id(db, record.repository, record.digest));
    if (!repository_id) return false;
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt upsert,
        db.prepare("INSERT INTO image_policy (repository_id, manifest_digest, outcome, pending, "
                   "decision, policy, evaluated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT "
                   "(repository_id, manifest_digest) DO UPDATE SET outcome = excluded.outcome, "
                   "pending = excluded.pending, decision = excluded.decision, "
                   "policy = excluded.policy, evaluated_at = excluded.evaluated_at"));
    upsert.bind(*repository_id).bind(record.digest).bind(record.outcome);
    upsert.bind(int64_t{record.pending ? 1 : 0}).bind(record.decision_json).bind(record.policy);
    BULWARK_TRY_VOID(upsert.bind(record.evaluated_at).run());
    return true;
  });
  if (written && *written) enforcement_generation_.fetch_add(1, std::memory_order_acq_rel);
  return written;
}

Result<std::optional<ImagePolicyRecord>> SqliteMetadataStore::get_image_policy(
    std::string_view repository, std::string_view digest) {
  return with_reader([&](sqlite::Db& db) -> Result<std::optional<ImagePolicyRecord>> {
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt query,
        db.prepare("SELECT p.outcome, p.pending, p.decision, p.policy, p.evaluated_at FROM "
                   "image_policy p JOIN repositories r ON r.id = p.repository_id WHERE r.name = ? "
                   "AND p.manifest_digest = ?"));
    BULWARK_ASSIGN_OR_RETURN(bool row, query.bind(repository).bind(digest).step());
    if (!row) return std::optional<ImagePolicyRecord>();
    ImagePolicyRecord out;
    out.repository = std::string(repository);
    out.digest = std::string(digest);
    out.outcome = query.column_text(0);
    out.pending = query.column_int(1) != 0;
    out.decision_json = query.column_text(2);
    out.policy = query.column_text(3);
    out.evaluated_at = query.column_int(4);
    return std::optional<ImagePolicyRecord>(std::move(out));
  });
}

Result<bool> SqliteMetadataStore::add_manual_quarantine(const ManualQuarantine& quarantine) {
  auto written = with_writer([&](sqlite::Db& db) -> Result<bool> {
    BULWARK_ASSIGN_OR_RETURN(auto repository_id,
                             manifest_repository_id(db, quarantine.repository, quarantine.digest));
    if (!repository_id) return false;
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt upsert,
        db.prepare("INSERT INTO manual_quarantine (repository_id, manifest_digest, reason, actor, "
                   "created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (repository_id, "
                   "manifest_digest) DO UPDATE SET reason = excluded.reason, "
                   "actor = excluded.actor, created_at = excluded.created_at"));
    upsert.bind(*repository_id).bind(quarantine.digest).bind(quarantine.reason);
    BULWARK_TRY_VOID(upsert.bind(quarantine.actor).bind(quarantine.created_at).run());
    return true;
  });
  if (written && *written) enforcement_generation_.fetch_add(1, std::memory_order_acq_rel);
  return written;
}

Result<bool> SqliteMetadataStore::release_manual_quarantine(std::string_view repository,
                                                            std::string_view digest) {
  auto written = with_writer([&](sqlite::Db& db) -> Result<bool> {
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt remove,
        db.prepare("DELETE FROM manual_quarantine WHERE manifest_digest = ? AND repository_id = "
                   "(SELECT id FROM repositories WHERE name = ?)"));
    BULWARK_TRY_VOID(remove.bind(digest).bind(repository).run());
    return db.changes() > 0;
  });
  if (written && *written) enforcement_generation_.fetch_add(1, std::memory_order_acq_rel);
  return written;
}

Result<std::optional<ManualQuarantine>> SqliteMetadataStore::get_manual_quarantine(
    std::string_view repository, std::string_view digest) {
  return with_reader([&](sqlite::Db& db) -> Result<std::optional<ManualQuarantine>> {
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt query,
        db.prepare(std::string(kQuarantineColumns) + "WHERE r.name = ? AND q.manifest_digest = ?"));
    BULWARK_ASSIGN_OR_RETURN(bool row, query.bind(repository).bind(digest).step());
    if (!row) return std::optional<ManualQuarantine>();
    return std::optional<ManualQuarantine>(quarantine_from_row(query));
  });
}

Result<std::vector<ManualQuarantine>> SqliteMetadataStore::list_manual_quarantines(
    std::string_view repository) {
  return with_reader([&](sqlite::Db& db) -> Result<std::vector<ManualQuarantine>> {
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt query,
        db.prepare(std::string(kQuarantineColumns) +
                   "WHERE ? = '' OR r.name = ? ORDER BY r.name, q.manifest_digest"));
    query.bind(repository).bind(repository);
    return sqlite::collect_rows<ManualQuarantine>(query, quarantine_from_row);
  });
}

}  // namespace bulwark::metadata
