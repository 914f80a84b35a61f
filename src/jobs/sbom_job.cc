// The "sbom" job (sbom_job.h).
#include "jobs/sbom_job.h"

#include <boost/json.hpp>

#include "oci/media_types.h"
#include "scan/sbom/format.h"
#include "scan/source/stored.h"
#include "scan/walker.h"

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

// The annotations of an attached SBOM's manifest: its format, and (deterministic) the image's own
// creation time, not the time of the scan.
boost::json::object artifact_annotations(const scan::SbomFormat& format, const scan::Inventory& inv) {
  boost::json::object annotations{{std::string(kSbomFormatAnnotation), format.name}};
  if (!inv.created.empty()) annotations["org.opencontainers.image.created"] = inv.created;
  return annotations;
}

// The artifact manifest attaching one SBOM document to `subject`.
std::string artifact_manifest(const scan::SbomFormat& format, const Digest& document, size_t size,
                              const metadata::ManifestRecord& subject,
                              const boost::json::object& annotations, const Digest& empty) {
  namespace json = boost::json;
  json::object title;
  title["org.opencontainers.image.title"] = "sbom." + std::string(format.file_extension);
  json::object layer;
  layer["mediaType"] = format.media_type;
  layer["digest"] = document.str();
  layer["size"] = size;
  layer["annotations"] = std::move(title);
  json::object manifest{
      {"schemaVersion", 2},
      {"mediaType", oci::media::kOciManifest},
      {"artifactType", format.media_type},
      {"config", json::object{{"mediaType", oci::media::kOciEmpty},
                              {"digest", empty.str()},
                              {"size", kEmptyJson.size()},
                              {"data", "e30="}}},
      {"layers", json::array{layer}},
      {"subject", json::object{{"mediaType", subject.media_type},
                               {"digest", subject.digest.str()},
                               {"size", subject.size}}},
      {"annotations", annotations},
  };
  return json::serialize(manifest);
}

}  // namespace

Result<void> generate_sbom(storage::BlobStore& blobs, metadata::MetadataStore& metadata,
                           metadata::InventoryStore& index, std::string_view repository,
                           std::string_view digest_text) {
  BULWARK_ASSIGN_OR_RETURN(Digest digest, Digest::parse(digest_text));
  BULWARK_ASSIGN_OR_RETURN(auto subject, metadata.get_manifest(repository, digest));
  if (!subject) return fail(ErrorCode::kNotFound, "the image is gone");
  BULWARK_ASSIGN_OR_RETURN(auto images, scan::open_stored_images(blobs, metadata, repository, digest, ""));
  if (images.size() != 1) return fail(ErrorCode::kUnsupported, "not a single image manifest");
  BULWARK_ASSIGN_OR_RETURN(scan::Inventory inv, scan::inventory(images[0]));

  BULWARK_ASSIGN_OR_RETURN(Digest empty, store_blob(blobs, metadata, repository, kEmptyJson));
  for (std::string_view name : kAttachedSbomFormats) {
    const scan::SbomFormat* format = scan::find_sbom_format(name);
    if (format == nullptr) return fail(ErrorCode::kInternal, "unknown SBOM format");
    std::string document = format->write(inv);
    BULWARK_ASSIGN_OR_RETURN(Digest doc, store_blob(blobs, metadata, repository, document));
    metadata::ManifestPut put;
    put.repository = std::string(repository);
    const boost::json::object annotations = artifact_annotations(*format, inv);
    put.content = artifact_manifest(*format, doc, document.size(), *subject, annotations, empty);
    put.digest = Digest::of(put.content);
    put.media_type = oci::media::kOciManifest;
    put.artifact_type = format->media_type;
    put.subject = digest;
    put.annotations_json = boost::json::serialize(annotations);
    put.blobs = {empty, doc};
    BULWARK_TRY_VOID(metadata.put_manifest(put));
  }

  std::vector<metadata::IndexedPackage> packages;
  packages.reserve(inv.packages.size());
  for (const auto& p : inv.packages) {
    // rpm versions are compared with their epoch ("1:1.2-3"); other types carry it in the version.
    std::string version = p.epoch ? std::to_string(*p.epoch) + ":" + p.version : p.version;
    packages.push_back({p.type, p.namespace_, p.name, std::move(version), p.purl});
  }
  return index.put_image_packages(repository, digest_text, packages);
}

}  // namespace bulwark::jobs
