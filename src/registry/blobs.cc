// GET/HEAD/DELETE /v2/<name>/blobs/<digest> — blob pulls (Range-aware, zero-copy where the
// backend is file-based) and removal of a repository's link to a blob.
#include <charconv>

#include "registry/context.h"
#include "registry/gate.h"
#include "registry/respond.h"

namespace bulwark::registry {
namespace {

// Streams [offset, offset+length) of a blob.
class BlobBody : public http::BodySource {
 public:
  BlobBody(std::unique_ptr<storage::BlobReader> reader, uint64_t offset, uint64_t length)
      : reader_(std::move(reader)), offset_(offset), length_(length) {}

  uint64_t size() const override { return length_; }
  std::optional<http::FileRegion> file_region() const override {
    int fd = reader_->native_fd();
    if (fd < 0) return std::nullopt;
    return http::FileRegion{fd, offset_, length_};
  }
  Result<size_t> read(std::span<char> buf) override {
    if (!positioned_) {
      BULWARK_TRY_VOID(reader_->seek(offset_));
      positioned_ = true;
    }
    uint64_t left = length_ - sent_;
    if (left == 0) return size_t{0};
    if (buf.size() > left) buf = buf.first(static_cast<size_t>(left));
    BULWARK_ASSIGN_OR_RETURN(size_t n, reader_->read(buf));
    if (n == 0) return fail(ErrorCode::kCorrupt, "blob shorter than recorded");
    sent_ += n;
    return n;
  }

 private:
  std::unique_ptr<storage::BlobReader> reader_;
  uint64_t offset_;
  uint64_t length_;
  uint64_t sent_ = 0;
  bool positioned_ = false;
};

struct ByteRange {
  uint64_t first = 0;
  uint64_t length = 0;
};

bool parse_u64(std::string_view s, uint64_t& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// Parses a single "bytes=a-b", "bytes=a-" or "bytes=-n" range against `size` (RFC 9110 14.1).
// nullopt: ignore the header and send everything (malformed or multi-range). kOutOfRange:
// unsatisfiable.
Result<std::optional<ByteRange>> parse_range(std::string_view header, uint64_t size) {
  constexpr std::string_view kPrefix = "bytes=";
  if (!header.starts_with(kPrefix)) return std::nullopt;
  std::string_view spec = header.substr(kPrefix.size());
  if (spec.find(',') != std::string_view::npos) return std::nullopt;
  auto dash = spec.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  std::string_view a = spec.substr(0, dash), b = spec.substr(dash + 1);
  uint64_t first = 0, last = 0;
  if (a.empty()) {  // suffix range
    if (!parse_u64(b, last)) return std::nullopt;
    if (last == 0 || size == 0) return fail(ErrorCode::kOutOfRange, "unsatisfiable range");
    uint64_t n = std::min(last, size);
    return ByteRange{size - n, n};
  }
  if (!parse_u64(a, first)) return std::nullopt;
  if (b.empty()) {
    last = size == 0 ? 0 : size - 1;
  } else if (!parse_u64(b, last) || last < first) {
    return std::nullopt;
  }
  if (first >= size) return fail(ErrorCode::kOutOfRange, "unsatisfiable range");
  last = std::min(last, size - 1);
  return ByteRange{first, last - first + 1};
}

http::Task<http::Response> get_blob(Context& ctx, http::Request& req) {
  auto name = repository_param(req);
  if (!name) co_return std::move(name.error());
  auto digest = digest_param(req.param("digest"));
  if (!digest) co_return std::move(digest.error());

  auto opened = co_await blocking([&]() -> Result<std::unique_ptr<storage::BlobReader>> {
    BULWARK_ASSIGN_OR_RETURN(auto size, ctx.metadata.blob_in_repository(*name, *digest));
    if (!size) return fail(ErrorCode::kNotFound, "blob unknown to repository");
    return ctx.blobs.open(*digest);
  });
  if (!opened) {
    co_return error_response(opened.error(), oci::ErrorCode::kBlobUnknown,
                             oci::ErrorCode::kDigestInvalid);
  }
  uint64_t size = (*opened)->size();
  http::Response r;
  r.headers.set("Content-Type", "application/octet-stream");
  r.headers.set("Docker-Content-Digest", digest->str());
  r.headers.set("ETag", "\"" + digest->str() + "\"");
  r.headers.set("Accept-Ranges", "bytes");
  r.headers.set("Cache-Control", "max-age=31536000");
  ByteRange range{0, size};
  if (auto header = req.headers.get("Range")) {
    auto parsed = parse_range(*header, size);
    if (!parsed) {
      http::Response e = oci_error(oci::ErrorCode::kRangeInvalid, "requested range not satisfiable");
      e.headers.set("Content-Range", "bytes */" + std::to_string(size));
      co_return e;
    }
    if (*parsed) {
      range = **parsed;
      r.status = 206;
      r.headers.set("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                         std::to_string(range.first + range.length - 1) + "/" +
                                         std::to_string(size));
    }
  }
  r.stream = std::make_unique<BlobBody>(std::move(*opened), range.first, range.length);
  co_return r;
}

http::Task<http::Response> delete_blob(Context& ctx, http::Request& req) {
  auto name = repository_param(req);
  if (!name) co_return std::move(name.error());
  auto digest = digest_param(req.param("digest"));
  if (!digest) co_return std::move(digest.error());
  // Only the repository's link goes; the bytes stay for other repositories and for garbage
  // collection to decide.
  auto removed = co_await blocking([&]() -> Result<bool> {
    BULWARK_ASSIGN_OR_RETURN(bool unlinked, ctx.metadata.unlink_blob(*name, *digest));
    if (unlinked) {
      audit(ctx, req, "blob.delete", {*name, digest->str(), ""}, audit::Outcome::kAllowed, "",
            /*durable=*/true);
    }
    return unlinked;
  });
  if (!removed) {
    co_return error_response(removed.error(), oci::ErrorCode::kBlobUnknown,
                             oci::ErrorCode::kDigestInvalid);
  }
  if (!*removed) co_return oci_error(oci::ErrorCode::kBlobUnknown);
  co_return empty_response(202);
}

}  // namespace

void register_blobs(http::Router& router, Context& ctx) {
  add_guarded(router, ctx, "GET", "/v2/{name+}/blobs/{digest}", needs(auth::Action::kPull),
              bind_handler(ctx, get_blob));
  add_guarded(router, ctx, "DELETE", "/v2/{name+}/blobs/{digest}", needs(auth::Action::kDelete),
              bind_handler(ctx, delete_blob));
}

}  // namespace bulwark::registry
