// Importing feeds that keep one advisory per file (RustSec, RubySec, FriendsOfPHP): every accepted
// file under a path is read into advisories merged by id, then handed to the sink. In a directory
// a file that cannot be read or parsed is skipped with a warning (one bad advisory does not stop
// a feed of thousands); when the path is that file, it is the import's error.
// Pure functions over the file system; thread-safe.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "common/result.h"
#include "vulndb/advisory.h"

namespace bulwark::vulndb::feed {

// Reads `file` into `advisories` (merge_advisory for ids seen before); an error names the file.
using RecordFileReader = Result<void> (*)(const std::filesystem::path& file,
                                          std::map<std::string, Advisory>& advisories,
                                          ImportStats& stats);

Result<ImportStats> import_record_files(const std::filesystem::path& path,
                                        bool (*accept)(const std::filesystem::path& file),
                                        RecordFileReader read, ImportSink& sink);

// Puts `advisory` into `advisories`: a new id as is; a known one gains its aliases, references
// and affected entries (the first file's texts and dates stay).
void merge_advisory(std::map<std::string, Advisory>& advisories, Advisory advisory);

// Appends `value` to `list` unless it is empty or already there.
void add_unique(std::vector<std::string>& list, std::string value);

}  // namespace bulwark::vulndb::feed
