// CVSS v3.0 and v3.1 base scores (specification section 7.1; 3.1 Appendix A Roundup).
#include <algorithm>
#include <array>
#include <cmath>

#include "vulndb/cvss/cvss_internal.h"

namespace bulwark::vulndb::cvss_detail {
namespace {

// Base metrics first; temporal and environmental metrics are validated and kept but not scored.
constexpr std::array<MetricSpec, 22> kV3Metrics = {{
    {"AV", {"N", "A", "L", "P"}, true},
    {"AC", {"L", "H"}, true},
    {"PR", {"N", "L", "H"}, true},
    {"UI", {"N", "R"}, true},
    {"S", {"U", "C"}, true},
    {"C", {"H", "L", "N"}, true},
    {"I", {"H", "L", "N"}, true},
    {"A", {"H", "L", "N"}, true},
    {"E", {"X", "H", "F", "P", "U"}, false},
    {"RL", {"X", "U", "W", "T", "O"}, false},
    {"RC", {"X", "C", "R", "U"}, false},
    {"CR", {"X", "H", "M", "L"}, false},
    {"IR", {"X", "H", "M", "L"}, false},
    {"AR", {"X", "H", "M", "L"}, false},
    {"MAV", {"X", "N", "A", "L", "P"}, false},
    {"MAC", {"X", "L", "H"}, false},
    {"MPR", {"X", "N", "L", "H"}, false},
    {"MUI", {"X", "N", "R"}, false},
    {"MS", {"X", "U", "C"}, false},
    {"MC", {"X", "H", "L", "N"}, false},
    {"MI", {"X", "H", "L", "N"}, false},
    {"MA", {"X", "H", "L", "N"}, false},
}};
enum V3 { kAV, kAC, kPR, kUI, kS, kC, kI, kA };

// Weights indexed like the values above (specification section 7.4).
constexpr std::array<double, 4> kAttackVector = {0.85, 0.62, 0.55, 0.2};
constexpr std::array<double, 2> kAttackComplexity = {0.77, 0.44};
constexpr std::array<double, 3> kPrivilegesUnchanged = {0.85, 0.62, 0.27};
constexpr std::array<double, 3> kPrivilegesChanged = {0.85, 0.68, 0.5};
constexpr std::array<double, 2> kUserInteraction = {0.85, 0.62};
constexpr std::array<double, 3> kImpact = {0.56, 0.22, 0.0};

}  // namespace

// v3.0: the smallest number, to one decimal, equal to or higher than the input.
double roundup_v30(double x) { return std::ceil(x * 10.0) / 10.0; }

// v3.1 Appendix A: the same, computed on an integer so floating point error cannot push an exact
// decimal (e.g. 4.0000000001 from 0.1 arithmetic) up a step.
double roundup_v31(double x) {
  const auto int_input = static_cast<long long>(std::llround(x * 100000.0));
  if (int_input % 10000 == 0) return static_cast<double>(int_input) / 100000.0;
  return (std::floor(static_cast<double>(int_input) / 10000.0) + 1) / 10.0;
}

Result<CvssScore> score_v3(std::string_view body, CvssVersion version) {
  const bool v31 = version == CvssVersion::kV3_1;
  BULWARK_ASSIGN_OR_RETURN(MetricValues m,
                           parse_metrics(body, kV3Metrics, v31 ? "CVSS v3.1" : "CVSS v3.0"));
  const auto at = [&m](int metric) { return static_cast<size_t>(m[static_cast<size_t>(metric)]); };
  const bool changed = at(kS) == 1;
  const double iss =
      1 - (1 - kImpact[at(kC)]) * (1 - kImpact[at(kI)]) * (1 - kImpact[at(kA)]);
  const double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * std::pow(iss - 0.02, 15)
                                : 6.42 * iss;
  const double exploitability =
      8.22 * kAttackVector[at(kAV)] * kAttackComplexity[at(kAC)] *
      (changed ? kPrivilegesChanged : kPrivilegesUnchanged)[at(kPR)] * kUserInteraction[at(kUI)];
  double (*roundup)(double) = v31 ? &roundup_v31 : &roundup_v30;
  double base = 0.0;
  if (impact > 0) {
    base = changed ? roundup(std::min(1.08 * (impact + exploitability), 10.0))
                   : roundup(std::min(impact + exploitability, 10.0));
  }
  CvssScore score;
  score.version = version;
  score.base_score = base;
  score.severity = rating_v3(base);
  score.vector = normalise(v31 ? "CVSS:3.1/" : "CVSS:3.0/", kV3Metrics, m);
  return score;
}

}  // namespace bulwark::vulndb::cvss_detail
