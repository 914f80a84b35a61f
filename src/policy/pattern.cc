#include "policy/pattern.h"

#include "common/strict_json.h"

namespace bulwark::policy {

Result<Regex> Regex::compile(std::string_view source) {
  try {
    return Regex{std::string(source),
                 std::regex(source.begin(), source.end(), std::regex::ECMAScript)};
  } catch (const std::regex_error& e) {
    return fail(ErrorCode::kInvalidArgument,
                "bad regular expression " + quote_untrusted(source) + ": " + e.what());
  }
}

bool Regex::full_match(std::string_view value) const {
  try {
    return std::regex_match(value.begin(), value.end(), compiled);
  } catch (const std::regex_error&) {
    return false;  // complexity or stack limits: a value we cannot judge does not match
  }
}

bool glob_match(std::string_view pattern, std::string_view value) {
  // Iterative wildcard matching, backtracking to the last '*': O(|pattern| * |value|).
  size_t p = 0, v = 0, star = std::string_view::npos, mark = 0;
  while (v < value.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = v;
    } else if (p < pattern.size() && pattern[p] == value[v]) {
      ++p;
      ++v;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      v = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace bulwark::policy
