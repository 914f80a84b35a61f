// Glob patterns as Bulwark's configuration and policies write them (repository rules, federation
// claim patterns, policy scopes): '*' matches any run of characters, '/' included; every other
// character matches itself. Pure function; thread-safe. O(|pattern| * |value|) worst case.
#pragma once

#include <string_view>

namespace bulwark {

bool glob_match(std::string_view pattern, std::string_view value);

}  // namespace bulwark
