// Strict JSON for untrusted documents (manifests, tokens, policies): standard JSON only (no
// comments, no trailing commas, valid UTF-8, exactly one document, bounded nesting) and, unlike
// Boost.JSON 1.81's own parser, an object key that repeats is an error rather than silently
// resolved — two readers must never see different values in the same bytes. Pure functions;
// thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "common/result.h"

namespace bulwark {

// Parses `bytes`, nesting at most `max_depth` levels. kInvalidArgument with a message such as
// `duplicate key "size"` or `not valid JSON: <reason> at offset N` (callers prefix the document).
Result<boost::json::value> parse_strict_json(std::string_view bytes, size_t max_depth = 64);

// Quotes client-supplied text for an error message: printable ASCII only, at most 64 characters.
std::string quote_untrusted(std::string_view text);

}  // namespace bulwark
