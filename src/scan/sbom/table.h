// A human-readable inventory: a header (image, digest, platform, OS), one aligned row per package
// (TYPE NAME VERSION LAYER EVIDENCE; LAYER is the short hex of the layer digest), then the
// warnings. Text from the image is made terminal-safe (control and bidi characters become '?').
// Deterministic; pure function; thread-safe.
#pragma once

#include <string>

#include "scan/package.h"

namespace bulwark::scan {

std::string to_table(const Inventory& inventory);

}  // namespace bulwark::scan
