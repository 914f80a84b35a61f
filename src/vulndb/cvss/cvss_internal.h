// Internals shared by the per-version CVSS scorers: the metric tables' shape, the one vector
// tokenizer/validator, normalisation and the v3/v4 rating scale. Not part of the public interface.
// Pure functions; thread-safe.
#pragma once

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "vulndb/cvss/cvss.h"

namespace bulwark::vulndb::cvss_detail {

// One metric of a version's vector: its abbreviation, its allowed values (the order is the
// scorer's index order) and whether it is a mandatory base metric.
struct MetricSpec {
  std::string_view name;
  std::array<std::string_view, 6> values;  // unused slots are empty
  bool base;
};

// For each spec (same order), the index of the value the vector gave, or -1 when absent.
using MetricValues = std::vector<int>;

// Splits `body` ("K:V/K:V/...") and validates it against `specs`: every component must be a known
// metric with a known value, appear once, and every base metric must be present. `version_label`
// ("CVSS v3.1") prefixes error messages.
Result<MetricValues> parse_metrics(std::string_view body, std::span<const MetricSpec> specs,
                                   std::string_view version_label);

// `prefix` followed by the present metrics in table order, "/"-separated.
std::string normalise(std::string_view prefix, std::span<const MetricSpec> specs,
                      const MetricValues& values);

// The v3.x / v4.0 qualitative rating of a score already rounded to one decimal.
std::string rating_v3(double score);

// Per-version scorers. REQUIRES: `body` is the vector without its "CVSS:x.y/" prefix (v2: without
// parentheses).
Result<CvssScore> score_v2(std::string_view body);
Result<CvssScore> score_v3(std::string_view body, CvssVersion version);
Result<CvssScore> score_v4(std::string_view body);

// The v3.x Roundup: v3.0 the plain ceiling to one decimal, v3.1 Appendix A's float-safe one.
double roundup_v30(double x);
double roundup_v31(double x);

// v4.0 data checks for tests: the number of macrovectors in the lookup table (270 per FIRST).
size_t cvss4_macrovector_count();

}  // namespace bulwark::vulndb::cvss_detail
