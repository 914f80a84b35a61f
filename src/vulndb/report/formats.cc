// The report format table: every output format of `bulwark scan` (and the registry's report
// artifacts), one writer per file.
#include <array>

#include "vulndb/report/common.h"
#include "vulndb/report/report.h"

namespace bulwark::vulndb {

namespace {

constexpr std::array<ReportFormat, 4> kFormats = {{
    {"table", "text/plain; charset=utf-8", "txt", write_table_report},
    {"json", kScanReportMediaType, "json", write_json_report},
    {"sarif", "application/sarif+json", "sarif", write_sarif_report},
    {"cyclonedx-vex", "application/vnd.cyclonedx+json", "vex.json", write_cyclonedx_vex_report},
}};

}  // namespace

std::span<const ReportFormat> report_formats() { return kFormats; }

const ReportFormat* find_report_format(std::string_view name) {
  for (const auto& format : kFormats) {
    if (format.name == name) return &format;
  }
  return nullptr;
}

}  // namespace bulwark::vulndb
