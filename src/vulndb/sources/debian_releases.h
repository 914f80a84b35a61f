// Debian release codenames and the distro names advisories are filed under: one table
// (debian.cc) for the security-tracker importer, which reads codenames, and for the matcher's
// distro_of (match.cc), which meets codenames in testing and unstable images without a
// VERSION_ID. Thread-safe (static data).
#pragma once

#include <string_view>

namespace bulwark::vulndb {

// "bookworm" -> "debian:12", "sid" -> "debian:unstable"; empty for an unknown codename.
std::string_view debian_distro_of(std::string_view codename);

}  // namespace bulwark::vulndb
