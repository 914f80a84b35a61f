// The table of every feed importer; `bulwark db import PATH` asks each whether it recognizes PATH.
// Each importer lives in its own file of this folder and is declared here.
#include <array>

#include "vulndb/advisory.h"

namespace bulwark::vulndb {

extern const Importer kOsvImporter;            // osv.cc: OSV JSON/YAML (all ecosystems, GHSA, Go, PyPA)
extern const Importer kDebianTrackerImporter;  // debian.cc: security-tracker JSON
extern const Importer kAlpineSecdbImporter;    // alpine.cc: secdb YAML/JSON
extern const Importer kKevImporter;            // kev.cc: CISA KEV catalog JSON
extern const Importer kEpssImporter;           // epss.cc: EPSS CSV

namespace {
const std::array<Importer, 5> kAll = {kOsvImporter, kDebianTrackerImporter, kAlpineSecdbImporter,
                                      kKevImporter, kEpssImporter};
}  // namespace

std::span<const Importer> all_importers() { return kAll; }

}  // namespace bulwark::vulndb
