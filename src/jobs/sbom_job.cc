// The "sbom" job (sbom_job.h).
#include "jobs/sbom_job.h"

#include <boost/json.hpp>

#include "jobs/artifact.h"
#include "scan/sbom/format.h"
#include "scan/source/stored.h"
#include "scan/walker.h"
#include "vulndb/match.h"

namespace bulwark::jobs {

namespace {

// The annotations of an attached SBOM's manifest: its format, and (deterministic) the image's own
// creation time, not the time of the scan.
boost::json::object artifact_annotations(const scan::SbomFormat& format, const scan::Inventory& inv) {
  boost::json::object annotations{{std::string(kSbomFormatAnnotation), format.name}};
  if (!inv.created.empty()) annotations["org.opencontainers.image.created"] = inv.created;
  return annotations;
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

  for (std::string_view name : kAttachedSbomFormats) {
    const scan::SbomFormat* format = scan::find_sbom_format(name);
    if (format == nullptr) return fail(ErrorCode::kInternal, "unknown SBOM format");
    Artifact artifact{std::string(format->media_type),
                      "sbom." + std::string(format->file_extension), format->write(inv),
                      artifact_annotations(*format, inv)};
    BULWARK_TRY_VOID(attach_artifact(blobs, metadata, repository, *subject, artifact));
  }

  std::vector<metadata::IndexedPackage> packages;
  packages.reserve(inv.packages.size());
  for (const auto& p : inv.packages) {
    // rpm versions are compared with their epoch ("1:1.2-3"); other types carry it in the version.
    std::string version = p.epoch ? std::to_string(*p.epoch) + ":" + p.version : p.version;
    // The source package only where it says something the binary's name and version do not.
    std::string source_name = p.source_name == p.name ? "" : p.source_name;
    std::string source_version = p.source_version == p.version ? "" : p.source_version;
    packages.push_back({p.type, p.namespace_, p.name, std::move(version), p.purl,
                        std::move(source_name), std::move(source_version)});
  }
  const std::string distro = inv.os ? vulndb::distro_of(*inv.os) : std::string();
  return index.put_image_packages(repository, digest_text, distro, packages);
}

}  // namespace bulwark::jobs
