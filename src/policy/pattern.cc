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

}  // namespace bulwark::policy
