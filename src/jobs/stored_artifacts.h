// StoredArtifacts: trust::ArtifactStore (trust/image_signatures.h) over the server's own stores,
// for one repository, so that the provenance job finds an image's signatures the way the CLI
// finds them in a remote registry: manifests by tag and digest, blobs, and the referrers index
// (the same descriptors GET /v2/<name>/referrers/<digest> answers). Reading only: the push_*
// operations answer kUnsupported. Blobs must be in the repository, not merely in the blob store.
//
// Thread-safety: as thread-safe as the stores (which are); holds no mutable state.
#pragma once

#include <string>

#include "metadata/metadata_store.h"
#include "storage/blob_store.h"
#include "trust/image_signatures.h"

namespace bulwark::jobs {

class StoredArtifacts final : public trust::ArtifactStore {
 public:
  // REQUIRES: blobs and metadata outlive this object.
  StoredArtifacts(storage::BlobStore& blobs, metadata::MetadataStore& metadata,
                  std::string repository);

  Result<std::optional<std::string>> manifest_by_tag(std::string_view tag) override;
  Result<std::string> manifest(const Digest& digest) override;
  Result<std::string> blob(const Digest& digest, uint64_t max_bytes) override;
  Result<std::string> referrers(const Digest& subject) override;
  Result<void> push_blob(std::string_view bytes) override;
  Result<bool> push_manifest(std::string_view tag, std::string_view media_type,
                             std::string_view bytes) override;

 private:
  storage::BlobStore& blobs_;
  metadata::MetadataStore& metadata_;
  const std::string repository_;
};

}  // namespace bulwark::jobs
