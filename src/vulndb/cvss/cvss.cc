// The one table from vector prefix to per-version scorer, and the shared vector tokenizer.
#include "vulndb/cvss/cvss.h"

#include <array>

#include "common/strict_json.h"
#include "vulndb/cvss/cvss_internal.h"

namespace bulwark::vulndb {
namespace {

using cvss_detail::MetricSpec;
using cvss_detail::MetricValues;

// Longer than any valid vector (a v4.0 vector with every optional metric is ~220 characters).
constexpr size_t kMaxVectorLength = 1024;

struct PrefixEntry {
  std::string_view prefix;
  Result<CvssScore> (*score)(std::string_view body);
};

constexpr std::array kPrefixes = {
    PrefixEntry{"CVSS:3.1/", [](std::string_view b) { return cvss_detail::score_v3(b, CvssVersion::kV3_1); }},
    PrefixEntry{"CVSS:3.0/", [](std::string_view b) { return cvss_detail::score_v3(b, CvssVersion::kV3_0); }},
    PrefixEntry{"CVSS:4.0/", &cvss_detail::score_v4},
};

}  // namespace

std::string_view cvss_version_name(CvssVersion version) {
  constexpr std::array<std::string_view, 4> kNames = {"2.0", "3.0", "3.1", "4.0"};
  return kNames[static_cast<size_t>(version)];
}

Result<CvssScore> parse_cvss(std::string_view vector) {
  if (vector.empty()) return fail(ErrorCode::kInvalidArgument, "empty CVSS vector");
  if (vector.size() > kMaxVectorLength) {
    return fail(ErrorCode::kInvalidArgument, "CVSS vector too long");
  }
  for (const PrefixEntry& entry : kPrefixes) {
    if (vector.substr(0, entry.prefix.size()) == entry.prefix) {
      return entry.score(vector.substr(entry.prefix.size()));
    }
  }
  if (vector.substr(0, 5) == "CVSS:") {
    const size_t slash = vector.find('/');
    return fail(ErrorCode::kUnsupported,
                "unsupported CVSS version " + quote_untrusted(vector.substr(0, slash)));
  }
  if (vector.front() == '(') {
    if (vector.back() != ')' || vector.size() < 2) {
      return fail(ErrorCode::kInvalidArgument, "CVSS v2 vector: unbalanced parentheses");
    }
    vector = vector.substr(1, vector.size() - 2);
  }
  return cvss_detail::score_v2(vector);
}

namespace cvss_detail {

Result<MetricValues> parse_metrics(std::string_view body, std::span<const MetricSpec> specs,
                                   std::string_view version_label) {
  const std::string label(version_label);
  MetricValues values(specs.size(), -1);
  if (body.empty()) return fail(ErrorCode::kInvalidArgument, label + " vector has no metrics");
  size_t pos = 0;
  while (pos <= body.size()) {
    size_t end = body.find('/', pos);
    if (end == std::string_view::npos) end = body.size();
    const std::string_view component = body.substr(pos, end - pos);
    const size_t colon = component.find(':');
    if (component.empty() || colon == std::string_view::npos || colon == 0) {
      return fail(ErrorCode::kInvalidArgument,
                  label + " vector: malformed component " + quote_untrusted(component));
    }
    const std::string_view name = component.substr(0, colon);
    const std::string_view value = component.substr(colon + 1);
    size_t i = 0;
    while (i < specs.size() && specs[i].name != name) ++i;
    if (i == specs.size()) {
      return fail(ErrorCode::kInvalidArgument,
                  label + " vector: unknown metric " + quote_untrusted(name));
    }
    if (values[i] != -1) {
      return fail(ErrorCode::kInvalidArgument,
                  label + " vector: duplicate metric " + std::string(name));
    }
    const auto& allowed = specs[i].values;
    int index = -1;
    for (size_t v = 0; v < allowed.size() && !allowed[v].empty(); ++v) {
      if (allowed[v] == value) index = static_cast<int>(v);
    }
    if (index == -1) {
      return fail(ErrorCode::kInvalidArgument, label + " vector: unknown value " +
                                                   quote_untrusted(value) + " for metric " +
                                                   std::string(name));
    }
    values[i] = index;
    pos = end + 1;
  }
  for (size_t i = 0; i < specs.size(); ++i) {
    if (specs[i].base && values[i] == -1) {
      return fail(ErrorCode::kInvalidArgument,
                  label + " vector: missing base metric " + std::string(specs[i].name));
    }
  }
  return values;
}

std::string normalise(std::string_view prefix, std::span<const MetricSpec> specs,
                      const MetricValues& values) {
  std::string out(prefix);
  bool first = true;
  for (size_t i = 0; i < specs.size(); ++i) {
    if (values[i] < 0) continue;
    if (!first) out += '/';
    first = false;
    out += specs[i].name;
    out += ':';
    out += specs[i].values[static_cast<size_t>(values[i])];
  }
  return out;
}

std::string rating_v3(double score) {
  // Lower bounds of the CVSS v3.x / v4.0 qualitative severity rating scale.
  struct Band {
    double min;
    const char* name;
  };
  constexpr std::array<Band, 4> kBands = {
      Band{9.0, "CRITICAL"}, Band{7.0, "HIGH"}, Band{4.0, "MEDIUM"}, Band{0.1, "LOW"}};
  for (const Band& band : kBands) {
    if (score >= band.min - 1e-9) return band.name;
  }
  return "NONE";
}

}  // namespace cvss_detail
}  // namespace bulwark::vulndb
