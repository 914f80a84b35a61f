// Analyzer: recognises one package format from the files of an image.
//
// The walker streams every layer once. For each regular file it asks every analyzer's cheap path
// filter (`wants`); when at least one wants the file, its content is read into memory once (bounded
// by the largest `max_size` of the analyzers that want it) and each of them is called with it.
// Analyzers see one file at a time and never touch the host file system; they only parse bytes.
// Every analyzer is listed in one table (analyzers/all.cc).
//
// Thread-safety: analyzers are stateless functions; safe to call concurrently.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "scan/package.h"

namespace bulwark::scan {

// One file handed to an analyzer.
struct FileInput {
  std::string_view path;     // inside the image, normalised, without leading '/': "var/lib/dpkg/status"
  std::string_view content;  // the whole file
  uint32_t mode = 0;         // permission bits (0755)
};

// What an analyzer found in one file. Package::evidence may be left empty: the walker sets it to
// "/" + path. Analyzers of containers (jars) set it to "/path/outer.jar!inner.jar" themselves.
struct Findings {
  std::vector<Package> packages;
  std::optional<OsRelease> os;
  std::vector<std::string> warnings;  // recoverable problems worth telling the user
};

struct Analyzer {
  std::string_view name;  // short and stable: "dpkg", "npm-lock", "go-binary"
  // The cheap filter: called for every regular file of every layer, so it must only look at the
  // path, mode and size (no allocation). `path` as in FileInput.
  bool (*wants)(std::string_view path, uint32_t mode, uint64_t size);
  // Parses the file. An error means the file is malformed: the walker records a warning naming the
  // analyzer and the file and goes on (a broken lock file must not hide the rest of the image).
  Result<void> (*analyze)(const FileInput& file, Findings& out);
  // Files larger than this are not read (a warning is recorded instead).
  uint64_t max_size = 16 << 20;
};

// Every analyzer, in a fixed order (analyzers/all.cc).
std::span<const Analyzer> all_analyzers();

// Helpers shared by analyzers (analyzers/text.cc).
// The last component of `path` ("a/b/c.json" -> "c.json").
std::string_view base_name(std::string_view path);
// True if `path` ends with "/" + `suffix` or equals `suffix`.
bool path_ends_with(std::string_view path, std::string_view suffix);
// Splits on '\n', dropping a trailing '\r' from each line.
std::vector<std::string_view> split_lines(std::string_view text);
// Trims ASCII whitespace from both ends.
std::string_view trim(std::string_view text);

}  // namespace bulwark::scan
