// Attaching documents as referrers (artifact.h).
#include "jobs/artifact.h"

#include <boost/json.hpp>

#include "oci/media_types.h"

namespace bulwark::jobs {
namespace {

constexpr std::string_view kEmptyJson = "{}";

// Stores `bytes` as a blob of `repository` (content-addressed, so storing twice is harmless).
Result<Digest> store_blob(storage::BlobStore& blobs, metadata::MetadataStore& metadata,
                          std::string_view repository, std::string_view bytes) {
  Digest digest = Digest::of(bytes);
  BULWARK_TRY_VOID(blobs.put(digest, bytes));
  BULWARK_TRY_VOID(metadata.link_blob(repository, digest, bytes.size()));
  return digest;
}

}  // namespace

Result<Digest> attach_artifact(storage::BlobStore& blobs, metadata::MetadataStore& metadata,
                               std::string_view repository, const metadata::ManifestRecord& subject,
                               const Artifact& artifact) {
  namespace json = boost::json;
  BULWARK_ASSIGN_OR_RETURN(Digest empty, store_blob(blobs, metadata, repository, kEmptyJson));
  BULWARK_ASSIGN_OR_RETURN(Digest document,
                           store_blob(blobs, metadata, repository, artifact.document));
  json::object layer{
      {"mediaType", artifact.artifact_type},
      {"digest", document.str()},
      {"size", artifact.document.size()},
      {"annotations", json::object{{"org.opencontainers.image.title", artifact.title}}},
  };
  json::object manifest{
      {"schemaVersion", 2},
      {"mediaType", oci::media::kOciManifest},
      {"artifactType", artifact.artifact_type},
      {"config", json::object{{"mediaType", oci::media::kOciEmpty},
                              {"digest", empty.str()},
                              {"size", kEmptyJson.size()},
                              {"data", "e30="}}},
      {"layers", json::array{layer}},
      {"subject", json::object{{"mediaType", subject.media_type},
                               {"digest", subject.digest.str()},
                               {"size", subject.size}}},
      {"annotations", artifact.annotations},
  };
  metadata::ManifestPut put;
  put.repository = std::string(repository);
  put.content = json::serialize(manifest);
  put.digest = Digest::of(put.content);
  put.media_type = oci::media::kOciManifest;
  put.artifact_type = artifact.artifact_type;
  put.subject = subject.digest;
  put.annotations_json = json::serialize(artifact.annotations);
  put.blobs = {empty, document};
  BULWARK_TRY_VOID(metadata.put_manifest(put));
  return put.digest;
}

}  // namespace bulwark::jobs
