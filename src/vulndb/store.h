// VulnDb: the local vulnerability database, one SQLite file separate from the registry's metadata.
//
// `import` runs every path through the importer table (sources/all.cc) inside ONE write
// transaction: readers (scans, the registry's re-matcher) see either the database before the
// import or after it, never half of it (SQLite WAL snapshot isolation). Imports are incremental:
// a record is keyed by (importer, feed id); a record already stored with the same content is left
// alone, a changed one replaced, a new one added; records the import does not mention are kept
// (an import of one feed, or of part of one, never removes another's). Every import that changes
// anything bumps the database's generation, which is how the registry notices that stored images
// must be re-matched.
//
// Thread-safety: a VulnDb object is used by one thread at a time; separate VulnDb objects (in
// one process or several) may use the same file concurrently: one writer, any number of readers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "vulndb/advisory.h"
#include "vulndb/match.h"

namespace bulwark::vulndb {

// What one import did, per importer that recognized a path.
struct SourceImport {
  std::string source;  // importer name
  std::vector<std::string> paths;
  uint64_t added = 0;      // records new to the database
  uint64_t updated = 0;    // records whose content changed
  uint64_t unchanged = 0;  // records already stored as they are
  uint64_t skipped = 0;    // records the importer could not use
  std::vector<std::string> warnings;
};

struct ImportSummary {
  std::vector<SourceImport> sources;
  int64_t generation = 0;  // the database generation after the import
  bool changed = false;    // false when every record was unchanged (the generation stays)
};

// One feed in the database, for `bulwark db status`.
struct SourceStatus {
  std::string source;          // importer name
  int64_t imported_at = 0;     // unix seconds of the last import that touched it
  int64_t changed_at = 0;      // unix seconds of the last import that changed it
  uint64_t advisories = 0;     // advisory records (or KEV entries, EPSS scores)
  uint64_t affected = 0;       // affected-package entries of those advisories
  std::string origin;          // where the last import read it from (paths or URL)
};

struct DbStatus {
  std::string path;
  int64_t generation = 0;
  int64_t updated_at = 0;  // unix seconds of the last change
  std::vector<SourceStatus> sources;
};

// A built index and the generation it was built from.
struct DbSnapshot {
  std::shared_ptr<const MatchIndex> index;
  int64_t generation = 0;
  int64_t updated_at = 0;  // unix seconds of the last change included
};

class VulnDb {
 public:
  // Opens (creating, with its schema, if needed and not read-only) the database at `path`.
  // A read-only open of a missing file is kNotFound naming the path and `bulwark db import`.
  static Result<std::unique_ptr<VulnDb>> open(const std::filesystem::path& path, bool read_only);
  virtual ~VulnDb() = default;

  // Imports every path (file or directory); each path must be recognized by an importer
  // (kInvalidArgument naming the path otherwise, before anything is written). `origin`, when
  // non-empty, is recorded instead of the paths (a URL the bundle came from). All or nothing:
  // any error rolls the whole import back.
  virtual Result<ImportSummary> import(std::span<const std::filesystem::path> paths,
                                       const std::string& origin = "") = 0;

  virtual Result<DbStatus> status() = 0;

  // The current generation: cheap, for polling.
  virtual Result<int64_t> generation() = 0;

  // Builds the match index from one consistent snapshot (a single read transaction).
  virtual Result<DbSnapshot> load_index() = 0;
};

}  // namespace bulwark::vulndb
