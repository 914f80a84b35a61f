// SqliteMetadataStore: the FindingStore part (the `image_scans` and `findings` tables of schema
// version 8, and the source columns of `image_packages`).
#include <algorithm>
#include <array>
#include <functional>
#include <tuple>
#include <unordered_map>
#include <string>

#include "common/clock.h"
#include "common/fnv.h"
#include "metadata/sqlite/store_internal.h"

namespace bulwark::metadata {

namespace {

// Severity names from the most to the least severe; list_findings sorts by this.
constexpr std::array<std::string_view, 6> kSeverityOrder = {"critical", "high",       "medium",
                                                            "low",      "negligible", "unknown"};

size_t severity_rank(std::string_view name) {
  auto it = std::find(kSeverityOrder.begin(), kSeverityOrder.end(), name);
  return static_cast<size_t>(it - kSeverityOrder.begin());
}

// Findings are compared across matches as 64-bit FNV-1a hashes (SQLite stores them bit for bit
// as signed integers); a collision between two different findings of one image is
// astronomically unlikely and would only keep one of them open under the other's first sighting.

// The identity of a finding within one image: vulnerability, package and installed version.
int64_t key_hash(const FindingRecord& f) {
  return static_cast<int64_t>(
      Fnv1a().add(f.vulnerability).add(f.package_type).add(f.package_name).add(f.installed_version).value());
}

// Everything a stored finding row is derived from: the caller's fingerprint of the detail, the
// severity, the fix and the deadline policy.
int64_t row_fingerprint(const FindingRecord& f) {
  return static_cast<int64_t>(Fnv1a()
                                  .add_u64(f.fingerprint)
                                  .add(f.severity)
                                  .add(f.fixed_version)
                                  .add_u64(static_cast<uint64_t>(f.deadline_after))
                                  .value());
}

// The repository id of a stored manifest, or nullopt when it is gone.
Result<std::optional<int64_t>> repository_of(sqlite::Db& db, std::string_view repository,
                                             std::string_view digest) {
  BULWARK_ASSIGN_OR_RETURN(
      sqlite::Stmt query,
      db.prepare("SELECT m.repository_id FROM manifests m JOIN repositories r ON r.id = "
                 "m.repository_id WHERE r.name = ? AND m.digest = ?"));
  BULWARK_ASSIGN_OR_RETURN(bool found, query.bind(repository).bind(digest).step());
  if (!found) return std::optional<int64_t>();
  return std::optional<int64_t>(query.column_int(0));
}

std::optional<int64_t> optional_int(const sqlite::Stmt& row, int col) {
  if (row.column_is_null(col)) return std::nullopt;
  return row.column_int(col);
}

constexpr std::string_view kFindingColumns =
    "r.name, f.manifest_digest, f.vulnerability, f.package_type, f.package_name, "
    "f.installed_version, f.severity, f.fixed_version, f.detail, f.first_seen, f.resolved_at, "
    "f.deadline";

StoredFinding finding_of(const sqlite::Stmt& row) {
  StoredFinding out;
  out.repository = row.column_text(0);
  out.digest = row.column_text(1);
  out.finding.vulnerability = row.column_text(2);
  out.finding.package_type = row.column_text(3);
  out.finding.package_name = row.column_text(4);
  out.finding.installed_version = row.column_text(5);
  out.finding.severity = row.column_text(6);
  out.finding.fixed_version = row.column_text(7);
  out.finding.detail_json = row.column_text(8);
  out.first_seen = row.column_int(9);
  out.resolved_at = optional_int(row, 10);
  out.deadline = optional_int(row, 11);
  return out;
}

Result<std::vector<IndexedPackage>> packages_of(sqlite::Db& db, int64_t repository_id,
                                                std::string_view digest) {
  BULWARK_ASSIGN_OR_RETURN(
      sqlite::Stmt query,
      db.prepare("SELECT type, namespace, name, version, purl, source_name, source_version FROM "
                 "image_packages WHERE repository_id = ? AND manifest_digest = ?"));
  query.bind(repository_id).bind(digest);
  return sqlite::collect_rows<IndexedPackage>(query, [](const sqlite::Stmt& row) {
    return IndexedPackage{row.column_text(0), row.column_text(1), row.column_text(2),
                          row.column_text(3), row.column_text(4), row.column_text(5),
                          row.column_text(6)};
  });
}

// What is written for a finding: its detail, made now if it is made lazily.
std::string detail_of(const FindingRecord& f) { return f.make_detail ? f.make_detail() : f.detail_json; }

// Records one image's current findings against its open ones.
Result<bool> record_image(sqlite::Db& db, int64_t repository_id, const ImageMatch& match,
                          int64_t now, MatchDiff& diff) {
  // The image's open findings (in its scope, for a partial match), as integers only (the rows'
  // detail is not read).
  struct Open {
    int64_t id;
    int64_t first_seen;
    int64_t fingerprint;
    bool seen = false;
  };
  std::unordered_map<int64_t, Open> open;
  {
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt query,
        db.prepare("SELECT id, key_hash, fingerprint, first_seen, package_type, package_name "
                   "FROM findings WHERE repository_id = ? AND manifest_digest = ? AND "
                   "resolved_at IS NULL"));
    query.bind(repository_id).bind(match.digest);
    for (;;) {
      BULWARK_ASSIGN_OR_RETURN(bool row, query.step());
      if (!row) break;
      if (match.scope && !match.scope(query.column_text(4), query.column_text(5))) continue;
      open.emplace(query.column_int(1),
                   Open{query.column_int(0), query.column_int(3), query.column_int(2)});
    }
  }
  bool changed = false;
  auto deadline_of = [](int64_t first_seen, int64_t after) {
    return after > 0 ? std::optional<int64_t>(first_seen + after) : std::nullopt;
  };
  for (const auto& f : match.findings) {
    const int64_t key = key_hash(f);
    const int64_t fingerprint = row_fingerprint(f);
    auto it = open.find(key);
    if (it != open.end() && !it->second.seen) {
      it->second.seen = true;
      ++diff.kept;
      if (it->second.fingerprint == fingerprint) continue;
      changed = true;
      BULWARK_ASSIGN_OR_RETURN(
          sqlite::Stmt update,
          db.prepare("UPDATE findings SET severity = ?, fixed_version = ?, detail = ?, "
                     "fingerprint = ?, deadline = ? WHERE id = ?"));
      update.bind(f.severity).bind(f.fixed_version).bind(detail_of(f)).bind(fingerprint);
      if (auto d = deadline_of(it->second.first_seen, f.deadline_after)) {
        update.bind(*d);
      } else {
        update.bind(std::nullopt);
      }
      BULWARK_TRY_VOID(update.bind(it->second.id).run());
      continue;
    }
    if (it != open.end()) continue;  // the same finding twice in one match
    changed = true;
    ++diff.opened;
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt insert,
        db.prepare("INSERT INTO findings (repository_id, manifest_digest, vulnerability, "
                   "package_type, package_name, installed_version, severity, fixed_version, "
                   "first_seen, deadline, detail, key_hash, fingerprint) VALUES (?, ?, ?, ?, ?, ?, "
                   "?, ?, ?, ?, ?, ?, ?)"));
    insert.bind(repository_id)
        .bind(match.digest)
        .bind(f.vulnerability)
        .bind(f.package_type)
        .bind(f.package_name)
        .bind(f.installed_version)
        .bind(f.severity)
        .bind(f.fixed_version)
        .bind(now);
    if (auto d = deadline_of(now, f.deadline_after)) {
      insert.bind(*d);
    } else {
      insert.bind(std::nullopt);
    }
    BULWARK_TRY_VOID(insert.bind(detail_of(f)).bind(key).bind(fingerprint).run());
    // A later duplicate in the same match must not open it twice.
    open.emplace(key, Open{0, now, fingerprint, true});
  }
  for (const auto& [key, o] : open) {
    if (o.seen) continue;
    changed = true;
    ++diff.resolved;
    BULWARK_ASSIGN_OR_RETURN(sqlite::Stmt resolve,
                             db.prepare("UPDATE findings SET resolved_at = ? WHERE id = ?"));
    BULWARK_TRY_VOID(resolve.bind(now).bind(o.id).run());
  }
  BULWARK_ASSIGN_OR_RETURN(
      sqlite::Stmt scanned,
      db.prepare("INSERT INTO image_scans (repository_id, manifest_digest, indexed_at, "
                 "db_generation, matched_at) VALUES (?1, ?2, ?3, ?4, ?3) ON CONFLICT "
                 "(repository_id, manifest_digest) DO UPDATE SET db_generation = ?4, "
                 "matched_at = ?3 RETURNING report_digest"));
  BULWARK_TRY_VOID(
      scanned.bind(repository_id).bind(match.digest).bind(now).bind(match.db_generation).step());
  // An image without a report yet counts as changed, so that one gets attached.
  if (scanned.column_text(0).empty()) changed = true;
  return changed;
}

}  // namespace

Result<std::vector<StoredInventory>> SqliteMetadataStore::list_inventories(std::string& cursor,
                                                                           size_t limit) {
  return with_reader([&](sqlite::Db& db) -> Result<std::vector<StoredInventory>> {
    // The cursor is "<repository id> <digest>" of the last image returned.
    int64_t after_repo = -1;
    std::string after_digest;
    if (!cursor.empty()) {
      size_t space = cursor.find(' ');
      if (space == std::string::npos) return fail(ErrorCode::kInvalidArgument, "bad cursor");
      after_repo = std::stoll(cursor.substr(0, space));
      after_digest = cursor.substr(space + 1);
    }
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt query,
        db.prepare("SELECT s.repository_id, r.name, s.manifest_digest, s.distro, "
                   "s.db_generation FROM image_scans s JOIN repositories r ON r.id = "
                   "s.repository_id WHERE (s.repository_id, s.manifest_digest) > (?, ?) ORDER BY "
                   "s.repository_id, s.manifest_digest LIMIT ?"));
    query.bind(after_repo).bind(after_digest).bind(sqlite::clamp_limit(limit));
    std::vector<std::pair<int64_t, StoredInventory>> images;
    for (;;) {
      BULWARK_ASSIGN_OR_RETURN(bool row, query.step());
      if (!row) break;
      StoredInventory inv;
      inv.repository = query.column_text(1);
      inv.digest = query.column_text(2);
      inv.distro = query.column_text(3);
      inv.db_generation = optional_int(query, 4);
      images.emplace_back(query.column_int(0), std::move(inv));
    }
    std::vector<StoredInventory> out;
    out.reserve(images.size());
    for (auto& [repo, inv] : images) {
      BULWARK_ASSIGN_OR_RETURN(inv.packages, packages_of(db, repo, inv.digest));
      cursor = std::to_string(repo) + " " + inv.digest;
      out.push_back(std::move(inv));
    }
    if (images.size() < limit) cursor.clear();
    return out;
  });
}

namespace {

// The position after (repository id, digest) a page ends at: "<repository id> <digest>".
Result<std::pair<int64_t, std::string>> parse_cursor(const std::string& cursor) {
  if (cursor.empty()) return std::pair<int64_t, std::string>{-1, ""};
  const size_t space = cursor.find(' ');
  if (space == std::string::npos) return fail(ErrorCode::kInvalidArgument, "bad cursor");
  return std::pair<int64_t, std::string>{std::stoll(cursor.substr(0, space)),
                                         cursor.substr(space + 1)};
}

}  // namespace

Result<std::vector<StoredInventory>> SqliteMetadataStore::select_packages(
    std::string& cursor, size_t limit,
    const std::function<bool(const StoredInventory&, const IndexedPackage&)>& keep) {
  return with_reader([&](sqlite::Db& db) -> Result<std::vector<StoredInventory>> {
    BULWARK_ASSIGN_OR_RETURN(auto after, parse_cursor(cursor));
    // One read of a page of images and their packages (NULL columns for an image without
    // any); a package's remaining columns are read only when it is kept.
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt query,
        db.prepare("SELECT s.repository_id, r.name, s.manifest_digest, s.distro, s.db_generation, "
                   "p.type, p.namespace, p.name, p.source_name, p.version, p.purl, "
                   "p.source_version FROM (SELECT repository_id, manifest_digest, distro, "
                   "db_generation FROM image_scans WHERE (repository_id, manifest_digest) > (?, ?) "
                   "ORDER BY repository_id, manifest_digest LIMIT ?) s JOIN repositories r ON "
                   "r.id = s.repository_id LEFT JOIN image_packages p ON p.repository_id = "
                   "s.repository_id AND p.manifest_digest = s.manifest_digest"));
    query.bind(after.first).bind(after.second).bind(sqlite::clamp_limit(limit));
    std::vector<StoredInventory> out;
    std::unordered_map<std::string, size_t> index_of;  // "<repository id> <digest>" -> out
    std::pair<int64_t, std::string> last = after;
    std::string key;
    IndexedPackage package;
    for (;;) {
      BULWARK_ASSIGN_OR_RETURN(bool row, query.step());
      if (!row) break;
      const int64_t repo = query.column_int(0);
      std::string digest = query.column_text(2);
      key = std::to_string(repo) + " " + digest;
      auto [it, added] = index_of.try_emplace(key, out.size());
      if (added) {
        if (std::tie(repo, digest) > std::tie(last.first, last.second)) last = {repo, digest};
        out.push_back(StoredInventory{query.column_text(1), std::move(digest), query.column_text(3),
                                      optional_int(query, 4), {}});
      }
      StoredInventory& image = out[it->second];
      if (query.column_is_null(5)) continue;  // no packages
      package.type = query.column_text(5);
      package.namespace_ = query.column_text(6);
      package.name = query.column_text(7);
      package.source_name = query.column_text(8);
      if (!keep(image, package)) continue;
      package.version = query.column_text(9);
      package.purl = query.column_text(10);
      package.source_version = query.column_text(11);
      image.packages.push_back(package);
    }
    cursor = out.size() < limit ? std::string() : std::to_string(last.first) + " " + last.second;
    return out;
  });
}

Result<uint64_t> SqliteMetadataStore::advance_generation(const std::vector<MatchedImage>& images,
                                                         int64_t from, int64_t to, int64_t now) {
  return with_writer([&](sqlite::Db& db) -> Result<uint64_t> {
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt update,
        db.prepare("UPDATE image_scans SET db_generation = ?1, matched_at = ?2 WHERE "
                   "db_generation = ?3 AND manifest_digest = ?4 AND repository_id = (SELECT id "
                   "FROM repositories WHERE name = ?5)"));
    uint64_t moved = 0;
    for (const MatchedImage& image : images) {
      update.reset();
      BULWARK_TRY_VOID(
          update.bind(to).bind(now).bind(from).bind(image.digest).bind(image.repository).run());
      moved += static_cast<uint64_t>(db.changes());
    }
    return moved;
  });
}

Result<std::optional<StoredInventory>> SqliteMetadataStore::get_inventory(std::string_view repository,
                                                                          std::string_view digest) {
  return with_reader([&](sqlite::Db& db) -> Result<std::optional<StoredInventory>> {
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt query,
        db.prepare("SELECT s.repository_id, s.distro, s.db_generation FROM image_scans s JOIN "
                   "repositories r ON r.id = s.repository_id WHERE r.name = ? AND "
                   "s.manifest_digest = ?"));
    BULWARK_ASSIGN_OR_RETURN(bool found, query.bind(repository).bind(digest).step());
    if (!found) return std::optional<StoredInventory>();
    StoredInventory inv{std::string(repository), std::string(digest), query.column_text(1),
                        optional_int(query, 2), {}};
    BULWARK_ASSIGN_OR_RETURN(inv.packages, packages_of(db, query.column_int(0), digest));
    return std::optional<StoredInventory>(std::move(inv));
  });
}

Result<MatchDiff> SqliteMetadataStore::record_matches(const std::vector<ImageMatch>& batch,
                                                      int64_t now, std::string_view changed_job) {
  return with_writer([&](sqlite::Db& db) -> Result<MatchDiff> {
    MatchDiff diff;
    for (size_t i = 0; i < batch.size(); ++i) {
      BULWARK_ASSIGN_OR_RETURN(auto repo, repository_of(db, batch[i].repository, batch[i].digest));
      if (!repo) continue;  // deleted since it was matched
      BULWARK_ASSIGN_OR_RETURN(bool changed, record_image(db, *repo, batch[i], now, diff));
      if (!changed) continue;
      diff.changed.push_back(i);
      if (!changed_job.empty()) {
        BULWARK_TRY_VOID(enqueue_job_in(db, changed_job, batch[i].repository, batch[i].digest, now));
      }
    }
    return diff;
  });
}

Result<void> SqliteMetadataStore::set_report_digest(std::string_view repository,
                                                    std::string_view digest,
                                                    std::string_view report_digest) {
  return with_writer([&](sqlite::Db& db) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(auto repo, repository_of(db, repository, digest));
    if (!repo) return ok();
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt update,
        db.prepare("UPDATE image_scans SET report_digest = ? WHERE repository_id = ? AND "
                   "manifest_digest = ?"));
    return update.bind(report_digest).bind(*repo).bind(digest).run();
  });
}

Result<std::optional<ImageScanRecord>> SqliteMetadataStore::get_image_scan(
    std::string_view repository, std::string_view digest) {
  return with_reader([&](sqlite::Db& db) -> Result<std::optional<ImageScanRecord>> {
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt query,
        db.prepare("SELECT s.distro, s.indexed_at, s.db_generation, s.matched_at, "
                   "s.report_digest FROM image_scans s JOIN repositories r ON r.id = "
                   "s.repository_id WHERE r.name = ? AND s.manifest_digest = ?"));
    BULWARK_ASSIGN_OR_RETURN(bool found, query.bind(repository).bind(digest).step());
    if (!found) return std::optional<ImageScanRecord>();
    return std::optional<ImageScanRecord>(ImageScanRecord{
        query.column_text(0), query.column_int(1), optional_int(query, 2), optional_int(query, 3),
        query.column_text(4)});
  });
}

Result<std::vector<StoredFinding>> SqliteMetadataStore::list_findings(std::string_view repository,
                                                                      std::string_view digest,
                                                                      bool include_resolved) {
  return with_reader([&](sqlite::Db& db) -> Result<std::vector<StoredFinding>> {
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt query,
        db.prepare("SELECT " + std::string(kFindingColumns) +
                   " FROM findings f JOIN repositories r ON r.id = f.repository_id WHERE r.name "
                   "= ?1 AND f.manifest_digest = ?2 AND (?3 OR f.resolved_at IS NULL)"));
    query.bind(repository).bind(digest).bind(int64_t{include_resolved ? 1 : 0});
    BULWARK_ASSIGN_OR_RETURN(auto rows, sqlite::collect_rows<StoredFinding>(query, finding_of));
    std::stable_sort(rows.begin(), rows.end(), [](const StoredFinding& a, const StoredFinding& b) {
      auto key = [](const StoredFinding& f) {
        return std::make_tuple(f.resolved_at.has_value(), severity_rank(f.finding.severity),
                               std::cref(f.finding.vulnerability), std::cref(f.finding.package_name));
      };
      return key(a) < key(b);
    });
    return rows;
  });
}

Result<std::vector<StoredFinding>> SqliteMetadataStore::overdue_findings(int64_t now, size_t limit) {
  return with_reader([&](sqlite::Db& db) -> Result<std::vector<StoredFinding>> {
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt query,
        db.prepare("SELECT " + std::string(kFindingColumns) +
                   " FROM findings f JOIN repositories r ON r.id = f.repository_id WHERE "
                   "f.resolved_at IS NULL AND f.deadline IS NOT NULL AND f.deadline < ? ORDER BY "
                   "f.deadline, r.name, f.manifest_digest LIMIT ?"));
    query.bind(now).bind(sqlite::clamp_limit(limit));
    return sqlite::collect_rows<StoredFinding>(query, finding_of);
  });
}

Result<std::vector<SeveritySummary>> SqliteMetadataStore::findings_summary(int64_t now) {
  return with_reader([&](sqlite::Db& db) -> Result<std::vector<SeveritySummary>> {
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt query,
        db.prepare("SELECT r.name, f.severity, SUM(f.resolved_at IS NULL), SUM(f.resolved_at "
                   "IS NULL AND f.deadline IS NOT NULL AND f.deadline < ?), SUM(f.resolved_at IS "
                   "NOT NULL), SUM(CASE WHEN f.resolved_at IS NOT NULL THEN f.resolved_at - "
                   "f.first_seen ELSE 0 END) FROM findings f JOIN repositories r ON r.id = "
                   "f.repository_id GROUP BY r.name, f.severity"));
    query.bind(now);
    BULWARK_ASSIGN_OR_RETURN(
        auto out, sqlite::collect_rows<SeveritySummary>(query, [](const sqlite::Stmt& row) {
          return SeveritySummary{row.column_text(0),
                                 row.column_text(1),
                                 static_cast<uint64_t>(row.column_int(2)),
                                 static_cast<uint64_t>(row.column_int(3)),
                                 static_cast<uint64_t>(row.column_int(4)),
                                 row.column_int(5)};
        }));
    std::sort(out.begin(), out.end(), [](const SeveritySummary& a, const SeveritySummary& b) {
      return std::make_tuple(std::cref(a.repository), severity_rank(a.severity)) <
             std::make_tuple(std::cref(b.repository), severity_rank(b.severity));
    });
    return out;
  });
}

}  // namespace bulwark::metadata
