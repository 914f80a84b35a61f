// MetadataStore: repositories, manifests (raw bytes as pushed), tags, the blobs each repository
// holds, manifest->blob and manifest->manifest references, the referrers index and upload
// sessions.
//
// Every mutating call is one transaction. Ordering contract with BlobStore (crash safety): blob
// bytes are committed durably before link_blob() records them, and put_manifest() refuses a
// manifest whose referenced blobs/manifests are not recorded in the same repository, so no
// manifest can point at a missing blob and no tag at a missing manifest, whatever point a crash
// interrupts.
//
// Thread-safety: all methods are thread-safe (backends serialise writers internally). Calls block
// (disk I/O): call them from a worker thread, never from an I/O thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/digest.h"
#include "common/result.h"

namespace bulwark::metadata {

struct ManifestPut {
  std::string repository;
  Digest digest;
  std::string media_type;     // as declared by the document or Content-Type
  std::string artifact_type;  // artifactType, or config.mediaType for artifacts; may be empty
  std::optional<Digest> subject;
  std::string annotations_json;  // the manifest's "annotations" object as JSON text, or empty
  std::string content;           // exact bytes as pushed
  std::vector<Digest> blobs;     // config + layers (must already be linked in the repository)
  std::vector<Digest> manifests; // index children (must already exist in the repository)
  std::optional<std::string> tag;  // tag to point at this manifest in the same transaction
  std::vector<std::string> jobs;   // kinds of background jobs (JobStore) queued with it, if new
  // Jobs (kind, digest) queued with it for another manifest of the repository, e.g. verifying
  // again the image a pushed signature is about. Queued on every put, new manifest or not, and
  // not absorbed by a job of that kind already running for it (which may have read the image's
  // material before this put): JobStore's dedup applies to queued jobs only.
  std::vector<std::pair<std::string, Digest>> related_jobs;
  // Who pushes it (user or robot name; EnforcementStore::manifest_pusher). Recorded when the
  // manifest is new; pushing the same bytes again keeps the first pusher.
  std::string pusher;
};

struct ManifestRecord {
  std::string repository;
  Digest digest;
  std::string media_type;
  std::string artifact_type;
  std::optional<Digest> subject;
  std::string annotations_json;
  uint64_t size = 0;
  std::string content;  // empty when fetched by a listing call
  int64_t created_at = 0;  // unix seconds
};

struct UploadSession {
  std::string id;
  std::string repository;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct DeleteManifestResult {
  bool existed = false;
  std::vector<std::string> removed_tags;
};

class MetadataStore {
 public:
  virtual ~MetadataStore() = default;

  // --- repositories
  virtual Result<bool> repository_exists(std::string_view repository) = 0;
  // Repository names in lexical order after `after` (exclusive; empty = from the start).
  virtual Result<std::vector<std::string>> list_repositories(std::string_view after,
                                                             size_t limit) = 0;

  // --- blobs (per repository links to content-addressed blobs)
  // Records that `repository` holds blob `digest` of `size` bytes (creates the repository).
  virtual Result<void> link_blob(std::string_view repository, const Digest& digest,
                                 uint64_t size) = 0;
  // Size of the blob if `repository` holds it.
  virtual Result<std::optional<uint64_t>> blob_in_repository(std::string_view repository,
                                                             const Digest& digest) = 0;
  // Removes the link; false when the repository did not hold it.
  virtual Result<bool> unlink_blob(std::string_view repository, const Digest& digest) = 0;

  // --- manifests and tags
  // Stores a manifest (idempotent for identical content) and optionally moves a tag to it.
  // kMissingReference (message names the first missing digest) when a referenced blob or child
  // manifest is not in the repository.
  virtual Result<void> put_manifest(const ManifestPut& manifest) = 0;
  virtual Result<std::optional<ManifestRecord>> get_manifest(std::string_view repository,
                                                             const Digest& digest) = 0;
  virtual Result<std::optional<Digest>> resolve_tag(std::string_view repository,
                                                    std::string_view tag) = 0;
  // Deletes the manifest, its references and every tag pointing at it.
  virtual Result<DeleteManifestResult> delete_manifest(std::string_view repository,
                                                       const Digest& digest) = 0;
  virtual Result<bool> delete_tag(std::string_view repository, std::string_view tag) = 0;
  // Tags in lexical order after `after` (exclusive), at most `limit`.
  virtual Result<std::vector<std::string>> list_tags(std::string_view repository,
                                                     std::string_view after, size_t limit) = 0;
  // Manifests in `repository` whose subject is `subject`, optionally only of `artifact_type`,
  // ordered by digest; `content` is left empty.
  virtual Result<std::vector<ManifestRecord>> list_referrers(
      std::string_view repository, const Digest& subject,
      std::optional<std::string_view> artifact_type) = 0;

  // --- upload sessions
  virtual Result<void> create_upload(const UploadSession& session) = 0;
  virtual Result<std::optional<UploadSession>> get_upload(std::string_view id) = 0;
  virtual Result<void> touch_upload(std::string_view id, int64_t updated_at) = 0;
  virtual Result<void> delete_upload(std::string_view id) = 0;
  // Sessions whose updated_at is older than `before` (unix seconds).
  virtual Result<std::vector<UploadSession>> list_uploads_idle_since(int64_t before) = 0;
};

}  // namespace bulwark::metadata
