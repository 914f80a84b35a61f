// CycloneDX 1.5 / 1.6 JSON for an image inventory.
//
// The document describes the image (metadata.component, type "container"), its operating system
// (type "operating-system") and one "library" component per package, in Inventory order, with
// purls, SPDX licences and bulwark:* properties (layer, evidence, source package). The output is
// deterministic: the same Inventory gives the same bytes (the serial number is derived from the
// content, the timestamp from the image config, never the clock). Pure function; thread-safe.
#pragma once

#include <string>

#include "scan/package.h"

namespace bulwark::scan {

// REQUIRES: minor is 5 or 6 (CycloneDX 1.5 or 1.6).
std::string to_cyclonedx(const Inventory& inventory, int minor);

}  // namespace bulwark::scan
