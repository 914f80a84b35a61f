// Helpers shared by the feed importers of this folder: bounded file reads, a bounded walk that
// lists a path's feed files, capped warnings, and lenient JSON field access. Pure functions over
// the file system; thread-safe.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <regex>

#include <boost/json/object.hpp>

#include "common/result.h"
#include "vulndb/advisory.h"

namespace bulwark::vulndb::feed {

inline constexpr size_t kMaxWarnings = 1000;  // further warnings are counted, not stored
inline constexpr int kMaxWalkDepth = 8;
inline constexpr size_t kMaxWalkFiles = 100000;

// The whole of a regular file of at most `max_bytes`; the error names the file.
Result<std::string> read_file(const std::filesystem::path& path, size_t max_bytes);

// At most the first `n` bytes of a regular file; empty when it cannot be read.
std::string read_head(const std::filesystem::path& path, size_t n);

// `path` itself when it is a regular file, else the regular files under the directory `path`
// (symlinks not followed, at most kMaxWalkDepth levels and kMaxWalkFiles files) for which
// `accept` is true, sorted. An error when `path` is neither, or the walk fails.
Result<std::vector<std::filesystem::path>> list_files(
    const std::filesystem::path& path, bool (*accept)(const std::filesystem::path& file));

// Whether `path` is an accepted file, or a directory holding one within the first few hundred
// entries of its first levels (cheap: for Importer::recognizes).
bool any_file(const std::filesystem::path& path, bool (*accept)(const std::filesystem::path& file));

// Imports every accepted file under `path` (list_files) with `import_file`, one after another;
// the first file error ends the import.
using FileImport = Result<void> (*)(const std::filesystem::path& file, ImportSink& sink,
                                    ImportStats& stats);
Result<ImportStats> import_files(const std::filesystem::path& path,
                                 bool (*accept)(const std::filesystem::path& file),
                                 FileImport import_file, ImportSink& sink);

// Reads every accepted file under `path` with `collect_file`, which merges its records into one
// map by id, then hands them to the sink (add_advisories); the first file error ends the import.
using FileCollect = Result<void> (*)(const std::filesystem::path& file,
                                     std::map<std::string, Advisory>& advisories, ImportStats& stats);
Result<ImportStats> import_merged(const std::filesystem::path& path,
                                  bool (*accept)(const std::filesystem::path& file),
                                  FileCollect collect_file, ImportSink& sink);

// Hands advisories merged across files (by id) to the sink, counting each added one and skipping
// (with a warning) those the sink refuses.
void add_advisories(std::map<std::string, Advisory>& advisories, ImportSink& sink, ImportStats& stats);

// Appends a warning (keeping at most kMaxWarnings of them, then one "more warnings" line).
void warn(ImportStats& stats, std::string message);
// warn() and count a skipped record.
void skip(ImportStats& stats, std::string message);

// The string member `key` of `object`, or empty when it is missing or not a string.
std::string_view string_field(const boost::json::object& object, std::string_view key);

// Whether all of `text` matches `pattern`; false for text longer than `max_length` without
// running the regex (libstdc++'s matcher recurses per character: long untrusted input could
// exhaust the stack).
bool matches(std::string_view text, const std::regex& pattern, size_t max_length = 64);

// `text` as a printable-ASCII quotation for messages (at most 64 characters).
std::string quoted(std::string_view text);

}  // namespace bulwark::vulndb::feed
