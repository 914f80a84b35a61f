// Decoding of RPM header blobs (declared in rpm_db.h). Format facts: rpm's lib/header.c — a
// big-endian index of {tag, type, offset, count} entries followed by the data store; strings are
// NUL-terminated; a tag that appears twice (a region entry and a later "dribble" entry) takes the
// later value, as rpm does.
#include <array>

#include "scan/analyzers/rpm_db.h"

namespace bulwark::scan {
namespace {

constexpr uint32_t kTypeInt32 = 4, kTypeString = 6, kTypeStringArray = 8, kTypeI18nString = 9;
// rpm's own sanity limits (hdrchkTags / hdrchkData in lib/header.c).
constexpr uint32_t kMaxIndexEntries = 0xffff;
constexpr uint32_t kMaxDataSize = 0x0fffffff;
constexpr size_t kIndexEntrySize = 16;

// The string tags the scanner reads and where each goes.
struct StringTag {
  uint32_t tag;
  std::string RpmHeader::*field;
};
constexpr std::array<StringTag, 7> kStringTags = {{
    {1000, &RpmHeader::name},
    {1001, &RpmHeader::version},
    {1002, &RpmHeader::release},
    {1014, &RpmHeader::license},
    {1022, &RpmHeader::arch},
    {1044, &RpmHeader::source_rpm},
    {5096, &RpmHeader::modularity_label},
}};
constexpr uint32_t kTagEpoch = 1003;

// The first string at `offset` in the data store.
Result<std::string> string_at(std::string_view store, uint32_t offset) {
  if (offset >= store.size()) return fail(ErrorCode::kCorrupt, "rpm header: string offset out of range");
  size_t end = store.find('\0', offset);
  if (end == std::string_view::npos) return fail(ErrorCode::kCorrupt, "rpm header: unterminated string");
  return std::string(store.substr(offset, end - offset));
}

}  // namespace

Result<RpmHeader> parse_rpm_header(std::string_view blob) {
  if (blob.size() < 8) return fail(ErrorCode::kCorrupt, "rpm header: truncated");
  uint32_t il = load_u32(blob, 0, true);
  uint32_t dl = load_u32(blob, 4, true);
  if (il < 1 || il > kMaxIndexEntries || dl > kMaxDataSize) {
    return fail(ErrorCode::kCorrupt, "rpm header: bad index or data size");
  }
  uint64_t store_begin = 8 + uint64_t{il} * kIndexEntrySize;
  if (store_begin + dl > blob.size()) return fail(ErrorCode::kCorrupt, "rpm header: truncated");
  std::string_view store = blob.substr(store_begin, dl);

  RpmHeader header;
  for (uint32_t i = 0; i < il; ++i) {
    size_t at = 8 + size_t{i} * kIndexEntrySize;
    uint32_t tag = load_u32(blob, at, true);
    uint32_t type = load_u32(blob, at + 4, true);
    uint32_t offset = load_u32(blob, at + 8, true);
    uint32_t count = load_u32(blob, at + 12, true);
    if (tag == kTagEpoch) {
      if (type != kTypeInt32 || count < 1 || offset > store.size() || store.size() - offset < 4) {
        return fail(ErrorCode::kCorrupt, "rpm header: bad EPOCH entry");
      }
      header.epoch = load_u32(store, offset, true);
      continue;
    }
    for (const StringTag& wanted : kStringTags) {
      if (wanted.tag != tag) continue;
      if (type != kTypeString && type != kTypeI18nString && type != kTypeStringArray) {
        return fail(ErrorCode::kCorrupt, "rpm header: string tag of a non-string type");
      }
      if (count < 1) return fail(ErrorCode::kCorrupt, "rpm header: empty string entry");
      BULWARK_ASSIGN_OR_RETURN(header.*wanted.field, string_at(store, offset));
    }
  }
  if (header.name.empty() || header.version.empty()) {
    return fail(ErrorCode::kCorrupt, "rpm header: no NAME or VERSION");
  }
  for (std::string* text : {&header.source_rpm, &header.license, &header.arch}) {
    if (*text == "(none)") text->clear();
  }
  return header;
}

}  // namespace bulwark::scan
