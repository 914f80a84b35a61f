#include "vulndb/report/common.h"

#include "common/clock.h"
#include "scan/sbom/common.h"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace bulwark::vulndb::report_detail {

std::string_view fix_state(const Finding& finding) {
  if (finding.status == AffectedStatus::kNotAffected) return "not-affected";
  if (!finding.fixed_version.empty()) return "fixed";
  if (finding.status == AffectedStatus::kWillNotFix) return "will-not-fix";
  return "unfixed";
}

std::string rfc3339(int64_t unix_seconds) { return rfc3339_utc(unix_seconds); }

std::string age_text(int64_t from, int64_t to) {
  int64_t seconds = to > from ? to - from : 0;
  struct Unit {
    int64_t seconds;
    const char* name;
  };
  static constexpr Unit kUnits[] = {{86400, "day"}, {3600, "hour"}, {60, "minute"}};
  for (const auto& unit : kUnits) {
    int64_t n = seconds / unit.seconds;
    if (n > 0 || unit.seconds == 60)
      return std::to_string(n) + " " + unit.name + (n == 1 ? "" : "s");
  }
  return "0 minutes";
}

SeverityCounts count_by_severity(const MatchResult& result) {
  SeverityCounts counts{};
  for (const auto& f : result.findings) {
    auto i = static_cast<size_t>(f.severity);
    if (i < counts.size()) ++counts[i];
  }
  return counts;
}

std::string uri_escape(std::string_view s) {
  static constexpr std::string_view kAllowed =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=";
  auto is_hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool escape = c == '%' && i + 2 < s.size() && is_hex(s[i + 1]) && is_hex(s[i + 2]);
    if (escape || kAllowed.find(c) != std::string_view::npos) {
      out += c;
    } else {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", static_cast<unsigned char>(c));
      out += buf;
    }
  }
  return out;
}

scan::Inventory image_inventory(const ImageReport& image) {
  scan::Inventory inventory;
  inventory.name = image.name;
  inventory.manifest_digest = image.manifest_digest;
  inventory.platform = image.platform;
  return inventory;
}

boost::json::string text(std::string_view s) { return boost::json::string(scan::valid_utf8(s)); }

}  // namespace bulwark::vulndb::report_detail
