// LayerReader: libarchive over a ByteStream, with digest verification and limits (layer_reader.h).
#include "scan/layer_reader.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "common/digest.h"
#include "common/strict_json.h"

namespace bulwark::scan {

namespace {

constexpr size_t kReadChunk = 1 << 20;
constexpr uint64_t kRatioFloor = 64 << 20;    // the ratio is only checked past this many bytes
constexpr uint64_t kMaxTrailingBytes = 16 << 20;  // bytes after the tar end still hashed

// libarchive file types, as a table from AE_IF* to EntryType.
struct TypeRow {
  unsigned int ae;
  EntryType type;
};
constexpr TypeRow kTypes[] = {
    {AE_IFREG, EntryType::kFile},
    {AE_IFDIR, EntryType::kDirectory},
    {AE_IFLNK, EntryType::kSymlink},
};

EntryType entry_type(unsigned int ae) {
  for (const auto& row : kTypes) {
    if (row.ae == ae) return row.type;
  }
  return EntryType::kOther;
}

}  // namespace

namespace {

// Normalises `name` inside the root; ".." above the root fails, or stops at the root if `clamp`.
std::optional<std::string> normalize(std::string_view name, bool clamp) {
  std::vector<std::string_view> parts;
  while (!name.empty()) {
    size_t slash = name.find('/');
    std::string_view part = name.substr(0, slash);
    name = slash == std::string_view::npos ? std::string_view{} : name.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (parts.empty() && !clamp) return std::nullopt;
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (std::string_view part : parts) {
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

}  // namespace

Result<std::string> normalize_image_path(std::string_view name) {
  auto out = normalize(name, false);
  if (!out) return fail(ErrorCode::kInvalidArgument, "escapes the image root");
  return std::move(*out);
}

std::string clamp_image_path(std::string_view name) { return *normalize(name, true); }

LayerReader::LayerReader(std::unique_ptr<ByteStream> stream, std::string what, std::string digest,
                         const WalkLimits& limits)
    : stream_(std::move(stream)), what_(std::move(what)), digest_(std::move(digest)),
      limits_(limits), buffer_(kReadChunk, '\0') {}

LayerReader::~LayerReader() {
  if (archive_ != nullptr) archive_read_free(archive_);
}

long LayerReader::read_callback(struct archive*, void* self_ptr, const void** buffer) {
  auto* self = static_cast<LayerReader*>(self_ptr);
  auto n = self->stream_->read(std::span<char>(self->buffer_.data(), self->buffer_.size()));
  if (!n) {
    self->stream_error_ = n.error();
    return -1;
  }
  if (self->hasher_) self->hasher_->update(std::string_view(self->buffer_.data(), *n));
  self->compressed_ += *n;
  *buffer = self->buffer_.data();
  return static_cast<long>(*n);
}

Error LayerReader::archive_error(std::string_view doing) {
  if (stream_error_) return *stream_error_;
  const char* message = archive_ != nullptr ? archive_error_string(archive_) : nullptr;
  return Error{ErrorCode::kCorrupt, what_ + ": " + std::string(doing) + ": " +
                                        (message != nullptr ? message : "not a tar archive")};
}

Result<void> LayerReader::check_limits() {
  uint64_t uncompressed = static_cast<uint64_t>(archive_filter_bytes(archive_, 0));
  if (uncompressed > limits_.max_layer_bytes) {
    return fail(ErrorCode::kTooLarge, what_ + ": more than " +
                                          std::to_string(limits_.max_layer_bytes) +
                                          " uncompressed bytes");
  }
  if (uncompressed > kRatioFloor && uncompressed / std::max<uint64_t>(compressed_, 1) > limits_.max_ratio) {
    return fail(ErrorCode::kTooLarge,
                what_ + ": expands more than " + std::to_string(limits_.max_ratio) +
                    " times (decompression bomb?)");
  }
  return ok();
}

Result<std::optional<LayerEntry>> LayerReader::next() {
  if (archive_ == nullptr) {
    if (!digest_.empty()) {
      auto parsed = Digest::parse(digest_);
      if (!parsed) return fail(ErrorCode::kCorrupt, what_ + ": invalid layer digest");
      hasher_.emplace(parsed->algorithm());
    }
    archive_ = archive_read_new();
    if (archive_ == nullptr) return fail(ErrorCode::kUnavailable, "out of memory");
    archive_read_support_filter_gzip(archive_);
    archive_read_support_filter_zstd(archive_);
    archive_read_support_format_tar(archive_);
    if (archive_read_open(archive_, this, nullptr, &LayerReader::read_callback, nullptr) !=
        ARCHIVE_OK) {
      return fail(archive_error("opening"));
    }
  }
  if (data_pending_) BULWARK_TRY_VOID(skip_data());
  struct archive_entry* entry = nullptr;
  int rc = archive_read_next_header(archive_, &entry);
  if (rc == ARCHIVE_EOF) {
    BULWARK_TRY_VOID(finish());
    return std::optional<LayerEntry>{};
  }
  if (rc < ARCHIVE_WARN) return fail(archive_error("reading an entry header"));
  if (++entries_ > limits_.max_entries) {
    return fail(ErrorCode::kTooLarge,
                what_ + ": more than " + std::to_string(limits_.max_entries) + " entries");
  }
  BULWARK_TRY_VOID(check_limits());

  const char* name = archive_entry_pathname(entry);
  if (name == nullptr) return fail(ErrorCode::kCorrupt, what_ + ": an entry has no readable name");
  size_t name_length = strnlen(name, limits_.max_path + 1);
  if (name_length > limits_.max_path) {
    return fail(ErrorCode::kInvalidArgument, what_ + ": an entry name is longer than " +
                                                 std::to_string(limits_.max_path) + " bytes");
  }
  auto path = normalize_image_path(std::string_view(name, name_length));
  if (!path) {
    return fail(ErrorCode::kInvalidArgument,
                what_ + ": entry " + quote_untrusted(name) + " escapes the image root");
  }
  LayerEntry out;
  out.path = std::move(*path);
  out.mode = archive_entry_perm(entry);
  out.type = entry_type(archive_entry_filetype(entry));
  int64_t size = archive_entry_size(entry);
  out.size = size > 0 ? static_cast<uint64_t>(size) : 0;
  if (out.size > limits_.max_layer_bytes) {
    return fail(ErrorCode::kTooLarge, what_ + ": entry " + quote_untrusted(out.path) +
                                          " declares " + std::to_string(out.size) + " bytes");
  }
  if (const char* hardlink = archive_entry_hardlink(entry); hardlink != nullptr) {
    auto target = normalize_image_path(hardlink);
    if (!target || target->empty()) {
      return fail(ErrorCode::kInvalidArgument, what_ + ": hard link " + quote_untrusted(out.path) +
                                                   " points outside the image");
    }
    out.type = EntryType::kHardlink;
    out.link_target = std::move(*target);
  } else if (out.type == EntryType::kSymlink) {
    const char* target = archive_entry_symlink(entry);
    out.link_target = target != nullptr ? target : "";
  }
  data_pending_ = out.type == EntryType::kFile;
  if (out.path.empty()) {  // the root directory itself
    out.path = ".";
  }
  return std::optional<LayerEntry>(std::move(out));
}

Result<void> LayerReader::for_each_block(
    const std::function<Result<void>(uint64_t offset, std::string_view block)>& fn) {
  data_pending_ = false;
  for (;;) {
    const void* block = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    int rc = archive_read_data_block(archive_, &block, &size, &offset);
    if (rc == ARCHIVE_EOF) return ok();
    if (rc < ARCHIVE_WARN) return fail(archive_error("reading file data"));
    BULWARK_TRY_VOID(check_limits());
    if (offset < 0) return fail(ErrorCode::kCorrupt, what_ + ": negative data offset");
    BULWARK_TRY_VOID(fn(static_cast<uint64_t>(offset), {static_cast<const char*>(block), size}));
  }
}

Result<void> LayerReader::read_data(std::string& out) {
  out.clear();
  return for_each_block([&](uint64_t offset, std::string_view block) -> Result<void> {
    if (offset + block.size() > limits_.max_read_bytes) {
      return fail(ErrorCode::kTooLarge, what_ + ": file data beyond its declared size");
    }
    if (offset > out.size()) out.resize(static_cast<size_t>(offset), '\0');  // a sparse hole
    out.append(block);
    return ok();
  });
}

Result<void> LayerReader::skip_data() {
  return for_each_block([](uint64_t, std::string_view) { return ok(); });
}

Result<void> LayerReader::finish() {
  // libarchive stops at the tar's end-of-archive blocks; the digest covers the whole blob.
  uint64_t trailing = 0;
  for (;;) {
    auto n = stream_->read(std::span<char>(buffer_.data(), buffer_.size()));
    if (!n) return fail(n.error());
    if (*n == 0) break;
    trailing += *n;
    if (trailing > kMaxTrailingBytes) {
      return fail(ErrorCode::kCorrupt, what_ + ": more than " + std::to_string(kMaxTrailingBytes) +
                                           " bytes after the end of the archive");
    }
    if (hasher_) hasher_->update(std::string_view(buffer_.data(), *n));
  }
  if (hasher_) {
    std::string actual = hasher_->finish().str();
    hasher_.reset();
    if (actual != digest_) {
      return fail(ErrorCode::kDigestMismatch,
                  what_ + ": content does not match its digest (got " + actual + ")");
    }
  }
  return ok();
}

}  // namespace bulwark::scan
