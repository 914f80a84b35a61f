#include "scan/sbom/format.h"

#include "scan/sbom/cyclonedx.h"
#include "scan/sbom/spdx.h"
#include "scan/sbom/table.h"

namespace bulwark::scan {
namespace {

constexpr std::string_view kCycloneDxMediaType = "application/vnd.cyclonedx+json";

std::string write_cyclonedx_15(const Inventory& inventory) { return to_cyclonedx(inventory, 5); }
std::string write_cyclonedx_16(const Inventory& inventory) { return to_cyclonedx(inventory, 6); }

constexpr SbomFormat kFormats[] = {
    {"cyclonedx", kCycloneDxMediaType, &write_cyclonedx_16, "cdx.json"},
    {"cyclonedx-1.5", kCycloneDxMediaType, &write_cyclonedx_15, "cdx.json"},
    {"cyclonedx-1.6", kCycloneDxMediaType, &write_cyclonedx_16, "cdx.json"},
    {"spdx", "application/spdx+json", &to_spdx, "spdx.json"},
    {"table", "text/plain", &to_table, "txt"},
};

}  // namespace

const SbomFormat* find_sbom_format(std::string_view name) {
  for (const auto& format : kFormats) {
    if (format.name == name) return &format;
  }
  return nullptr;
}

std::span<const SbomFormat> sbom_formats() { return kFormats; }

}  // namespace bulwark::scan
