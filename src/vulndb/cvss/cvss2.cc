// CVSS v2 base score (CVSS v2 guide, section 3.2.1) and NVD's v2 severity ranges.
#include <array>
#include <cmath>

#include "vulndb/cvss/cvss_internal.h"

namespace bulwark::vulndb::cvss_detail {
namespace {

// Base metrics first; temporal and environmental metrics are validated and kept but not scored.
constexpr std::array<MetricSpec, 14> kV2Metrics = {{
    {"AV", {"L", "A", "N"}, true},
    {"AC", {"H", "M", "L"}, true},
    {"Au", {"M", "S", "N"}, true},
    {"C", {"N", "P", "C"}, true},
    {"I", {"N", "P", "C"}, true},
    {"A", {"N", "P", "C"}, true},
    {"E", {"U", "POC", "F", "H", "ND"}, false},
    {"RL", {"OF", "TF", "W", "U", "ND"}, false},
    {"RC", {"UC", "UR", "C", "ND"}, false},
    {"CDP", {"N", "L", "LM", "MH", "H", "ND"}, false},
    {"TD", {"N", "L", "M", "H", "ND"}, false},
    {"CR", {"L", "M", "H", "ND"}, false},
    {"IR", {"L", "M", "H", "ND"}, false},
    {"AR", {"L", "M", "H", "ND"}, false},
}};
enum V2 { kAV, kAC, kAu, kC, kI, kA };

// Weights indexed like the values above.
constexpr std::array<double, 3> kAccessVector = {0.395, 0.646, 1.0};
constexpr std::array<double, 3> kAccessComplexity = {0.35, 0.61, 0.71};
constexpr std::array<double, 3> kAuthentication = {0.45, 0.56, 0.704};
constexpr std::array<double, 3> kImpact = {0.0, 0.275, 0.660};

// Round to one decimal, halves up; the epsilon absorbs binary representation error so that
// decimal ties (as in the guide's arithmetic) round up.
double round_one_decimal(double x) { return std::floor(x * 10.0 + 0.5 + 1e-9) / 10.0; }

std::string rating_v2(double score) {
  if (score >= 7.0) return "HIGH";
  if (score >= 4.0) return "MEDIUM";
  return "LOW";
}

}  // namespace

Result<CvssScore> score_v2(std::string_view body) {
  BULWARK_ASSIGN_OR_RETURN(MetricValues m, parse_metrics(body, kV2Metrics, "CVSS v2"));
  const auto w = [&m](const std::array<double, 3>& table, int metric) {
    return table[static_cast<size_t>(m[static_cast<size_t>(metric)])];
  };
  const double impact =
      10.41 * (1 - (1 - w(kImpact, kC)) * (1 - w(kImpact, kI)) * (1 - w(kImpact, kA)));
  const double exploitability = 20 * w(kAccessVector, kAV) * w(kAccessComplexity, kAC) *
                                w(kAuthentication, kAu);
  const double f_impact = impact == 0.0 ? 0.0 : 1.176;
  const double base = round_one_decimal(((0.6 * impact) + (0.4 * exploitability) - 1.5) * f_impact);
  CvssScore score;
  score.version = CvssVersion::kV2;
  score.base_score = base;
  score.severity = rating_v2(base);
  score.vector = normalise("", kV2Metrics, m);
  return score;
}

}  // namespace bulwark::vulndb::cvss_detail
