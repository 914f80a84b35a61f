// The SBOM output formats, one table: what `bulwark sbom -o FORMAT` accepts and what the registry
// attaches as a referrer (media_type is the artifactType). Immutable; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "scan/package.h"

namespace bulwark::scan {

struct SbomFormat {
  std::string_view name;  // "cyclonedx", "cyclonedx-1.5", "cyclonedx-1.6", "spdx", "table"
  std::string_view
      media_type;  // "application/vnd.cyclonedx+json", "application/spdx+json", "text/plain"
  std::string (*write)(const Inventory&);
  std::string_view file_extension;  // "cdx.json", "spdx.json", "txt"
};

// The format called `name` (exact, lower case), or nullptr.
const SbomFormat* find_sbom_format(std::string_view name);

// Every format, in a fixed order ("cyclonedx" first: the default).
std::span<const SbomFormat> sbom_formats();

}  // namespace bulwark::scan
