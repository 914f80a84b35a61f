// Small string helpers shared by modules that build messages and stored lists. Pure functions;
// thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bulwark {

// The items with `separator` between them ("a, b, c"). A separator is written only after
// something non-empty, so empty leading items add nothing.
std::string join(const std::vector<std::string>& items, std::string_view separator);

}  // namespace bulwark
