// Matching an image's packages against the vulnerability database.
//
// A MatchIndex is an immutable in-memory index of one database snapshot: every advisory's
// affected entries keyed by (ecosystem, distribution release, normalised package name), with
// their range events pre-sorted in the ecosystem's version order (version/scheme.h), the alias
// groups merged into vulnerabilities (CVE, GHSA, OSV and distribution ids of the same flaw are one
// vulnerability, named by its CVE when it has one), and the KEV and EPSS tables. Building it is
// the expensive part; matching an image is hash lookups plus a few comparisons per package.
//
// Matching rules:
//  - OS packages (deb, apk, rpm) match only advisories of the image's distribution release
//    (distro_of) and by source package (Package::source_name, else the binary name; rpm also by
//    binary name), comparing the source version when the feed speaks of source packages (deb,
//    apk origin) and the package version otherwise;
//  - language packages match by ecosystem and normalised name (normalize_package_name) and their
//    ranges, whatever the image's distribution;
//  - a distribution's kUnfixed and kWillNotFix are findings without a fix; kNotAffected is kept
//    apart (MatchResult::not_affected) and never a finding.
//
// Thread-safety: a built MatchIndex is immutable; match() may be called from any number of
// threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "scan/package.h"
#include "vulndb/advisory.h"
#include "vulndb/severity.h"

namespace bulwark::vulndb {

// The distribution release an image's advisories are filed under, in Affected::distro's
// spelling: "debian:12" (Debian testing, which has no VERSION_ID and cannot be told from sid by
// its files: the number the tracker files its codename under, "trixie" -> "debian:13"; "sid"
// alone: "debian:unstable"), "ubuntu:22.04", "alpine:3.19" (major.minor of VERSION_ID; edge:
// "alpine:edge"), "almalinux:8" and "rocky:9" (major), "redhat:9" (RHEL and CentOS), ...
// Empty when the OS is unknown or has no feed.
std::string distro_of(const scan::OsRelease& os);

// The name under which `ecosystem` (purl type) compares package names, one rule per ecosystem
// in a table: PyPI per PEP 503 (lower case, runs of "-_." as one "-"); NuGet and Composer lower
// case (their registries are case-insensitive); cargo lower case with "_" as "-" (crates.io
// treats them as the same crate); everything else exactly as written (npm, gem, golang module
// paths, Maven "group:artifact" are case-sensitive). Applied to the feed's names and the image's.
std::string normalize_package_name(std::string_view ecosystem, std::string_view name);

// The package name as the feed names it, from an inventory package: golang "namespace/name",
// maven "namespace:name", npm "@scope/name", composer "vendor/name", others the name.
std::string feed_package_name(const scan::Package& package);

// What the matcher needs of one package (a subset of scan::Package, also rebuilt from the
// registry's package index when stored images are re-matched).
struct MatchPackage {
  std::string type;            // purl type
  std::string name;            // feed_package_name(): as the feeds name it
  std::string version;         // rpm: "E:V-R" when it has an epoch
  std::string source_name;     // OS packages: source package (deb Source, apk origin, rpm SRPM name)
  std::string source_version;  // deb: the source version when it differs from the binary's
  std::string purl;
};

MatchPackage match_package(const scan::Package& package);

struct MatchInput {
  std::string distro;  // distro_of(inventory.os)
  std::vector<MatchPackage> packages;
};

// One vulnerability in one package.
struct Finding {
  std::string vulnerability;         // the merged vulnerability's id: its CVE when it has one
  std::vector<std::string> aliases;  // every other id of the merged vulnerability, sorted
  std::string advisory;              // the feed record that matched ("DSA-5000-1", "GHSA-...", "CVE-...")
  std::string advisory_source;       // its importer ("debian", "osv", "alpine", ...)
  std::string summary;               // the best available one-line description
  std::string package_name;          // the matched package as the feed names it
  std::string package_type;
  std::string installed_version;
  std::string purl;
  AffectedStatus status = AffectedStatus::kAffected;  // kAffected (a fix exists or the range is
                                                      // open-ended), kUnfixed, kWillNotFix, or
                                                      // kNotAffected in MatchResult::not_affected
  std::string fixed_version;         // the first fixed version above the installed one; empty if none
  Severity severity = Severity::kUnknown;
  // Where the severity came from: "debian" (the distribution's own rating), "nvd:CVSS 3.1",
  // "ghsa:CVSS 4.0", "osv:text", or empty when unrated.
  std::string severity_source;
  std::optional<double> cvss_score;  // the base score behind the severity, when it came from CVSS
  std::string cvss_vector;
  bool kev = false;                  // in CISA's Known Exploited Vulnerabilities catalog
  std::string kev_due_date;          // KEV's remediation due date, when in KEV
  std::optional<double> epss;        // EPSS probability (0..1), when scored
  std::optional<double> epss_percentile;
  std::vector<std::string> cwes;
  std::vector<std::string> references;
};

struct MatchResult {
  std::vector<Finding> findings;      // sorted by severity (worst first), vulnerability, package
  std::vector<Finding> not_affected;  // the distribution says these packages are not affected
};

// Counts of one built index, for `bulwark db status` and logs.
struct IndexStats {
  uint64_t advisories = 0;
  uint64_t vulnerabilities = 0;  // after alias merging
  uint64_t affected_entries = 0;
  uint64_t kev = 0;
  uint64_t epss = 0;
};

// The lookup keys of an index (one per ecosystem, distribution release and normalised package
// name that has entries), each with a fingerprint of everything a finding made from that key's
// entries is derived from: the compiled entries, their advisories, summaries, fallback ratings,
// CWEs, and their merged vulnerabilities' names, aliases, KEV and EPSS data. Two indexes that give
// a key the same fingerprint give every package looked up under it the same findings, so an
// image none of whose packages' keys changed (match_keys_of) needs no new match.
using MatchKeyFingerprints = std::unordered_map<std::string, uint64_t>;

// The keys whose fingerprint differs between two indexes, or that only one of them has; sorted.
std::vector<std::string> changed_match_keys(const MatchKeyFingerprints& before,
                                            const MatchKeyFingerprints& after);

// The keys `package` is looked up under in an image of `distro` (match's rules: OS packages by
// source name, rpm also by binary name, none without a distribution; language packages by name).
std::vector<std::string> match_keys_of(const MatchPackage& package, std::string_view distro);

// The key of the entry a finding came from, from what a stored finding keeps (its package type
// and the package name as the feed names it) and the image's distribution.
std::string finding_match_key(std::string_view package_type, std::string_view package_name,
                              std::string_view distro);

class MatchIndex {
 public:
  // Builds the index from a database snapshot. Withdrawn advisories are dropped; affected entries
  // whose ecosystem has no version scheme use the generic one.
  static std::shared_ptr<const MatchIndex> build(std::vector<Advisory> advisories,
                                                 std::vector<KevEntry> kev,
                                                 std::vector<EpssScore> epss);
  virtual ~MatchIndex() = default;

  virtual MatchResult match(const MatchInput& input) const = 0;
  virtual IndexStats stats() const = 0;
  // Every id of the vulnerability `id` belongs to (itself included), or empty when unknown.
  virtual std::vector<std::string> aliases_of(std::string_view id) const = 0;
  // Every lookup key with its fingerprint (MatchKeyFingerprints). Walks the whole index: call it
  // once per snapshot.
  virtual MatchKeyFingerprints key_fingerprints() const = 0;
};

// Convenience: matches a scanned inventory.
MatchResult match_inventory(const MatchIndex& index, const scan::Inventory& inventory);

}  // namespace bulwark::vulndb
