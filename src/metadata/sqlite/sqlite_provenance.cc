// SqliteMetadataStore: the ProvenanceStore part (the `provenance_status` table of schema
// version 9).
#include <charconv>
#include <string>

#include "metadata/sqlite/store_internal.h"

namespace bulwark::metadata {

Result<bool> SqliteMetadataStore::put_provenance(const ProvenanceRecord& record) {
  return with_writer([&](sqlite::Db& db) -> Result<bool> {
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt repo,
        db.prepare("SELECT m.repository_id FROM manifests m JOIN repositories r ON r.id = "
                   "m.repository_id WHERE r.name = ? AND m.digest = ?"));
    BULWARK_ASSIGN_OR_RETURN(bool found, repo.bind(record.repository).bind(record.digest).step());
    if (!found) return false;
    const int64_t repository_id = repo.column_int(0);
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt upsert,
        db.prepare("INSERT INTO provenance_status (repository_id, manifest_digest, "
                   "trust_fingerprint, signed, reason, detail, verified_at) VALUES "
                   "(?, ?, ?, ?, ?, ?, ?) ON CONFLICT (repository_id, manifest_digest) DO UPDATE "
                   "SET trust_fingerprint = excluded.trust_fingerprint, signed = excluded.signed, "
                   "reason = excluded.reason, detail = excluded.detail, "
                   "verified_at = excluded.verified_at"));
    upsert.bind(repository_id).bind(record.digest).bind(record.trust_fingerprint);
    upsert.bind(int64_t{record.verified ? 1 : 0}).bind(record.reason).bind(record.detail_json);
    BULWARK_TRY_VOID(upsert.bind(record.verified_at).run());
    return true;
  });
}

Result<std::optional<ProvenanceRecord>> SqliteMetadataStore::get_provenance(
    std::string_view repository, std::string_view digest) {
  return with_reader([&](sqlite::Db& db) -> Result<std::optional<ProvenanceRecord>> {
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt query,
        db.prepare("SELECT p.trust_fingerprint, p.signed, p.reason, p.detail, p.verified_at "
                   "FROM provenance_status p JOIN repositories r ON r.id = p.repository_id "
                   "WHERE r.name = ? AND p.manifest_digest = ?"));
    BULWARK_ASSIGN_OR_RETURN(bool row, query.bind(repository).bind(digest).step());
    if (!row) return std::optional<ProvenanceRecord>();
    ProvenanceRecord out;
    out.repository = std::string(repository);
    out.digest = std::string(digest);
    out.trust_fingerprint = query.column_text(0);
    out.verified = query.column_int(1) != 0;
    out.reason = query.column_text(2);
    out.detail_json = query.column_text(3);
    out.verified_at = query.column_int(4);
    return std::optional<ProvenanceRecord>(std::move(out));
  });
}

Result<std::vector<ImageRef>> page_images(sqlite::Db& db, std::string_view join,
                                          std::string_view where,
                                          const std::function<void(sqlite::Stmt&)>& bind,
                                          std::string& cursor, size_t limit) {
  // The cursor is "<repository id> <digest>" of the last image returned.
  int64_t after_repo = -1;
  std::string after_digest;
  if (!cursor.empty()) {
    const size_t space = cursor.find(' ');
    const char* end = cursor.data() + (space == std::string::npos ? 0 : space);
    auto [ptr, ec] = std::from_chars(cursor.data(), end, after_repo);
    if (space == std::string::npos || ec != std::errc() || ptr != end) {
      return fail(ErrorCode::kInvalidArgument, "bad cursor");
    }
    after_digest = cursor.substr(space + 1);
  }
  BULWARK_ASSIGN_OR_RETURN(
      sqlite::Stmt query,
      db.prepare("SELECT m.repository_id, r.name, m.digest FROM manifests m JOIN repositories "
                 "r ON r.id = m.repository_id " + std::string(join) +
                 " WHERE (m.repository_id, m.digest) > (?, ?) AND (" + std::string(where) +
                 ") AND " + std::string(kIsImage) + " ORDER BY m.repository_id, m.digest LIMIT ?"));
  query.bind(after_repo).bind(after_digest);
  bind(query);
  query.bind(sqlite::clamp_limit(limit));
  std::vector<ImageRef> out;
  for (;;) {
    BULWARK_ASSIGN_OR_RETURN(bool row, query.step());
    if (!row) break;
    out.push_back(ImageRef{query.column_text(1), query.column_text(2)});
    cursor = std::to_string(query.column_int(0)) + " " + out.back().digest;
  }
  if (out.size() < limit) cursor.clear();
  return out;
}

Result<std::vector<ImageRef>> SqliteMetadataStore::list_images_to_verify(
    std::string_view fingerprint, std::string& cursor, size_t limit) {
  return with_reader([&](sqlite::Db& db) -> Result<std::vector<ImageRef>> {
    return page_images(
        db,
        "LEFT JOIN provenance_status p ON p.repository_id = m.repository_id AND "
        "p.manifest_digest = m.digest",
        "p.trust_fingerprint IS NULL OR p.trust_fingerprint <> ?",
        [&](sqlite::Stmt& q) { q.bind(fingerprint); }, cursor, limit);
  });
}

}  // namespace bulwark::metadata
