// rpmdb reading: the RPM header blob (the package record of every rpmdb backend) and the three
// database file formats that hold them (BerkeleyDB, NDB, SQLite). Internal to the rpm analyzer.
//
// A header is big-endian: il (index entry count) and dl (data store size), then il 16-byte index
// entries {tag, type, offset, count}, then the dl-byte data store the offsets point into. Only the
// tags the scanner needs are decoded; every count and offset is checked against the blob.
// Also the three rpmdb file formats, which yield header blobs: each reader takes the whole file
// in memory, bounds every page walk and returns an error for a malformed file.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace bulwark::scan {

// Fixed-width integer loads from a byte string. REQUIRES: off + width <= bytes.size().
inline uint16_t load_u16(std::string_view bytes, size_t off, bool big_endian) {
  auto b = [&](size_t i) { return static_cast<uint16_t>(static_cast<unsigned char>(bytes[off + i])); };
  return big_endian ? static_cast<uint16_t>(b(0) << 8 | b(1)) : static_cast<uint16_t>(b(1) << 8 | b(0));
}
inline uint32_t load_u32(std::string_view bytes, size_t off, bool big_endian) {
  uint32_t hi = load_u16(bytes, off + (big_endian ? 0 : 2), big_endian);
  uint32_t lo = load_u16(bytes, off + (big_endian ? 2 : 0), big_endian);
  return hi << 16 | lo;
}

struct RpmHeader {
  std::string name, version, release;  // NAME, VERSION, RELEASE
  std::optional<uint32_t> epoch;       // EPOCH, absent for most packages
  std::string arch;                    // ARCH ("" for gpg-pubkey)
  std::string source_rpm;              // SOURCERPM ("bash-4.4.19-12.el8.src.rpm"), "" when "(none)"
  std::string license;                 // LICENSE as written, "" when "(none)"
  std::string modularity_label;        // MODULARITYLABEL
};

// Decodes one header blob (trailing bytes after the data store are ignored).
// Errors: kCorrupt when an index entry points outside the blob, a string is unterminated, or NAME
// or VERSION is missing.
Result<RpmHeader> parse_rpm_header(std::string_view blob);

// Called with each header blob of a database, in database order; an error stops the walk and is
// returned by the reader.
using RpmBlobVisitor = std::function<Result<void>(std::string_view blob)>;

// BerkeleyDB hash database ("Packages", rpm < 4.16): either byte order, page types P_HASH and
// P_HASH_UNSORTED, values stored on overflow page chains (H_OFFPAGE) or inline (H_KEYDATA).
Result<void> read_rpm_bdb(std::string_view file, const RpmBlobVisitor& visit);
// rpm's own "ndb" format ("Packages.db", SUSE).
Result<void> read_rpm_ndb(std::string_view file, const RpmBlobVisitor& visit);
// SQLite ("rpmdb.sqlite", rpm >= 4.16): table Packages(hnum, blob), opened from memory read-only.
// A database in WAL mode is read from its main file only (the -wal file is a separate file).
Result<void> read_rpm_sqlite(std::string_view file, const RpmBlobVisitor& visit);

}  // namespace bulwark::scan
