// Vulnerability scan reports and their output formats (one file per format, one table in
// formats.cc): a table for people, Bulwark's JSON (also the registry's report referrer and API
// body), SARIF 2.1.0 for code-scanning dashboards, and a CycloneDX 1.6 VEX document.
//
// Plain value types and pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "vulndb/match.h"

namespace bulwark::vulndb {

// The findings of one image (one platform manifest).
struct ImageReport {
  std::string name;             // the reference as given ("docker://host/repo:tag", "repo@digest")
  std::string manifest_digest;  // "sha256:..."
  std::string platform;         // "linux/amd64"
  std::string distro;           // distro_of(os), may be empty
  std::string os_pretty_name;   // for people
  MatchResult result;
  std::vector<std::string> warnings;  // files the inventory could not read
};

struct ScanReport {
  int64_t db_generation = 0;
  int64_t db_updated_at = 0;  // unix seconds
  int64_t scanned_at = 0;     // unix seconds
  std::vector<ImageReport> images;
};

struct ReportFormat {
  std::string_view name;            // "table", "json", "sarif", "cyclonedx-vex"
  std::string_view media_type;      // "text/plain", "application/json", "application/sarif+json", ...
  std::string_view file_extension;  // "txt", "json", "sarif", "vex.json"
  std::string (*write)(const ScanReport& report);
};

std::span<const ReportFormat> report_formats();
const ReportFormat* find_report_format(std::string_view name);

// One finding as Bulwark's JSON report writes it (json.cc); the registry stores and serves the
// same object per finding.
boost::json::object finding_json(const Finding& finding);

// A 64-bit fingerprint of everything finding_json writes (not cryptographic): equal findings
// give equal fingerprints, so a re-match can tell an unchanged finding without serialising it.
uint64_t finding_fingerprint(const Finding& finding);

// Media type of Bulwark's JSON report when attached to an image as a referrer artifact.
inline constexpr std::string_view kScanReportMediaType = "application/vnd.bulwark.vulnerability-report.v1+json";

}  // namespace bulwark::vulndb
