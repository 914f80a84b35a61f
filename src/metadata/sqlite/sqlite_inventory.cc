// SqliteMetadataStore: the InventoryStore part (the `image_packages` table of schema versions 7
// and 8, and each image's `image_scans` row).
#include <string>

#include "common/clock.h"
#include "metadata/sqlite/store_internal.h"

namespace bulwark::metadata {

Result<void> SqliteMetadataStore::put_image_packages(std::string_view repository,
                                                     std::string_view digest,
                                                     std::string_view distro,
                                                     const std::vector<IndexedPackage>& packages) {
  return with_writer([&](sqlite::Db& db) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt manifest,
        db.prepare("SELECT m.repository_id FROM manifests m JOIN repositories r ON r.id = "
                   "m.repository_id WHERE r.name = ? AND m.digest = ?"));
    BULWARK_ASSIGN_OR_RETURN(bool found, manifest.bind(repository).bind(digest).step());
    if (!found) {
      return fail(ErrorCode::kNotFound,
                  "manifest " + std::string(digest) + " is not in " + std::string(repository));
    }
    int64_t repo = manifest.column_int(0);
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt clear,
        db.prepare("DELETE FROM image_packages WHERE repository_id = ? AND manifest_digest = ?"));
    BULWARK_TRY_VOID(clear.bind(repo).bind(digest).run());
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt insert,
        db.prepare("INSERT INTO image_packages (repository_id, manifest_digest, type, namespace, "
                   "name, version, purl, source_name, source_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    for (const auto& p : packages) {
      insert.reset();
      BULWARK_TRY_VOID(insert.bind(repo)
                           .bind(digest)
                           .bind(p.type)
                           .bind(p.namespace_)
                           .bind(p.name)
                           .bind(p.version)
                           .bind(p.purl)
                           .bind(p.source_name)
                           .bind(p.source_version)
                           .run());
    }
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt scan,
        db.prepare("INSERT INTO image_scans (repository_id, manifest_digest, distro, indexed_at) "
                   "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (repository_id, manifest_digest) DO "
                   "UPDATE SET distro = ?3, indexed_at = ?4"));
    return scan.bind(repo).bind(digest).bind(distro).bind(unix_seconds()).run();
  });
}

Result<std::vector<PackageHit>> SqliteMetadataStore::find_package(std::string_view name,
                                                                  std::optional<std::string_view> type,
                                                                  size_t limit) {
  return with_reader([&](sqlite::Db& db) -> Result<std::vector<PackageHit>> {
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt query,
        db.prepare("SELECT r.name, p.manifest_digest, p.type, p.namespace, p.name, p.version, "
                   "p.purl FROM image_packages p JOIN repositories r ON r.id = p.repository_id "
                   "WHERE p.name = ? AND (?2 IS NULL OR p.type = ?2) "
                   "ORDER BY r.name, p.manifest_digest, p.version LIMIT ?3"));
    query.bind(name);
    if (type) {
      query.bind(*type);
    } else {
      query.bind(std::nullopt);
    }
    query.bind(static_cast<int64_t>(std::min<size_t>(limit, 1'000'000)));
    std::vector<PackageHit> out;
    for (;;) {
      BULWARK_ASSIGN_OR_RETURN(bool row, query.step());
      if (!row) return out;
      out.push_back(PackageHit{query.column_text(0), query.column_text(1),
                               IndexedPackage{query.column_text(2), query.column_text(3),
                                              query.column_text(4), query.column_text(5),
                                              query.column_text(6)}});
    }
  });
}

}  // namespace bulwark::metadata
