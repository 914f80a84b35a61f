// Attaching a document to an image as an OCI 1.1 referrer: the document is stored as a blob and
// an artifact manifest (empty config, one layer, `subject` = the image) names it. Used by the
// jobs that attach what they computed (SBOMs, vulnerability reports).
//
// Thread-safety: stateless; the stores synchronise themselves.
#pragma once

#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "common/result.h"
#include "metadata/metadata_store.h"
#include "storage/blob_store.h"

namespace bulwark::jobs {

struct Artifact {
  std::string artifact_type;  // also the document layer's media type
  std::string title;          // the layer's org.opencontainers.image.title ("sbom.cdx.json")
  std::string document;       // the bytes to attach
  boost::json::object annotations;  // of the artifact manifest
};

// Stores `artifact` in `repository` as a referrer of `subject`; returns the artifact manifest's
// digest. Idempotent: the same artifact stores the same manifest.
Result<Digest> attach_artifact(storage::BlobStore& blobs, metadata::MetadataStore& metadata,
                               std::string_view repository, const metadata::ManifestRecord& subject,
                               const Artifact& artifact);

}  // namespace bulwark::jobs
