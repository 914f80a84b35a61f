// Images stored in Bulwark itself: a manifest (or index) of a repository in the MetadataStore,
// its config and layers in the BlobStore. The same Image model as open_images(), for scanning on
// push and rescans without going through HTTP.
//
// Thread-safety: open_stored_images() is reentrant (the stores are thread-safe). The Images it
// returns refer to `blobs`: REQUIRES `blobs` outlives them (their open_layer reads from it).
#pragma once

#include <string_view>
#include <vector>

#include "common/digest.h"
#include "common/result.h"
#include "metadata/metadata_store.h"
#include "scan/source/image.h"
#include "storage/blob_store.h"

namespace bulwark::scan {

// The Images of manifest `manifest_digest` in `repository` (an index expands to one per platform,
// filtered by `platform`, "" = all), named "repository@digest". The manifest and config are
// verified against their digests. Errors: kNotFound (no such manifest, blob or platform),
// kDigestMismatch, kInvalidArgument (malformed platform or documents), store errors.
Result<std::vector<Image>> open_stored_images(storage::BlobStore& blobs,
                                              metadata::MetadataStore& metadata,
                                              std::string_view repository,
                                              const Digest& manifest_digest,
                                              std::string_view platform);

}  // namespace bulwark::scan
