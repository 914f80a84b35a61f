// LayerReader: one layer blob read as a tar stream (gzip, zstd or uncompressed), entry by entry.
//
// The blob's bytes are hashed as libarchive pulls them and checked against the layer's digest when
// the archive ends (bytes after the tar's end are drained into the hash, bounded). Limits on the
// entry count, the uncompressed size and the compression ratio are enforced as data is read, so a
// decompression bomb is refused after reading at most the limits, never the bomb. Entry names are
// normalised inside the image root ("./a/../b/" -> "a/b"); a name escaping the root is an error.
//
// Thread-safety: one reader per thread; not shareable.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/digest.h"
#include "common/result.h"
#include "scan/source/image.h"
#include "scan/walker.h"

struct archive;
struct archive_entry;

namespace bulwark::scan {

enum class EntryType { kFile, kDirectory, kSymlink, kHardlink, kOther };

struct LayerEntry {
  std::string path;         // normalised, no leading '/'; never empty
  EntryType type = EntryType::kOther;
  uint32_t mode = 0;        // permission bits
  uint64_t size = 0;        // declared size (regular files)
  std::string link_target;  // symlink: as written; hard link: normalised path inside the image
};

// Normalises a tar path inside the image root. Errors when it climbs above the root.
// Returns an empty string for the root itself.
Result<std::string> normalize_image_path(std::string_view name);
// Normalises a path the way a chroot resolves it: ".." at the root stays at the root.
std::string clamp_image_path(std::string_view name);

class LayerReader {
 public:
  // `what` names the layer in errors ("layer 2 (sha256:ab12...)"); `digest` may be empty (no check).
  LayerReader(std::unique_ptr<ByteStream> stream, std::string what, std::string digest,
              const WalkLimits& limits);
  ~LayerReader();
  LayerReader(const LayerReader&) = delete;
  LayerReader& operator=(const LayerReader&) = delete;

  // The next entry, or nullopt at the end of the archive (after the digest was verified).
  Result<std::optional<LayerEntry>> next();
  // Reads the current entry's data into `out` (replacing it). REQUIRES: the entry is a regular
  // file and its declared size is at most the caller's bound.
  Result<void> read_data(std::string& out);
  // Skips the current entry's data (decompressing it, with the limits enforced).
  Result<void> skip_data();

 private:
  static long read_callback(struct archive*, void* self, const void** buffer);
  Result<void> check_limits();
  // Decompresses the current entry's data block by block (limits enforced), passing each on.
  Result<void> for_each_block(
      const std::function<Result<void>(uint64_t offset, std::string_view block)>& fn);
  Error archive_error(std::string_view doing);
  Result<void> finish();

  std::unique_ptr<ByteStream> stream_;
  std::string what_;
  std::string digest_;
  WalkLimits limits_;
  std::optional<Hasher> hasher_;
  std::string buffer_;
  uint64_t compressed_ = 0;
  uint64_t entries_ = 0;
  std::optional<Error> stream_error_;
  struct archive* archive_ = nullptr;
  bool data_pending_ = false;
};

}  // namespace bulwark::scan
