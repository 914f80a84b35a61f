// CVSS v4.0 base score (CVSS-B): the macrovector algorithm of the CVSS v4.0 specification
// (section 8.2) as implemented by the FIRST calculator (github.com/FIRST-org/cvss-v4-calculator,
// cvss_score.js): classify the vector into one of 270 macrovectors (EQ1..EQ6), take that
// macrovector's score from the lookup table, then subtract the mean over the EQs of (score gap to
// the next lower macrovector) x (severity distance from the macrovector's highest-severity vector
// / the macrovector's depth). Only base metrics are scored: Exploit Maturity counts as Attacked
// and the security requirements as High, as the specification says for unset metrics; threat,
// environmental and supplemental metrics are validated and kept in the vector only.
#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <string>

#include "vulndb/cvss/cvss_internal.h"

namespace bulwark::vulndb::cvss_detail {
namespace {

// Specification order (section 7): base, threat, environmental, supplemental.
constexpr std::array<MetricSpec, 32> kV4Metrics = {{
    {"AV", {"N", "A", "L", "P"}, true},
    {"AC", {"L", "H"}, true},
    {"AT", {"N", "P"}, true},
    {"PR", {"N", "L", "H"}, true},
    {"UI", {"N", "P", "A"}, true},
    {"VC", {"H", "L", "N"}, true},
    {"VI", {"H", "L", "N"}, true},
    {"VA", {"H", "L", "N"}, true},
    {"SC", {"H", "L", "N"}, true},
    {"SI", {"H", "L", "N"}, true},
    {"SA", {"H", "L", "N"}, true},
    {"E", {"X", "A", "P", "U"}, false},
    {"CR", {"X", "H", "M", "L"}, false},
    {"IR", {"X", "H", "M", "L"}, false},
    {"AR", {"X", "H", "M", "L"}, false},
    {"MAV", {"X", "N", "A", "L", "P"}, false},
    {"MAC", {"X", "L", "H"}, false},
    {"MAT", {"X", "N", "P"}, false},
    {"MPR", {"X", "N", "L", "H"}, false},
    {"MUI", {"X", "N", "P", "A"}, false},
    {"MVC", {"X", "H", "L", "N"}, false},
    {"MVI", {"X", "H", "L", "N"}, false},
    {"MVA", {"X", "H", "L", "N"}, false},
    {"MSC", {"X", "H", "L", "N"}, false},
    {"MSI", {"X", "S", "H", "L", "N"}, false},
    {"MSA", {"X", "S", "H", "L", "N"}, false},
    {"S", {"X", "N", "P"}, false},
    {"AU", {"X", "N", "Y"}, false},
    {"R", {"X", "A", "U", "I"}, false},
    {"V", {"X", "D", "C"}, false},
    {"RE", {"X", "L", "M", "H"}, false},
    {"U", {"X", "Clear", "Green", "Amber", "Red"}, false},
}};
constexpr size_t kV4BaseCount = 11;  // the first 11 specs, in the order of Metric below

// The metrics the severity distance is measured over, with their severity levels in tenths
// (cvss_score.js: AV_levels .. AR_levels): a value's level is its index in `values`.
enum Metric { kAV, kAC, kAT, kPR, kUI, kVC, kVI, kVA, kSC, kSI, kSA, kCR, kIR, kAR, kMetricCount };
struct LevelSpec {
  std::string_view name;
  std::array<std::string_view, 4> values;
};
constexpr std::array<LevelSpec, kMetricCount> kLevels = {{
    {"AV", {"N", "A", "L", "P"}},
    {"AC", {"L", "H"}},
    {"AT", {"N", "P"}},
    {"PR", {"N", "L", "H"}},
    {"UI", {"N", "P", "A"}},
    {"VC", {"H", "L", "N"}},
    {"VI", {"H", "L", "N"}},
    {"VA", {"H", "L", "N"}},
    {"SC", {"S", "H", "L", "N"}},  // SC cannot be S; the slot keeps H at level 1 as in the spec
    {"SI", {"S", "H", "L", "N"}},
    {"SA", {"S", "H", "L", "N"}},
    {"CR", {"H", "M", "L"}},
    {"IR", {"H", "M", "L"}},
    {"AR", {"H", "M", "L"}},
}};
using Levels = std::array<int, kMetricCount>;

int level_of(Metric metric, std::string_view value) {
  const auto& values = kLevels[metric].values;
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i] == value) return static_cast<int>(i);
  }
  return -1;  // unreachable for validated vectors and the tables below
}

// MacroVector scores, transcribed from the FIRST CVSS v4.0 calculator's cvss_lookup.js
// (cvssLookup_global; github.com/FIRST-org/cvss-v4-calculator, BSD-2-Clause, Copyright FIRST,
// Red Hat, and contributors). Key: EQ1..EQ6 digits. Sorted by key.
struct MacroScore {
  std::string_view key;
  double score;
};
constexpr std::array<MacroScore, 270> kLookup = {{
    {"000000", 10},  {"000001", 9.9}, {"000010", 9.8}, {"000011", 9.5}, {"000020", 9.5},
    {"000021", 9.2}, {"000100", 10},  {"000101", 9.6}, {"000110", 9.3}, {"000111", 8.7},
    {"000120", 9.1}, {"000121", 8.1}, {"000200", 9.3}, {"000201", 9},   {"000210", 8.9},
    {"000211", 8},   {"000220", 8.1}, {"000221", 6.8}, {"001000", 9.8}, {"001001", 9.5},
    {"001010", 9.5}, {"001011", 9.2}, {"001020", 9},   {"001021", 8.4}, {"001100", 9.3},
    {"001101", 9.2}, {"001110", 8.9}, {"001111", 8.1}, {"001120", 8.1}, {"001121", 6.5},
    {"001200", 8.8}, {"001201", 8},   {"001210", 7.8}, {"001211", 7},   {"001220", 6.9},
    {"001221", 4.8}, {"002001", 9.2}, {"002011", 8.2}, {"002021", 7.2}, {"002101", 7.9},
    {"002111", 6.9}, {"002121", 5},   {"002201", 6.9}, {"002211", 5.5}, {"002221", 2.7},
    {"010000", 9.9}, {"010001", 9.7}, {"010010", 9.5}, {"010011", 9.2}, {"010020", 9.2},
    {"010021", 8.5}, {"010100", 9.5}, {"010101", 9.1}, {"010110", 9},   {"010111", 8.3},
    {"010120", 8.4}, {"010121", 7.1}, {"010200", 9.2}, {"010201", 8.1}, {"010210", 8.2},
    {"010211", 7.1}, {"010220", 7.2}, {"010221", 5.3}, {"011000", 9.5}, {"011001", 9.3},
    {"011010", 9.2}, {"011011", 8.5}, {"011020", 8.5}, {"011021", 7.3}, {"011100", 9.2},
    {"011101", 8.2}, {"011110", 8},   {"011111", 7.2}, {"011120", 7},   {"011121", 5.9},
    {"011200", 8.4}, {"011201", 7},   {"011210", 7.1}, {"011211", 5.2}, {"011220", 5},
    {"011221", 3},   {"012001", 8.6}, {"012011", 7.5}, {"012021", 5.2}, {"012101", 7.1},
    {"012111", 5.2}, {"012121", 2.9}, {"012201", 6.3}, {"012211", 2.9}, {"012221", 1.7},
    {"100000", 9.8}, {"100001", 9.5}, {"100010", 9.4}, {"100011", 8.7}, {"100020", 9.1},
    {"100021", 8.1}, {"100100", 9.4}, {"100101", 8.9}, {"100110", 8.6}, {"100111", 7.4},
    {"100120", 7.7}, {"100121", 6.4}, {"100200", 8.7}, {"100201", 7.5}, {"100210", 7.4},
    {"100211", 6.3}, {"100220", 6.3}, {"100221", 4.9}, {"101000", 9.4}, {"101001", 8.9},
    {"101010", 8.8}, {"101011", 7.7}, {"101020", 7.6}, {"101021", 6.7}, {"101100", 8.6},
    {"101101", 7.6}, {"101110", 7.4}, {"101111", 5.8}, {"101120", 5.9}, {"101121", 5},
    {"101200", 7.2}, {"101201", 5.7}, {"101210", 5.7}, {"101211", 5.2}, {"101220", 5.2},
    {"101221", 2.5}, {"102001", 8.3}, {"102011", 7},   {"102021", 5.4}, {"102101", 6.5},
    {"102111", 5.8}, {"102121", 2.6}, {"102201", 5.3}, {"102211", 2.1}, {"102221", 1.3},
    {"110000", 9.5}, {"110001", 9},   {"110010", 8.8}, {"110011", 7.6}, {"110020", 7.6},
    {"110021", 7},   {"110100", 9},   {"110101", 7.7}, {"110110", 7.5}, {"110111", 6.2},
    {"110120", 6.1}, {"110121", 5.3}, {"110200", 7.7}, {"110201", 6.6}, {"110210", 6.8},
    {"110211", 5.9}, {"110220", 5.2}, {"110221", 3},   {"111000", 8.9}, {"111001", 7.8},
    {"111010", 7.6}, {"111011", 6.7}, {"111020", 6.2}, {"111021", 5.8}, {"111100", 7.4},
    {"111101", 5.9}, {"111110", 5.7}, {"111111", 5.7}, {"111120", 4.7}, {"111121", 2.3},
    {"111200", 6.1}, {"111201", 5.2}, {"111210", 5.7}, {"111211", 2.9}, {"111220", 2.4},
    {"111221", 1.6}, {"112001", 7.1}, {"112011", 5.9}, {"112021", 3},   {"112101", 5.8},
    {"112111", 2.6}, {"112121", 1.5}, {"112201", 2.3}, {"112211", 1.3}, {"112221", 0.6},
    {"200000", 9.3}, {"200001", 8.7}, {"200010", 8.6}, {"200011", 7.2}, {"200020", 7.5},
    {"200021", 5.8}, {"200100", 8.6}, {"200101", 7.4}, {"200110", 7.4}, {"200111", 6.1},
    {"200120", 5.6}, {"200121", 3.4}, {"200200", 7},   {"200201", 5.4}, {"200210", 5.2},
    {"200211", 4},   {"200220", 4},   {"200221", 2.2}, {"201000", 8.5}, {"201001", 7.5},
    {"201010", 7.4}, {"201011", 5.5}, {"201020", 6.2}, {"201021", 5.1}, {"201100", 7.2},
    {"201101", 5.7}, {"201110", 5.5}, {"201111", 4.1}, {"201120", 4.6}, {"201121", 1.9},
    {"201200", 5.3}, {"201201", 3.6}, {"201210", 3.4}, {"201211", 1.9}, {"201220", 1.9},
    {"201221", 0.8}, {"202001", 6.4}, {"202011", 5.1}, {"202021", 2},   {"202101", 4.7},
    {"202111", 2.1}, {"202121", 1.1}, {"202201", 2.4}, {"202211", 0.9}, {"202221", 0.4},
    {"210000", 8.8}, {"210001", 7.5}, {"210010", 7.3}, {"210011", 5.3}, {"210020", 6},
    {"210021", 5},   {"210100", 7.3}, {"210101", 5.5}, {"210110", 5.9}, {"210111", 4},
    {"210120", 4.1}, {"210121", 2},   {"210200", 5.4}, {"210201", 4.3}, {"210210", 4.5},
    {"210211", 2.2}, {"210220", 2},   {"210221", 1.1}, {"211000", 7.5}, {"211001", 5.5},
    {"211010", 5.8}, {"211011", 4.5}, {"211020", 4},   {"211021", 2.1}, {"211100", 6.1},
    {"211101", 5.1}, {"211110", 4.8}, {"211111", 1.8}, {"211120", 2},   {"211121", 0.9},
    {"211200", 4.6}, {"211201", 1.8}, {"211210", 1.7}, {"211211", 0.7}, {"211220", 0.8},
    {"211221", 0.2}, {"212001", 5.3}, {"212011", 2.4}, {"212021", 1.4}, {"212101", 2.4},
    {"212111", 1.2}, {"212121", 0.5}, {"212201", 1},   {"212211", 0.3}, {"212221", 0.1},
}};

// The highest-severity vectors of each EQ level (FIRST calculator, max_composed.js). EQ3 and EQ6
// are joint: kEq3Eq6Max[eq3][eq6].
using Fragments = std::array<std::string_view, 5>;  // unused slots are empty
constexpr std::array<Fragments, 3> kEq1Max = {{
    {"AV:N/PR:N/UI:N"},
    {"AV:A/PR:N/UI:N", "AV:N/PR:L/UI:N", "AV:N/PR:N/UI:P"},
    {"AV:P/PR:N/UI:N", "AV:A/PR:L/UI:P"},
}};
constexpr std::array<Fragments, 2> kEq2Max = {{{"AC:L/AT:N"}, {"AC:H/AT:N", "AC:L/AT:P"}}};
constexpr std::array<std::array<Fragments, 2>, 3> kEq3Eq6Max = {{
    {{{"VC:H/VI:H/VA:H/CR:H/IR:H/AR:H"},
      {"VC:H/VI:H/VA:L/CR:M/IR:M/AR:H", "VC:H/VI:H/VA:H/CR:M/IR:M/AR:M"}}},
    {{{"VC:L/VI:H/VA:H/CR:H/IR:H/AR:H", "VC:H/VI:L/VA:H/CR:H/IR:H/AR:H"},
      {"VC:L/VI:H/VA:L/CR:H/IR:M/AR:H", "VC:L/VI:H/VA:H/CR:H/IR:M/AR:M",
       "VC:H/VI:L/VA:H/CR:M/IR:H/AR:M", "VC:H/VI:L/VA:L/CR:M/IR:H/AR:H",
       "VC:L/VI:L/VA:H/CR:H/IR:H/AR:M"}}},
    {{{}, {"VC:L/VI:L/VA:L/CR:H/IR:H/AR:H"}}},
}};
constexpr std::array<Fragments, 3> kEq4Max = {{{"SC:H/SI:S/SA:S"}, {"SC:H/SI:H/SA:H"},
                                                {"SC:L/SI:L/SA:L"}}};

// The depth of each EQ level in severity-distance steps, +1 (FIRST calculator, max_severity.js).
constexpr std::array<int, 3> kEq1Depth = {1, 4, 5};
constexpr std::array<int, 2> kEq2Depth = {1, 2};
constexpr std::array<std::array<int, 2>, 3> kEq3Eq6Depth = {{{7, 6}, {8, 8}, {0, 10}}};
constexpr std::array<int, 3> kEq4Depth = {6, 5, 4};

std::optional<double> lookup(const std::array<int, 6>& eq) {
  std::string key;
  for (int digit : eq) key += static_cast<char>('0' + digit);
  for (const MacroScore& entry : kLookup) {
    if (entry.key == key) return entry.score;
  }
  return std::nullopt;
}

// Writes the levels named by a fragment such as "AV:N/PR:N/UI:N" into `out`.
void apply_fragment(std::string_view fragment, Levels& out) {
  while (!fragment.empty()) {
    const size_t slash = fragment.find('/');
    const std::string_view part = fragment.substr(0, slash);
    const size_t colon = part.find(':');
    for (size_t m = 0; m < kMetricCount; ++m) {
      if (kLevels[m].name == part.substr(0, colon)) {
        out[m] = level_of(static_cast<Metric>(m), part.substr(colon + 1));
      }
    }
    fragment = slash == std::string_view::npos ? std::string_view() : fragment.substr(slash + 1);
  }
}

std::array<int, 6> macrovector(const Levels& v, int eq5) {
  const auto is = [&v](Metric m, std::string_view value) { return v[m] == level_of(m, value); };
  std::array<int, 6> eq{};
  if (is(kAV, "N") && is(kPR, "N") && is(kUI, "N")) {
    eq[0] = 0;
  } else if ((is(kAV, "N") || is(kPR, "N") || is(kUI, "N")) && !is(kAV, "P")) {
    eq[0] = 1;
  } else {
    eq[0] = 2;
  }
  eq[1] = is(kAC, "L") && is(kAT, "N") ? 0 : 1;
  if (is(kVC, "H") && is(kVI, "H")) {
    eq[2] = 0;
  } else if (is(kVC, "H") || is(kVI, "H") || is(kVA, "H")) {
    eq[2] = 1;
  } else {
    eq[2] = 2;
  }
  if (is(kSI, "S") || is(kSA, "S")) {
    eq[3] = 0;
  } else if (is(kSC, "H") || is(kSI, "H") || is(kSA, "H")) {
    eq[3] = 1;
  } else {
    eq[3] = 2;
  }
  eq[4] = eq5;
  eq[5] = (is(kCR, "H") && is(kVC, "H")) || (is(kIR, "H") && is(kVI, "H")) ||
                  (is(kAR, "H") && is(kVA, "H"))
              ? 0
              : 1;
  return eq;
}

// The severity distance (in tenths, per metric) from the first highest-severity vector of the
// macrovector that `v` does not exceed; the last candidate's when none fits (as the calculator).
Levels severity_distance(const Levels& v, const std::array<int, 6>& eq) {
  Levels distance{};
  for (std::string_view f1 : kEq1Max[eq[0]]) {
    if (f1.empty()) break;
    for (std::string_view f2 : kEq2Max[eq[1]]) {
      if (f2.empty()) break;
      for (std::string_view f36 : kEq3Eq6Max[eq[2]][eq[5]]) {
        if (f36.empty()) break;
        for (std::string_view f4 : kEq4Max[eq[3]]) {
          if (f4.empty()) break;
          Levels max{};
          for (std::string_view f : {f1, f2, f36, f4}) apply_fragment(f, max);
          bool fits = true;
          for (size_t m = 0; m < kMetricCount; ++m) {
            distance[m] = v[m] - max[m];
            if (distance[m] < 0) fits = false;
          }
          if (fits) return distance;
        }
      }
    }
  }
  return distance;
}

double round_half_up(double value) {
  constexpr double kEpsilon = 1e-6;  // as the calculator's roundToDecimalPlaces
  return std::floor((value + kEpsilon) * 10 + 0.5) / 10;
}

double score_levels(const Levels& v, int eq5) {
  // No impact on either system: 0 by definition.
  bool no_impact = true;
  for (Metric m : {kVC, kVI, kVA}) no_impact = no_impact && v[m] == level_of(m, "N");
  for (Metric m : {kSC, kSI, kSA}) no_impact = no_impact && v[m] == level_of(m, "N");
  if (no_impact) return 0.0;

  const std::array<int, 6> eq = macrovector(v, eq5);
  const double value = lookup(eq).value_or(0.0);  // every reachable macrovector is in the table

  const auto lower = [&eq](size_t digit) {
    std::array<int, 6> next = eq;
    ++next[digit];
    return lookup(next);
  };
  std::optional<double> eq36_lower;
  if (eq[2] == 0 && eq[5] == 0) {  // two paths down (00 -> 01 or 10): the higher score
    const std::optional<double> left = lower(5);
    const std::optional<double> right = lower(2);
    eq36_lower = left && right && *left > *right ? left : right;
  } else if (eq[2] == 1 && eq[5] == 0) {  // 10 -> 11
    eq36_lower = lower(5);
  } else {  // 01 -> 11, 11 -> 21; 21 has none
    eq36_lower = lower(2);
  }

  const Levels d = severity_distance(v, eq);
  struct Step {
    std::optional<double> lower_score;
    int distance;  // tenths
    int depth;     // tenths; 0: the EQ's proportion is always 0 (EQ5)
  };
  const std::array<Step, 5> steps = {{
      {lower(0), d[kAV] + d[kPR] + d[kUI], kEq1Depth[eq[0]]},
      {lower(1), d[kAC] + d[kAT], kEq2Depth[eq[1]]},
      {eq36_lower, d[kVC] + d[kVI] + d[kVA] + d[kCR] + d[kIR] + d[kAR],
       kEq3Eq6Depth[eq[2]][eq[5]]},
      {lower(3), d[kSC] + d[kSI] + d[kSA], kEq4Depth[eq[3]]},
      {lower(4), 0, 0},
  }};
  double sum = 0.0;
  int existing = 0;
  for (const Step& step : steps) {
    if (!step.lower_score) continue;
    ++existing;
    if (step.depth == 0) continue;
    sum += (value - *step.lower_score) * step.distance / step.depth;
  }
  const double mean = existing == 0 ? 0.0 : sum / existing;
  return round_half_up(std::clamp(value - mean, 0.0, 10.0));
}

}  // namespace

size_t cvss4_macrovector_count() { return kLookup.size(); }

Result<CvssScore> score_v4(std::string_view body) {
  BULWARK_ASSIGN_OR_RETURN(MetricValues m, parse_metrics(body, kV4Metrics, "CVSS v4.0"));
  // CVSS-B: the base metrics as given; E unset (= Attacked, EQ5 0); CR/IR/AR unset (= High).
  Levels v{};
  for (size_t i = 0; i < kV4BaseCount; ++i) {
    const std::string_view value = kV4Metrics[i].values[static_cast<size_t>(m[i])];
    v[i] = level_of(static_cast<Metric>(i), value);
  }
  for (Metric r : {kCR, kIR, kAR}) v[r] = level_of(r, "H");
  const double base = score_levels(v, /*eq5=*/0);
  CvssScore score;
  score.version = CvssVersion::kV4_0;
  score.base_score = base;
  score.severity = rating_v3(base);
  score.vector = normalise("CVSS:4.0/", kV4Metrics, m);
  return score;
}

}  // namespace bulwark::vulndb::cvss_detail
