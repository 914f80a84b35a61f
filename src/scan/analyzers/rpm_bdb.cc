// Reading rpm's BerkeleyDB "Packages" hash database without libdb (declared in rpm_db.h).
//
// Format facts (libdb's dbinc/db_page.h, as documented by go-rpmdb's pkg/bdb): page 0 is the hash
// metadata page {magic 0x061561 at 12, page size at 20, encryption at 24, page type 8 at 25, last
// page number at 32}, in the byte order of the machine that wrote it. Every page starts with a
// 26-byte header {next page at 16, entry count at 20, hf_offset at 22, type at 25}. Hash pages
// (type 2 "unsorted", 13 "sorted") hold an array of 2-byte item offsets after the header; items
// come in key/value pairs. A value is either H_KEYDATA (type 1: the bytes follow inline) or
// H_OFFPAGE (type 3: {page number at 4, total length at 8}) whose bytes lie on a chain of overflow
// pages (type 7), each holding hf_offset bytes after its header. rpm's keys are 4-byte header
// numbers; key 0 holds rpm's bookkeeping, not a header.
//
// Every walk is bounded: overflow pages may be visited once in total over the whole file (a valid
// database never shares them between records), so cyclic or shared chains end in an error.
#include <array>

#include "scan/analyzers/rpm_db.h"

namespace bulwark::scan {
namespace {

constexpr uint32_t kHashMagic = 0x061561;
constexpr uint8_t kPageHashUnsorted = 2, kPageOverflow = 7, kPageHashMeta = 8, kPageHash = 13;
constexpr uint8_t kItemKeyData = 1, kItemOffPage = 3;
constexpr size_t kPageHeaderSize = 26;
constexpr size_t kOffPageItemSize = 12;
constexpr std::array<uint32_t, 8> kPageSizes = {512, 1024, 2048, 4096, 8192, 16384, 32768, 65536};

class BdbFile {
 public:
  BdbFile(std::string_view file, bool big_endian, uint32_t page_size)
      : file_(file), big_(big_endian), page_size_(page_size), pages_(file.size() / page_size) {}

  uint64_t pages() const { return pages_; }
  std::string_view page(uint64_t pgno) const { return file_.substr(pgno * page_size_, page_size_); }
  uint16_t u16(std::string_view page, size_t off) const { return load_u16(page, off, big_); }
  uint32_t u32(std::string_view page, size_t off) const { return load_u32(page, off, big_); }

  // Concatenates the overflow chain starting at `pgno` (`length` bytes in all).
  Result<std::string> overflow(uint32_t pgno, uint32_t length) {
    std::string value;
    if (length > file_.size()) return fail(ErrorCode::kCorrupt, "rpmdb: overflow item larger than the file");
    value.reserve(length);
    while (pgno != 0) {
      if (pgno >= pages_) return fail(ErrorCode::kCorrupt, "rpmdb: overflow page out of range");
      if (++overflow_visits_ > pages_) return fail(ErrorCode::kCorrupt, "rpmdb: cyclic overflow page chain");
      std::string_view page = this->page(pgno);
      if (static_cast<uint8_t>(page[25]) != kPageOverflow) {
        return fail(ErrorCode::kCorrupt, "rpmdb: overflow chain reaches a non-overflow page");
      }
      uint16_t used = u16(page, 22);
      if (used > page_size_ - kPageHeaderSize || value.size() + used > length) {
        return fail(ErrorCode::kCorrupt, "rpmdb: overflow page length out of range");
      }
      value.append(page.substr(kPageHeaderSize, used));
      pgno = u32(page, 16);
    }
    if (value.size() != length) return fail(ErrorCode::kCorrupt, "rpmdb: overflow chain shorter than its item");
    return value;
  }

 private:
  std::string_view file_;
  bool big_;
  uint32_t page_size_;
  uint64_t pages_;
  uint64_t overflow_visits_ = 0;
};

// Hands every header value of one hash page to `visit`.
Result<void> read_hash_page(BdbFile& db, std::string_view page, const RpmBlobVisitor& visit) {
  uint16_t entries = db.u16(page, 20);
  if (entries % 2 != 0 || kPageHeaderSize + size_t{entries} * 2 > page.size()) {
    return fail(ErrorCode::kCorrupt, "rpmdb: bad hash page entry count");
  }
  auto offset = [&](size_t i) -> size_t { return db.u16(page, kPageHeaderSize + i * 2); };
  // Items are laid out from the end of the page down: item i ends where item i-1 begins.
  auto item = [&](size_t i) -> Result<std::string_view> {
    size_t begin = offset(i), end = i == 0 ? page.size() : offset(i - 1);
    if (begin < kPageHeaderSize + size_t{entries} * 2 || begin >= end || end > page.size()) {
      return fail(ErrorCode::kCorrupt, "rpmdb: hash item offset out of range");
    }
    return page.substr(begin, end - begin);
  };
  for (size_t i = 1; i < entries; i += 2) {
    BULWARK_ASSIGN_OR_RETURN(std::string_view value, item(i));
    uint8_t type = static_cast<uint8_t>(value[0]);
    if (type == kItemOffPage) {
      if (value.size() < kOffPageItemSize) return fail(ErrorCode::kCorrupt, "rpmdb: short off-page item");
      BULWARK_ASSIGN_OR_RETURN(std::string blob, db.overflow(db.u32(value, 4), db.u32(value, 8)));
      BULWARK_TRY_VOID(visit(blob));
    } else if (type == kItemKeyData) {
      BULWARK_ASSIGN_OR_RETURN(std::string_view key, item(i - 1));
      bool bookkeeping = key.size() == 5 && key.substr(1) == std::string_view("\0\0\0\0", 4);
      if (!bookkeeping) BULWARK_TRY_VOID(visit(value.substr(1)));
    }
  }
  return ok();
}

}  // namespace

Result<void> read_rpm_bdb(std::string_view file, const RpmBlobVisitor& visit) {
  if (file.size() < 512) return fail(ErrorCode::kCorrupt, "rpmdb: not a BerkeleyDB hash database");
  bool big_endian;
  if (load_u32(file, 12, false) == kHashMagic) {
    big_endian = false;
  } else if (load_u32(file, 12, true) == kHashMagic) {
    big_endian = true;
  } else {
    return fail(ErrorCode::kCorrupt, "rpmdb: not a BerkeleyDB hash database");
  }
  uint32_t page_size = load_u32(file, 20, big_endian);
  bool valid_size = false;
  for (uint32_t size : kPageSizes) valid_size = valid_size || size == page_size;
  if (!valid_size) return fail(ErrorCode::kCorrupt, "rpmdb: bad BerkeleyDB page size");
  if (file[24] != 0) return fail(ErrorCode::kUnsupported, "rpmdb: encrypted BerkeleyDB database");
  if (static_cast<uint8_t>(file[25]) != kPageHashMeta) {
    return fail(ErrorCode::kCorrupt, "rpmdb: BerkeleyDB database is not a hash database");
  }
  BdbFile db(file, big_endian, page_size);
  uint64_t last_page = load_u32(file, 32, big_endian);
  if (last_page >= db.pages()) return fail(ErrorCode::kCorrupt, "rpmdb: BerkeleyDB database is truncated");
  for (uint64_t pgno = 1; pgno <= last_page; ++pgno) {
    std::string_view page = db.page(pgno);
    uint8_t type = static_cast<uint8_t>(page[25]);
    if (type != kPageHash && type != kPageHashUnsorted) continue;
    BULWARK_TRY_VOID(read_hash_page(db, page, visit));
  }
  return ok();
}

}  // namespace bulwark::scan
