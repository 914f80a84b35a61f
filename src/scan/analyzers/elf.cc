// ElfImage (see elf.h): bounds-checked ELF header, section and program header parsing.
#include "scan/analyzers/elf.h"

#include <string>

namespace bulwark::scan {
namespace {

constexpr uint32_t kShtNobits = 8;
constexpr uint32_t kPtLoad = 1;
constexpr uint16_t kShnXindex = 0xffff;
constexpr uint16_t kPnXnum = 0xffff;

// Field offsets and widths of the headers, per class (32 or 64 bit): a table, not two parsers.
struct Layout {
  size_t ehsize;
  size_t addr_width;  // 4 or 8
  size_t e_phoff, e_shoff, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
  size_t shsize, sh_name, sh_type, sh_addr, sh_offset, sh_size, sh_link, sh_info;
  size_t phsize, p_type, p_offset, p_vaddr, p_filesz;
};
constexpr Layout kLayout32 = {52, 4, 28, 32, 42, 44, 46, 48, 50,
                              40, 0,  4, 12, 16, 20, 24, 28,
                              32, 0,  4, 8,  16};
constexpr Layout kLayout64 = {64, 8, 32, 40, 54, 56, 58, 60, 62,
                              64, 0,  4, 16, 24, 32, 40, 44,
                              56, 0,  8, 16, 32};

Error malformed(std::string what) {
  return Error{ErrorCode::kInvalidArgument, "malformed ELF: " + std::move(what)};
}

// True if [offset, offset + size) lies within a buffer of `total` bytes (overflow-safe).
bool in_bounds(uint64_t offset, uint64_t size, uint64_t total) {
  return offset <= total && size <= total - offset;
}

}  // namespace

bool wants_executable(std::string_view, uint32_t mode, uint64_t size) {
  return (mode & 0111) != 0 && size >= 1024;
}

bool ElfImage::looks_like_elf(std::string_view bytes) {
  return bytes.size() >= 4 && bytes.substr(0, 4) == std::string_view("\x7f" "ELF", 4);
}

uint64_t read_uint_endian(std::string_view bytes, size_t width, bool big_endian) {
  uint64_t value = 0;
  for (size_t i = 0; i < width; ++i) {
    size_t index = big_endian ? i : width - 1 - i;
    value = (value << 8) | static_cast<unsigned char>(bytes[index]);
  }
  return value;
}

Result<ElfImage> ElfImage::parse(std::string_view bytes) {
  ElfImage elf;
  elf.bytes_ = bytes;
  if (bytes.size() < 16) return fail(malformed("truncated identification"));
  const unsigned char klass = static_cast<unsigned char>(bytes[4]);
  const unsigned char data = static_cast<unsigned char>(bytes[5]);
  if (klass != 1 && klass != 2) return fail(malformed("unknown class"));
  if (data != 1 && data != 2) return fail(malformed("unknown byte order"));
  elf.is64_ = klass == 2;
  elf.big_endian_ = data == 2;
  const Layout& l = elf.is64_ ? kLayout64 : kLayout32;
  if (bytes.size() < l.ehsize) return fail(malformed("truncated header"));
  auto field = [&](std::string_view record, size_t offset, size_t width) {
    return read_uint_endian(record.substr(offset, width), width, elf.big_endian_);
  };
  const uint64_t total = bytes.size();
  const uint64_t shoff = field(bytes, l.e_shoff, l.addr_width);
  const uint64_t shentsize = field(bytes, l.e_shentsize, 2);
  uint64_t shnum = field(bytes, l.e_shnum, 2);
  uint64_t shstrndx = field(bytes, l.e_shstrndx, 2);
  const uint64_t phoff = field(bytes, l.e_phoff, l.addr_width);
  const uint64_t phentsize = field(bytes, l.e_phentsize, 2);
  uint64_t phnum = field(bytes, l.e_phnum, 2);

  // Section headers. Counts that do not fit in 16 bits live in section 0 (extended numbering).
  std::vector<std::string_view> headers;
  if (shoff != 0) {
    if (shentsize < l.shsize) return fail(malformed("section header entries too small"));
    if (!in_bounds(shoff, shentsize, total)) return fail(malformed("section headers beyond the file"));
    std::string_view first = bytes.substr(shoff, shentsize);
    if (shnum == 0) shnum = field(first, l.sh_size, l.addr_width);
    if (shstrndx == kShnXindex) shstrndx = field(first, l.sh_link, 4);
    if (phnum == kPnXnum) phnum = field(first, l.sh_info, 4);
    if (shnum > (total - shoff) / shentsize) return fail(malformed("section headers beyond the file"));
    headers.reserve(shnum);
    for (uint64_t i = 0; i < shnum; ++i) headers.push_back(bytes.substr(shoff + i * shentsize, shentsize));
  }
  std::string_view names;
  if (shstrndx != 0 && shstrndx < headers.size()) {
    std::string_view h = headers[shstrndx];
    uint64_t off = field(h, l.sh_offset, l.addr_width), size = field(h, l.sh_size, l.addr_width);
    if (!in_bounds(off, size, total)) return fail(malformed("section name table beyond the file"));
    names = bytes.substr(off, size);
  }
  elf.sections_.reserve(headers.size());
  for (std::string_view h : headers) {
    ElfSection s;
    s.type = static_cast<uint32_t>(field(h, l.sh_type, 4));
    s.addr = field(h, l.sh_addr, l.addr_width);
    uint64_t name = field(h, l.sh_name, 4);
    if (name < names.size()) {
      std::string_view rest = names.substr(name);
      s.name = rest.substr(0, rest.find('\0'));
    }
    if (s.type != kShtNobits) {
      uint64_t off = field(h, l.sh_offset, l.addr_width), size = field(h, l.sh_size, l.addr_width);
      if (!in_bounds(off, size, total)) return fail(malformed("a section extends beyond the file"));
      s.data = bytes.substr(off, size);
    }
    elf.sections_.push_back(s);
  }

  // Loadable segments, for address translation when sections are stripped.
  if (phoff != 0 && phnum != 0) {
    if (phentsize < l.phsize) return fail(malformed("program header entries too small"));
    if (!in_bounds(phoff, 0, total) || phnum > (total - phoff) / phentsize) {
      return fail(malformed("program headers beyond the file"));
    }
    for (uint64_t i = 0; i < phnum; ++i) {
      std::string_view h = bytes.substr(phoff + i * phentsize, phentsize);
      if (field(h, l.p_type, 4) != kPtLoad) continue;
      uint64_t off = field(h, l.p_offset, l.addr_width), size = field(h, l.p_filesz, l.addr_width);
      if (!in_bounds(off, size, total)) return fail(malformed("a segment extends beyond the file"));
      elf.segments_.push_back(Segment{field(h, l.p_vaddr, l.addr_width), bytes.substr(off, size)});
    }
  }
  return elf;
}

std::optional<ElfSection> ElfImage::section(std::string_view name) const {
  for (const ElfSection& s : sections_) {
    if (s.name == name) return s;
  }
  return std::nullopt;
}

std::optional<std::string_view> ElfImage::read_at(uint64_t addr, uint64_t size) const {
  auto from = [&](uint64_t base, std::string_view data) -> std::optional<std::string_view> {
    if (addr < base || !in_bounds(addr - base, size, data.size())) return std::nullopt;
    return data.substr(addr - base, size);
  };
  for (const ElfSection& s : sections_) {
    if (s.addr == 0 || s.data.empty()) continue;
    if (auto bytes = from(s.addr, s.data)) return bytes;
  }
  for (const Segment& seg : segments_) {
    if (auto bytes = from(seg.vaddr, seg.data)) return bytes;
  }
  return std::nullopt;
}

}  // namespace bulwark::scan
