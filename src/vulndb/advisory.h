// The vulnerability database's record model: what every feed importer (sources/, one per feed,
// one table) turns its feed's own format into, and what the matcher reads.
//
// An Advisory is one feed's record (an OSV entry, a Debian tracker CVE, an Alpine secfix, an NVD
// CVE); aliases (CVE, GHSA, distribution ids) let the store merge records about the same
// vulnerability. Affected entries say which packages of which ecosystem (and, for OS packages,
// which distribution release) are affected, in the feed's own version terms, and what the
// distribution decided (fixed, not yet, never, not affected). Plain value types;
// thread-compatible.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace bulwark::vulndb {

// OSV-style range events, in the ecosystem's version order. kIntroduced, kFixed, kLastAffected and
// kLimit are OSV's; kIntroducedAfter is not an OSV kind: it opens an affected stretch at the first
// version above `version` (`version` itself is not affected), and only importers whose feeds state
// exclusive lower bounds produce it (RubySec/RustSec "<= X" unaffected, Composer "> X").
struct VersionEvent {
  enum class Kind { kIntroduced, kFixed, kLastAffected, kLimit, kIntroducedAfter };
  Kind kind = Kind::kIntroduced;
  std::string version;  // "0" for kIntroduced means "from the first version"
};

struct AffectedRange {
  std::string type;  // "ECOSYSTEM", "SEMVER" or "GIT" (GIT ranges cannot be matched to packages)
  std::vector<VersionEvent> events;
};

// What a distribution decided for a package (OS feeds); language feeds are kAffected.
enum class AffectedStatus {
  kAffected,     // the ranges/versions say which versions; a kFixed event names the fix
  kUnfixed,      // affected in every version, no fix yet
  kWillNotFix,   // affected, and the distribution will not fix it
  kNotAffected,  // the distribution says this package is not affected
};

struct Affected {
  std::string ecosystem;  // the purl type of the packages: "deb", "apk", "rpm", "npm", "pypi",
                          // "golang", "maven", "cargo", "gem", "composer", "nuget"
  std::string distro;     // OS packages: "debian:12", "ubuntu:22.04", "alpine:3.19",
                          // "almalinux:8", ...; empty for language ecosystems
  std::string package;    // as the feed names it (deb: the source package; maven: "group:artifact";
                          // composer: "vendor/name"; npm: "@scope/name")
  AffectedStatus status = AffectedStatus::kAffected;
  std::vector<AffectedRange> ranges;
  std::vector<std::string> versions;  // explicitly listed affected versions
  std::string severity;  // the distribution's own rating for this package, as written ("high")
};

// A severity as the feed states it.
struct SeverityRating {
  std::string type;   // "CVSS_V2", "CVSS_V3", "CVSS_V4", or "TEXT" for a plain rating
  std::string value;  // the CVSS vector, or the rating text ("HIGH", "moderate")
  std::string source; // who rated: "nvd", "ghsa", "debian", ... (may be empty)
};

struct Advisory {
  std::string id;                    // the feed's id: "GHSA-xxxx", "GO-2022-0001", "CVE-2024-1", "DSA-5000-1"
  std::vector<std::string> aliases;  // other ids of the same vulnerability (CVE first when known)
  std::vector<std::string> related;  // ids of related, distinct vulnerabilities (OSV "related":
                                     // e.g. the CVEs an AlmaLinux or Rocky erratum fixes)
  std::string source;                // the importer's name ("osv", "debian", "alpine", "nvd", ...)
  std::string summary;
  std::string details;
  std::string published;  // RFC 3339, may be empty
  std::string modified;   // RFC 3339, may be empty
  bool withdrawn = false;
  std::vector<SeverityRating> severities;
  std::vector<std::string> cwes;        // "CWE-79"
  std::vector<std::string> references;  // URLs
  std::vector<Affected> affected;
};

// CISA Known Exploited Vulnerabilities.
struct KevEntry {
  std::string cve;
  std::string vendor;
  std::string product;
  std::string date_added;  // YYYY-MM-DD
  std::string due_date;    // YYYY-MM-DD
  bool known_ransomware = false;
};

// FIRST EPSS.
struct EpssScore {
  std::string cve;
  double score = 0;       // probability of exploitation in the next 30 days, 0..1
  double percentile = 0;  // 0..1
};

// Where importers put what they read. Implemented by the store (and by tests).
class ImportSink {
 public:
  virtual ~ImportSink() = default;
  virtual Result<void> add_advisory(Advisory advisory) = 0;
  virtual Result<void> add_kev(KevEntry entry) = 0;
  virtual Result<void> add_epss(EpssScore score) = 0;
};

struct ImportStats {
  uint64_t records = 0;   // advisories, KEV entries or EPSS scores added
  uint64_t skipped = 0;   // records the importer could not use (each with a warning)
  std::vector<std::string> warnings;
};

// One feed format. `recognizes` looks at a path (file or directory) and says whether it is this
// feed (cheaply: names, and at most the first bytes of a file); `import` reads it all. Importers
// only read the path they are given; malformed records are skipped with a warning, a
// malformed file as a whole is an error.
struct Importer {
  std::string_view name;
  bool (*recognizes)(const std::filesystem::path& path);
  Result<ImportStats> (*import)(const std::filesystem::path& path, ImportSink& sink);
};

// Every importer (sources/all.cc).
std::span<const Importer> all_importers();

}  // namespace bulwark::vulndb
