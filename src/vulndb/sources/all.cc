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
extern const Importer kNvdImporter;            // nvd.cc: NVD CVE API 2.0 JSON
extern const Importer kRustsecImporter;        // rustsec.cc: RustSec advisory-db Markdown+TOML
extern const Importer kRubysecImporter;        // rubysec.cc: ruby-advisory-db YAML
extern const Importer kFriendsOfPhpImporter;   // friendsofphp.cc: FriendsOfPHP security-advisories YAML

namespace {
const std::array<Importer, 9> kAll = {kOsvImporter, kDebianTrackerImporter, kAlpineSecdbImporter,
                                      kKevImporter, kEpssImporter, kNvdImporter,
                                      kRustsecImporter, kRubysecImporter, kFriendsOfPhpImporter};
}  // namespace

std::span<const Importer> all_importers() { return kAll; }

}  // namespace bulwark::vulndb
