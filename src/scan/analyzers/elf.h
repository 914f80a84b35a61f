// ElfImage: a bounds-checked, read-only view of an ELF file held in memory (32/64-bit, little or
// big endian), for analyzers that look inside executables (Go build info, cargo-auditable).
// Only what they need: the section table with names, and reading bytes at a virtual address.
// Every offset and size is checked against the buffer; hostile headers yield an error, never a
// read out of bounds. The view borrows the bytes: they must outlive it. Immutable after parse;
// thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace bulwark::scan {

struct ElfSection {
  std::string_view name;  // ".go.buildinfo"; empty if the string table is missing
  uint32_t type = 0;      // SHT_*; SHT_NOBITS (8) sections have no bytes in the file
  uint64_t addr = 0;      // virtual address when loaded (0 if not allocated)
  std::string_view data;  // the section's bytes (empty for SHT_NOBITS)
};

// Reads an unsigned integer of `width` bytes (1..8) from the start of `bytes`.
// REQUIRES: bytes.size() >= width.
uint64_t read_uint_endian(std::string_view bytes, size_t width, bool big_endian);

// The `wants` filter shared by analyzers of executables: executable regular files of 1 KiB or more.
bool wants_executable(std::string_view path, uint32_t mode, uint64_t size);

class ElfImage {
 public:
  // True if `bytes` starts with the ELF magic (cheap; does not validate anything else).
  static bool looks_like_elf(std::string_view bytes);
  // Parses the ELF and section headers. kInvalidArgument if the headers are inconsistent
  // (truncated, sections outside the file, absurd counts).
  // REQUIRES: looks_like_elf(bytes).
  static Result<ElfImage> parse(std::string_view bytes);

  bool is_64bit() const { return is64_; }
  bool big_endian() const { return big_endian_; }
  const std::vector<ElfSection>& sections() const { return sections_; }
  // The first section named `name`, if any.
  std::optional<ElfSection> section(std::string_view name) const;
  // `size` bytes at virtual address `addr`, from the section or loadable segment mapping it;
  // nullopt if no part of the file maps the whole range.
  std::optional<std::string_view> read_at(uint64_t addr, uint64_t size) const;

 private:
  struct Segment {
    uint64_t vaddr = 0;
    std::string_view data;  // the file-backed part (p_filesz)
  };
  std::string_view bytes_;
  bool is64_ = false;
  bool big_endian_ = false;
  std::vector<ElfSection> sections_;
  std::vector<Segment> segments_;  // PT_LOAD only
};

}  // namespace bulwark::scan
