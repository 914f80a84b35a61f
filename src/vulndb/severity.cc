// Severity names and the feeds' words for them (severity.h).
#include "vulndb/severity.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace bulwark::vulndb {
namespace {

struct Word {
  std::string_view text;  // lower case
  Severity severity;
};

// Names first (severity_name reads the first entry of each severity), then the feeds' synonyms.
constexpr std::array<Word, 11> kWords = {{
    {"unknown", Severity::kUnknown},
    {"negligible", Severity::kNegligible},
    {"low", Severity::kLow},
    {"medium", Severity::kMedium},
    {"high", Severity::kHigh},
    {"critical", Severity::kCritical},
    {"none", Severity::kNegligible},         // CVSS 0.0
    {"unimportant", Severity::kNegligible},  // Debian tracker urgency
    {"moderate", Severity::kMedium},         // GHSA, Red Hat
    {"important", Severity::kHigh},          // Red Hat
    {"untriaged", Severity::kUnknown},       // Ubuntu
}};

bool equal_lower(std::string_view text, std::string_view lower) {
  return text.size() == lower.size() &&
         std::equal(text.begin(), text.end(), lower.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

}  // namespace

std::string_view severity_name(Severity severity) {
  for (const auto& word : kWords) {
    if (word.severity == severity) return word.text;
  }
  return "unknown";
}

std::optional<Severity> parse_severity(std::string_view text) {
  for (const auto& word : kWords) {
    if (equal_lower(text, word.text)) return word.severity;
  }
  return std::nullopt;
}

}  // namespace bulwark::vulndb
