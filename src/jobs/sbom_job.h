// The "sbom" job: inventories a pushed image from the store, attaches its SBOMs as OCI 1.1
// referrers (one CycloneDX 1.6 and one SPDX 2.3 artifact manifest whose subject is the image) and
// indexes its packages (InventoryStore). Idempotent: the documents are deterministic, so running
// it twice stores the same manifests.
//
// Thread-safety: stateless; safe to run concurrently for different images.
#pragma once

#include <string_view>

#include "common/result.h"
#include "metadata/inventory_store.h"
#include "metadata/metadata_store.h"
#include "storage/blob_store.h"

namespace bulwark::jobs {

inline constexpr std::string_view kSbomJob = "sbom";

// The SBOM formats attached on push, by sbom format name (scan/sbom/format.h).
inline constexpr std::string_view kAttachedSbomFormats[] = {"cyclonedx", "spdx"};

// Annotation naming the format of an attached SBOM ("cyclonedx-1.6", "spdx-2.3").
inline constexpr std::string_view kSbomFormatAnnotation = "dev.bulwark.sbom.format";

Result<void> generate_sbom(storage::BlobStore& blobs, metadata::MetadataStore& metadata,
                           metadata::InventoryStore& inventory, std::string_view repository,
                           std::string_view digest);

}  // namespace bulwark::jobs
