// The table report, for people: per image a header line (image, platform, distribution, database
// generation and age), one row per finding, and the count per severity.
#include <algorithm>
#include <array>
#include <cstdio>
#include <string_view>
#include <vector>

#include "scan/sbom/common.h"
#include "vulndb/report/common.h"

namespace bulwark::vulndb {
namespace {

using namespace report_detail;

constexpr size_t kColumns = 8;
constexpr std::array<std::string_view, kColumns> kHeader = {
    "VULNERABILITY", "SEVERITY", "PACKAGE", "INSTALLED", "FIXED", "STATUS", "KEV", "EPSS"};
using Row = std::array<std::string, kColumns>;

// Display width: code points (the text is valid UTF-8 by then).
size_t width(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string or_dash(std::string_view s) { return s.empty() ? "-" : scan::printable(s); }

// EPSS as a percentage with two decimals ("97.31%"), "-" when not scored.
std::string epss_text(const std::optional<double>& epss) {
  if (!epss) return "-";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f%%", *epss * 100.0);
  return buf;
}

Row row_of(const Finding& f) {
  return {or_dash(f.vulnerability),
          std::string(severity_name(f.severity)),
          or_dash(f.package_name),
          or_dash(f.installed_version),
          or_dash(f.fixed_version),
          std::string(fix_state(f)),
          f.kev ? "yes" : "-",
          epss_text(f.epss)};
}

void append_rows(std::string& out, const std::vector<Row>& rows) {
  std::array<size_t, kColumns> widths{};
  for (size_t c = 0; c < kColumns; ++c) widths[c] = kHeader[c].size();
  for (const auto& row : rows) {
    for (size_t c = 0; c < kColumns; ++c) widths[c] = std::max(widths[c], width(row[c]));
  }
  auto append_row = [&](auto cell) {
    std::string line;
    for (size_t c = 0; c < kColumns; ++c) {
      std::string_view text = cell(c);
      line += text;
      if (c + 1 < kColumns) line.append(widths[c] - width(text) + 2, ' ');
    }
    out += line;
    out += '\n';
  };
  append_row([&](size_t c) { return kHeader[c]; });
  for (const auto& row : rows) append_row([&](size_t c) { return std::string_view(row[c]); });
}

std::string image_header(const ScanReport& report, const ImageReport& image) {
  std::string out = scan::printable(image.name.empty() ? image.manifest_digest : image.name);
  if (!image.platform.empty()) out += " (" + scan::printable(image.platform) + ")";
  out += " - ";
  if (!image.distro.empty()) {
    out += scan::printable(image.distro);
    if (!image.os_pretty_name.empty()) out += " (" + scan::printable(image.os_pretty_name) + ")";
  } else {
    out += image.os_pretty_name.empty() ? "unknown distribution"
                                        : scan::printable(image.os_pretty_name);
  }
  out += " - database generation " + std::to_string(report.db_generation) + ", updated " +
         rfc3339(report.db_updated_at);
  if (report.db_updated_at > 0 && report.scanned_at > 0) {
    out += " (" + age_text(report.db_updated_at, report.scanned_at) + " before the scan)";
  }
  return out + "\n";
}

// "Total: 4 (critical: 1, high: 2, medium: 0, low: 1, negligible: 0, unknown: 0)"
std::string totals(const MatchResult& result) {
  SeverityCounts counts = count_by_severity(result);
  std::string out = "Total: " + std::to_string(result.findings.size()) + " (";
  for (size_t i = counts.size(); i-- > 0;) {
    out += std::string(severity_name(static_cast<Severity>(i))) + ": " + std::to_string(counts[i]);
    if (i > 0) out += ", ";
  }
  return out + ")\n";
}

}  // namespace

std::string write_table_report(const ScanReport& report) {
  std::string out;
  for (size_t i = 0; i < report.images.size(); ++i) {
    const ImageReport& image = report.images[i];
    if (i > 0) out += '\n';
    out += image_header(report, image);
    for (const auto& warning : image.warnings) out += "warning: " + scan::printable(warning) + "\n";
    if (image.result.findings.empty()) {
      out += "No vulnerabilities found\n";
      continue;
    }
    std::vector<Row> rows;
    rows.reserve(image.result.findings.size());
    for (const auto& f : image.result.findings) rows.push_back(row_of(f));
    out += '\n';
    append_rows(out, rows);
    out += '\n';
    out += totals(image.result);
  }
  if (report.images.empty()) out += "No images scanned\n";
  return out;
}

}  // namespace bulwark::vulndb
