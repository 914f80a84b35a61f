// The layer walker: applies an image's layers in order, in memory, and runs the analyzers.
//
// Each layer is read once as a stream (gzip, zstd or uncompressed tar, via libarchive) while its
// digest is verified. Whiteouts (".wh.NAME") and opaque directories (".wh..wh..opq") remove what
// lower layers put there; hard links are resolved inside the image; symbolic links are followed
// only inside the image (clamped at its root). Nothing is written to the host. Hostile archives are
// refused with a clear error: entries escaping the root, absurd sizes, too many entries,
// decompression bombs (see WalkLimits).
//
// A package's layer is the lowest layer from which the file that evidences it has reported that
// same package without interruption; a package whose file is deleted, or rewritten without it,
// disappears.
//
// Thread-safety: inventory() is reentrant; an Image is read by one call at a time.
#pragma once

#include <cstdint>
#include <span>

#include "common/result.h"
#include "scan/analyzer.h"
#include "scan/package.h"
#include "scan/source/image.h"

namespace bulwark::scan {

struct WalkLimits {
  uint64_t max_layer_bytes = uint64_t{32} << 30;  // uncompressed bytes per layer
  uint64_t max_entries = 2'000'000;               // tar entries per layer
  uint64_t max_ratio = 200;         // uncompressed/compressed, checked past 64 MiB uncompressed
  uint64_t max_read_bytes = 64 << 20;  // the largest file read into memory for an analyzer
  size_t max_path = 4096;
};

struct WalkOptions {
  WalkLimits limits;
  std::span<const Analyzer> analyzers = all_analyzers();
};

// Walks `image` and returns its inventory (packages sorted, purls filled).
// Errors: kCorrupt (a layer is not a readable tar), kDigestMismatch (a layer does not match its
// digest), kInvalidArgument (a hostile entry: path escape, link escape), kTooLarge (a limit was
// hit), and whatever opening a layer returns. Malformed package files are not errors: they become
// Inventory::warnings naming the analyzer and the file.
Result<Inventory> inventory(const Image& image, const WalkOptions& options = {});

}  // namespace bulwark::scan
