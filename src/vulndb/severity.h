// Severity of a vulnerability finding: one ordered scale for every feed, and the words feeds use
// for it ("important", "moderate", "unimportant", ...), mapped by one table (severity.cc).
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string_view>

namespace bulwark::vulndb {

// Ordered: a higher value is more severe. kUnknown sorts lowest ("not rated" is never treated
// as severe by --fail-on, but is always reported).
enum class Severity { kUnknown = 0, kNegligible, kLow, kMedium, kHigh, kCritical };

// "unknown", "negligible", "low", "medium", "high", "critical".
std::string_view severity_name(Severity severity);

// A rating as feeds and users write it, case-insensitive: the names above, plus "none" (CVSS 0.0,
// kNegligible), "unimportant" and "negligible" (Debian, Ubuntu: kNegligible), "moderate" (GHSA,
// Red Hat: kMedium), "important" (Red Hat: kHigh). Nullopt for anything else, including Debian's
// "not yet assigned" and "end-of-life", which are not ratings.
std::optional<Severity> parse_severity(std::string_view text);

}  // namespace bulwark::vulndb
