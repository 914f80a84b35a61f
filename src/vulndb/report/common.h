// What the report writers (one file per format in report/) share: how a finding's state and
// times are spelled, the severity counts, and safe text. Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/string.hpp>

#include "scan/package.h"
#include "vulndb/match.h"
#include "vulndb/report/report.h"

namespace bulwark::vulndb {

// The writers of the format table (formats.cc), one file each.
std::string write_table_report(const ScanReport& report);          // table.cc
std::string write_json_report(const ScanReport& report);           // json.cc
std::string write_sarif_report(const ScanReport& report);          // sarif.cc
std::string write_cyclonedx_vex_report(const ScanReport& report);  // cyclonedx_vex.cc

}  // namespace bulwark::vulndb

namespace bulwark::vulndb::report_detail {

// A finding's remediation state as every format shows it: "fixed" (a fixed version exists),
// "unfixed" (no fix yet: the distribution says so, or the range is open-ended), "will-not-fix",
// "not-affected" (MatchResult::not_affected).
std::string_view fix_state(const Finding& finding);

// Unix seconds as "YYYY-MM-DDThh:mm:ssZ" (0 and out-of-range values as the epoch).
std::string rfc3339(int64_t unix_seconds);

// "3 days", "5 hours", "12 minutes", "0 minutes": how long `from` was before `to`.
std::string age_text(int64_t from, int64_t to);

// Findings per severity, indexed by static_cast<size_t>(Severity).
using SeverityCounts = std::array<uint64_t, 6>;
SeverityCounts count_by_severity(const MatchResult& result);

// `s` as a URI reference: bytes outside RFC 3986's unreserved and reserved sets (spaces,
// controls, non-ASCII, a '%' not starting an escape) percent-encoded.
std::string uri_escape(std::string_view s);

// Feed or image text as a JSON string, invalid UTF-8 replaced (scan::valid_utf8).
boost::json::string text(std::string_view s);

// The image as an inventory (name, digest, platform), for scan/sbom/common.h's image naming.
scan::Inventory image_inventory(const ImageReport& image);

}  // namespace bulwark::vulndb::report_detail
