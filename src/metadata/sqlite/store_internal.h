// Internals shared by the files implementing SqliteMetadataStore (sqlite_metadata_store.cc,
// sqlite_identity.cc, sqlite_audit.cc): the connection helpers' template definitions and small
// row helpers. Not part of any public interface.
//
// Thread-safety: as SqliteMetadataStore (with_writer serialises writers on write_mu_).
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "metadata/sqlite/sqlite.h"
#include "metadata/sqlite/sqlite_metadata_store.h"

namespace bulwark::metadata {

// Queues a job inside the caller's write transaction (JobStore::enqueue_job, ManifestPut::jobs)
// unless the same one is queued or, unless `queued_only` (ManifestPut::related_jobs), running.
Result<void> enqueue_job_in(sqlite::Db& db, std::string_view kind, std::string_view repository,
                            std::string_view digest, int64_t now, bool queued_only = false);

// What makes a manifest an image (provenance_store.h), as SQL over `manifests m`: image
// manifests are recognised by their config media type (stored as artifact_type), indexes by
// their own media type without an artifactType; cosign's signature tags are excluded.
inline constexpr std::string_view kIsImage =
    "m.subject_digest IS NULL AND ("
    "m.artifact_type IN ('application/vnd.oci.image.config.v1+json', "
    "'application/vnd.docker.container.image.v1+json') OR "
    "(m.artifact_type = '' AND m.media_type IN ('application/vnd.oci.image.index.v1+json', "
    "'application/vnd.docker.distribution.manifest.list.v2+json'))) AND NOT EXISTS ("
    "SELECT 1 FROM tags t WHERE t.repository_id = m.repository_id AND "
    "t.manifest_digest = m.digest AND t.name LIKE 'sha256-%' AND (t.name LIKE '%.sig' OR "
    "t.name LIKE '%.att' OR t.name LIKE '%.sbom'))";

// Pages the stored images (kIsImage) in (repository id, digest) order after `cursor` (see
// ProvenanceStore::list_images_to_verify), restricted by `where` — SQL over `manifests m`,
// `repositories r` and the tables `join` adds, whose parameters `bind` binds.
Result<std::vector<ImageRef>> page_images(sqlite::Db& db, std::string_view join,
                                          std::string_view where,
                                          const std::function<void(sqlite::Stmt&)>& bind,
                                          std::string& cursor, size_t limit);

template <class F>
auto SqliteMetadataStore::with_reader(F&& body) -> decltype(body(std::declval<sqlite::Db&>())) {
  auto db = acquire_reader();
  if (!db) return fail(std::move(db.error()));
  auto result = body(**db);
  release_reader(std::move(*db));
  return result;
}

template <class F>
auto SqliteMetadataStore::with_writer(F&& body) -> decltype(body(std::declval<sqlite::Db&>())) {
  std::lock_guard lock(write_mu_);
  auto tx = sqlite::Transaction::begin(*writer_);
  if (!tx) return fail(std::move(tx.error()));
  auto result = body(*writer_);
  if (result) {
    auto committed = tx->commit();
    if (!committed) return fail(std::move(committed.error()));
  }
  return result;
}

template <class F>
auto SqliteMetadataStore::with_identity_writer(F&& body)
    -> decltype(body(std::declval<sqlite::Db&>())) {
  auto result = with_writer(std::forward<F>(body));
  if (result) identity_generation_->increment();
  return result;
}

namespace sqlite {

// A size_t page limit as a SQL integer.
inline int64_t clamp_limit(size_t limit) {
  return static_cast<int64_t>(std::min<uint64_t>(limit, std::numeric_limits<int64_t>::max()));
}

// Steps `query` to the end, converting each row with `from_row(const Stmt&)`, which returns
// either T or Result<T> (its first error ends the walk).
template <class T, class FromRow>
Result<std::vector<T>> collect_rows(Stmt& query, FromRow&& from_row) {
  std::vector<T> rows;
  for (;;) {
    BULWARK_ASSIGN_OR_RETURN(bool row, query.step());
    if (!row) return rows;
    if constexpr (std::is_same_v<decltype(from_row(query)), T>) {
      rows.push_back(from_row(query));
    } else {
      BULWARK_ASSIGN_OR_RETURN(T value, from_row(query));
      rows.push_back(std::move(value));
    }
  }
}

}  // namespace sqlite
}  // namespace bulwark::metadata
