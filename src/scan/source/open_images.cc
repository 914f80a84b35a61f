// open_images(): reads the transport prefix of a reference and dispatches through one table.
#include <array>

#include "common/strict_json.h"
#include "scan/source/internal.h"

namespace bulwark::scan {
namespace {

using Opener = Result<std::vector<Image>> (*)(std::string_view rest, const std::string& name,
                                               const SourceOptions& options);

struct Transport {
  std::string_view prefix;
  Opener open;  // nullptr: a transport skopeo knows that we do not read
};

constexpr std::array kTransports = {
    Transport{"docker://", &open_registry_images},
    Transport{"oci:", &open_oci_layout_images},
    Transport{"docker-archive:", &open_docker_archive_images},
    Transport{"oci-archive:", nullptr},
    Transport{"dir:", nullptr},
    Transport{"containers-storage:", nullptr},
    Transport{"docker-daemon:", nullptr},
    Transport{"tarball:", nullptr},
    Transport{"sif:", nullptr},
};

}  // namespace

Result<std::vector<Image>> open_images(std::string_view reference, const SourceOptions& options) {
  if (reference.empty()) return fail(ErrorCode::kInvalidArgument, "empty image reference");
  if (!options.platform.empty()) {
    BULWARK_TRY_VOID(source::parse_platform(options.platform));
  }
  std::string name(reference);
  for (const Transport& t : kTransports) {
    if (!reference.starts_with(t.prefix)) continue;
    if (t.open == nullptr) {
      return fail(ErrorCode::kInvalidArgument,
                  "the " + std::string(t.prefix.substr(0, t.prefix.find(':'))) +
                      " transport is not supported (use docker://, oci: or docker-archive:)");
    }
    return t.open(reference.substr(t.prefix.size()), name, options);
  }
  // No transport: a registry reference (HOST/REPO:TAG), as skopeo's docker:// names it.
  if (reference.find("://") != std::string_view::npos) {
    return fail(ErrorCode::kInvalidArgument,
                "unknown transport in image reference " + quote_untrusted(reference));
  }
  return open_registry_images(reference, name, options);
}

}  // namespace bulwark::scan
