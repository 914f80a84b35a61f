// SPDX 2.3 JSON for an image inventory.
//
// Packages: the image (primaryPackagePurpose CONTAINER), its operating system (OPERATING_SYSTEM)
// and one package per inventory package, in Inventory order, each with a purl external reference,
// licenseDeclared (an SPDX expression; free-text licences become LicenseRef-* entries of
// hasExtractedLicensingInfos) and sourceInfo naming the layer and the evidence file.
// Relationships: the document DESCRIBES the image; the image CONTAINS the rest.
// Deterministic: same Inventory, same bytes (documentNamespace is derived from the manifest
// digest and a hash of the content; `created` from the image config). Pure; thread-safe.
#pragma once

#include <string>

#include "scan/package.h"

namespace bulwark::scan {

std::string to_spdx(const Inventory& inventory);

}  // namespace bulwark::scan
