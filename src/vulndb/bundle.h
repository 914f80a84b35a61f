// vulndb/bundle: feed bundles for air-gapped mirrors (`bulwark db import --from URL`).
//
// A bundle is a tar archive (plain, gzip, zstd or xz) of feed files and directories in the feeds'
// own formats, e.g. `tar czf bundle.tgz -C feeds .`, or one feed file (possibly compressed).
// import_bundle downloads it (at most kMaxBundleBytes; a stall of kFetchStallSeconds aborts) into
// a fresh scratch directory inside `work_dir`, checks it against the expected SHA-256, unpacks it
// there safely and imports every top-level entry in ONE VulnDb::import (all or nothing), recording
// the URL without user info, query or fragment as the origin. The scratch directory is removed
// whatever happens.
//
// Unpacking refuses (kInvalidArgument, "refusing the bundle: ...") absolute names, names with
// "..", entries beyond a symbolic link, symbolic or hard links leading outside the bundle,
// devices, FIFOs and sockets, and duplicate entries; it stops at kMaxBundleEntries entries and
// kMaxUnpackedBytes unpacked bytes (kTooLarge).
//
// Thread-safety: the functions keep no state; concurrent calls are safe (each has its own scratch
// directory, even in the same work_dir), as long as each VulnDb is used by one thread at a time
// (store.h). import_bundle blocks on the network: never call it on an I/O thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "vulndb/store.h"

namespace bulwark::vulndb {

inline constexpr uint64_t kMaxBundleBytes = 2ull << 30;     // downloaded
inline constexpr uint64_t kMaxUnpackedBytes = 16ull << 30;  // everything unpacked
inline constexpr uint64_t kMaxBundleEntries = 1'000'000;
inline constexpr size_t kMaxBundleEntryPath = 4096;         // bytes of one entry's name
inline constexpr int kFetchStallSeconds = 60;

struct BundleSource {
  std::string url;        // http:// or https://
  std::string sha256;     // expected digest, "HEX" or "sha256:HEX"; empty: not checked
  std::string ca_file;    // extra CA certificates (PEM) for https; empty: the system's store
  bool tls_verify = true;  // false: accept any certificate (explicitly insecure mirrors)
};

// The checks import_bundle makes first (an http(s) URL; sha256 empty or 64 hex digits), for
// callers that refuse a bad source before opening the database. kInvalidArgument.
Result<void> check_bundle_source(const BundleSource& source);

// Fetches, checks, unpacks and imports the bundle into `db` (see above). `work_dir` must exist
// and be writable; it holds the scratch directory (".bulwark-import-XXXXXX") while this runs.
// Errors: kInvalidArgument (a bad source, a hostile or unreadable bundle), kDigestMismatch
// (naming both digests), kTooLarge, kUnavailable (network, TLS, a non-200 answer naming its
// status), kIo, and VulnDb::import's own.
Result<ImportSummary> import_bundle(VulnDb& db, const BundleSource& source,
                                    const std::filesystem::path& work_dir);

// Unpacks the bundle file `archive` into `into` (created here; it must not exist yet) with the
// checks above; the sorted top-level paths to import. A single (not archived) feed file is saved
// under `file_name` (the URL's last path segment) without a compression suffix when that is a
// plain file name, else "feed", plus an extension guessed from its first bytes when it has none,
// so that importers recognize it.
Result<std::vector<std::filesystem::path>> unpack_bundle(const std::filesystem::path& archive,
                                                         const std::filesystem::path& into,
                                                         std::string_view file_name);

}  // namespace bulwark::vulndb
