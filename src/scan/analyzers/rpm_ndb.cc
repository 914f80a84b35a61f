// Reading rpm's "ndb" Packages.db (declared in rpm_db.h).
//
// Format facts (rpm's lib/backend/ndb/rpmpkg.c; little-endian): a 32-byte header {magic "RpmP",
// version 0, generation, slot page count} at the start of the first of `slot page count` 4 KiB slot
// pages. The slot pages hold 16-byte slots {magic "Slot", package index (0 = free), block offset,
// block count}; the header takes the first two slots. A package's blob starts at block offset * 16:
// a 16-byte head {magic "BlbS", package index, generation, length}, the header blob, then a 12-byte
// tail {adler32, length, magic "BlbE"}. The checksum is not verified; everything else is.
#include "scan/analyzers/rpm_db.h"

namespace bulwark::scan {
namespace {

constexpr uint32_t magic(const char (&m)[5]) {
  return static_cast<uint32_t>(static_cast<unsigned char>(m[0])) |
         static_cast<uint32_t>(static_cast<unsigned char>(m[1])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(m[2])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(m[3])) << 24;
}
constexpr uint32_t kHeaderMagic = magic("RpmP"), kSlotMagic = magic("Slot");
constexpr uint32_t kBlobMagic = magic("BlbS"), kBlobTailMagic = magic("BlbE");
constexpr size_t kSlotPageSize = 4096, kSlotSize = 16, kBlockSize = 16;
constexpr size_t kBlobHeadSize = 16, kBlobTailSize = 12;
constexpr uint32_t kMaxSlotPages = 2048;  // 512k packages

uint32_t u32(std::string_view bytes, size_t off) { return load_u32(bytes, off, false); }

}  // namespace

Result<void> read_rpm_ndb(std::string_view file, const RpmBlobVisitor& visit) {
  if (file.size() < 32 || u32(file, 0) != kHeaderMagic) {
    return fail(ErrorCode::kCorrupt, "rpmdb: not an ndb Packages.db");
  }
  if (u32(file, 4) != 0) return fail(ErrorCode::kUnsupported, "rpmdb: unknown ndb version");
  uint32_t slot_pages = u32(file, 12);
  if (slot_pages == 0 || slot_pages > kMaxSlotPages || size_t{slot_pages} * kSlotPageSize > file.size()) {
    return fail(ErrorCode::kCorrupt, "rpmdb: bad ndb slot page count");
  }
  size_t slots_end = size_t{slot_pages} * kSlotPageSize;
  for (size_t at = 2 * kSlotSize; at < slots_end; at += kSlotSize) {
    if (u32(file, at) != kSlotMagic) return fail(ErrorCode::kCorrupt, "rpmdb: bad ndb slot");
    uint32_t index = u32(file, at + 4);
    if (index == 0) continue;  // a free slot
    uint64_t begin = uint64_t{u32(file, at + 8)} * kBlockSize;
    uint64_t blocks_end = begin + uint64_t{u32(file, at + 12)} * kBlockSize;
    if (begin < slots_end || blocks_end > file.size() || blocks_end - begin < kBlobHeadSize + kBlobTailSize) {
      return fail(ErrorCode::kCorrupt, "rpmdb: ndb blob out of range");
    }
    std::string_view head = file.substr(begin, kBlobHeadSize);
    uint64_t length = u32(head, 12);
    if (u32(head, 0) != kBlobMagic || u32(head, 4) != index ||
        kBlobHeadSize + length + kBlobTailSize > blocks_end - begin) {
      return fail(ErrorCode::kCorrupt, "rpmdb: bad ndb blob header");
    }
    std::string_view tail = file.substr(begin + kBlobHeadSize + length, kBlobTailSize);
    if (u32(tail, 4) != length || u32(tail, 8) != kBlobTailMagic) {
      return fail(ErrorCode::kCorrupt, "rpmdb: bad ndb blob trailer");
    }
    BULWARK_TRY_VOID(visit(file.substr(begin + kBlobHeadSize, length)));
  }
  return ok();
}

}  // namespace bulwark::scan
