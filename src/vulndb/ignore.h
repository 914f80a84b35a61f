// Ignore files (`bulwark scan --ignore FILE`): findings the user has decided to accept.
//
// Format: UTF-8 text, one entry per line; blank lines and lines starting with '#' are skipped,
// and a '#' after whitespace starts a trailing comment. An entry is whitespace-separated words:
//
//   ID [PACKAGE] [exp:YYYY-MM-DD]
//
//   CVE-2023-4911                              # everywhere
//   GHSA-c2qf-rxjj-qqgw  semver                # only in packages named "semver"
//   CVE-2024-2961  pkg:deb/debian/glibc        # only this package (purl prefix, see below)
//   CVE-2023-44487 exp:2025-01-31              # until the end of 31 January 2025 (UTC)
//
//  - ID is a vulnerability id (letters, digits, '-', '_', '.', ':'); it matches a finding whose
//    vulnerability or any alias equals it, ignoring case (a CVE silences the DSA and GHSA of the
//    same flaw, and vice versa).
//  - PACKAGE scopes the entry: a purl ("pkg:...") matches findings whose purl equals it, or starts
//    with it followed by '@', '?' or '#' (so a purl without version or qualifiers matches every
//    version); anything else matches the finding's package name exactly.
//  - exp:DATE makes the entry apply up to and including DATE; from the next day on it is inert.
// Anything else (a third word, two dates, a malformed date) is an error naming the line number.
//
// Pure functions on values; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "vulndb/match.h"

namespace bulwark::vulndb {

struct IgnoreEntry {
  std::string id;
  std::string package;  // a purl or a package name; empty: any package
  std::string expires;  // "YYYY-MM-DD"; empty: never
  int line = 0;
};

struct IgnoreList {
  std::vector<IgnoreEntry> entries;
};

// Parses an ignore file's text. Errors: kInvalidArgument "line N: ...".
Result<IgnoreList> parse_ignore_list(std::string_view text);

// Reads and parses `path`. Errors: kNotFound / kIo naming the path, and parse errors prefixed
// with the path.
Result<IgnoreList> load_ignore_file(const std::filesystem::path& path);

// Whether `entry` silences `finding` on `today` ("YYYY-MM-DD").
bool ignore_applies(const IgnoreEntry& entry, const Finding& finding, std::string_view today);

// Removes from result.findings every finding an entry silences on `today` ("YYYY-MM-DD", UTC);
// returns how many were removed. not_affected is left alone.
size_t apply_ignore_list(const IgnoreList& list, std::string_view today, MatchResult& result);

// "YYYY-MM-DD" (UTC) of unix seconds, for `today`.
std::string utc_date(int64_t unix_seconds);

}  // namespace bulwark::vulndb
