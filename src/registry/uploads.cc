// /v2/<name>/blobs/uploads/... — blob pushes: monolithic (POST ?digest=), POST+PUT, chunked
// PATCH with Content-Range, upload status, cancel, and cross-repository mount.
//
// Ordering for crash safety: bytes are committed (hashed, fsynced, renamed) by the BlobStore
// before the repository link is recorded; the session row is removed last, so a crash in between
// leaves either a resumable session or a fully linked blob.
#include <atomic>
#include <charconv>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "common/clock.h"
#include "common/io_buffer_pool.h"
#include "common/log.h"
#include "common/random.h"
#include "oci/reference.h"
#include "registry/context.h"
#include "registry/gate.h"
#include "registry/respond.h"

namespace bulwark::registry {
namespace {

constexpr size_t kChunkBytes = IoBuffer::size();

std::string upload_location(const std::string& name, const std::string& id) {
  return "/v2/" + name + "/blobs/uploads/" + id;
}

// "0-<last byte>" as distribution reports it ("0-0" for an empty upload).
std::string range_header(uint64_t size) { return "0-" + std::to_string(size == 0 ? 0 : size - 1); }

http::Response upload_state(int status, const std::string& name, const std::string& id,
                            uint64_t size) {
  http::Response r = empty_response(status);
  r.headers.set("Location", upload_location(name, id));
  r.headers.set("Range", range_header(size));
  r.headers.set("Docker-Upload-UUID", id);
  return r;
}

http::Response blob_created(const std::string& name, const Digest& digest) {
  http::Response r = empty_response(201);
  r.headers.set("Location", "/v2/" + name + "/blobs/" + digest.str());
  r.headers.set("Docker-Content-Digest", digest.str());
  return r;
}

// Holds an upload session's busy mark for the duration of one request.
class SessionGuard {
 public:
  SessionGuard(UploadLocks& locks, std::string id) : locks_(locks), id_(std::move(id)) {
    held_ = locks_.try_lock(id_);
  }
  ~SessionGuard() {
    if (held_) locks_.unlock(id_);
  }
  SessionGuard(const SessionGuard&) = delete;
  SessionGuard& operator=(const SessionGuard&) = delete;
  bool held() const { return held_; }

 private:
  UploadLocks& locks_;
  std::string id_;
  bool held_ = false;
};

// Streams the request body into `upload`, with reading, writing and hashing overlapped: a chain of
// background jobs appends the chunks in order (one at a time per upload) while later chunks
// arrive, and the upload hashes each chunk on its own lane while the chain writes the next ones.
// Chunk k reuses the buffer of chunk k - kRingDepth, free once the append kHashLag chunks after
// that one has returned (append_overlapped's contract). The request may answer once the last
// chunk is stored: the lane owns the buffers it has yet to hash, and finishes them while the
// client sends its next request (commit waits for it).
// Whatever arrived before a disconnect is kept: the session stays resumable from its last byte.
http::Task<Result<uint64_t>> append_body(http::Request& req, storage::BlobUpload& upload) {
  // 8 MiB per request (a small body uses one buffer); the lane may keep kHashLag of them hashing
  // while the next request of the same upload takes its own.
  constexpr size_t kRingDepth = 4;
  constexpr size_t kHashLag = 2;  // a chunk's hash may trail its write by this many chunks
  std::vector<std::shared_ptr<IoBuffer>> buffers(kRingDepth);
  std::deque<std::unique_ptr<http::BackgroundJob>> appends;  // in chunk order, until awaited
  size_t oldest = 0;                                         // chunk index of appends.front()
  // The first failed append; the chained jobs run one at a time and skip once it is set. The
  // coroutine reads `failure` only after awaiting every job, and `failed` to stop reading early.
  std::atomic<bool> failed = false;
  Result<void> failure = ok();
  uint64_t total = 0;
  Result<size_t> n = size_t{0};
  for (size_t k = 0;; ++k) {
    while (!appends.empty() && oldest + kRingDepth <= k + kHashLag) {
      co_await appends.front()->wait();
      appends.pop_front();
      ++oldest;
    }
    if (failed.load()) break;
    auto& buffer = buffers[k % kRingDepth];
    if (!buffer) buffer = IoBufferPool::instance().take();
    char* data = buffer->data();
    size_t filled = 0;
    while (filled < kChunkBytes) {
      n = co_await req.body->read(std::span<char>(data + filled, kChunkBytes - filled));
      if (!n || *n == 0) break;
      filled += *n;
    }
    if (filled > 0) {
      total += filled;
      // A named function, not a lambda inside the co_await expression: GCC 12 mishandles a
      // temporary with a non-trivial capture there (the buffer was freed while still in use).
      std::function<void()> append = [&upload, &failed, &failure, owner = buffer,
                                      bytes = std::span<const char>(data, filled)] {
        if (failed.load()) return;
        if (auto appended = upload.append_overlapped(bytes, owner, kHashLag); !appended) {
          failure = std::move(appended);
          failed.store(true);
        }
      };
      const http::BackgroundJob* previous = appends.empty() ? nullptr : appends.back().get();
      appends.push_back(co_await http::BackgroundJob::start_after(previous, std::move(append)));
    }
    if (!n || *n == 0) break;
  }
  for (auto& append : appends) co_await append->wait();
  if (!failure) co_return fail(std::move(failure.error()));
  if (!n) co_return fail(std::move(n.error()));
  co_return total;
}

// Parses "start-end" (inclusive) as sent in Content-Range by docker clients; tolerates a
// "bytes " prefix and a "/total" suffix.
std::optional<std::pair<uint64_t, uint64_t>> parse_content_range(std::string_view v) {
  if (v.starts_with("bytes ")) v.remove_prefix(6);
  if (auto slash = v.find('/'); slash != std::string_view::npos) v = v.substr(0, slash);
  auto dash = v.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  uint64_t a = 0, b = 0;
  auto pa = std::from_chars(v.data(), v.data() + dash, a);
  auto pb = std::from_chars(v.data() + dash + 1, v.data() + v.size(), b);
  if (pa.ec != std::errc() || pa.ptr != v.data() + dash || pb.ec != std::errc() ||
      pb.ptr != v.data() + v.size() || b < a) {
    return std::nullopt;
  }
  return std::make_pair(a, b);
}

// Checks a chunk's Content-Range against the session's current size. nullopt when acceptable.
std::optional<http::Response> check_content_range(const http::Request& req, const std::string& name,
                                                  const std::string& id, uint64_t size) {
  auto header = req.headers.get("Content-Range");
  if (!header) return std::nullopt;
  auto range = parse_content_range(*header);
  auto length = req.body->content_length();
  bool ok =
      range && range->first == size && (!length || *length == range->second - range->first + 1);
  if (ok) return std::nullopt;
  http::Response r =
      oci_error(oci::ErrorCode::kRangeInvalid,
                "chunk must start at byte " + std::to_string(size) + " and match Content-Length");
  r.headers.set("Location", upload_location(name, id));
  r.headers.set("Range", range_header(size));
  r.headers.set("Docker-Upload-UUID", id);
  return r;
}

http::Response session_error(const Error& e) {
  return error_response(e, oci::ErrorCode::kBlobUploadUnknown, oci::ErrorCode::kBlobUploadInvalid);
}

// What a request needs of its upload session: to read it, to be its only user (cancel), or also
// to append to its staged upload (PATCH, PUT).
enum class Claim { kRead, kExclusive, kAppend };

struct Session {
  std::string name;
  std::string id;
  int64_t updated_at = 0;               // last recorded activity (unix seconds)
  std::unique_ptr<SessionGuard> guard;  // kExclusive and kAppend
  // kAppend. Declared after `guard`: the handle gives the upload back to the store before the
  // busy mark lets another request open it.
  std::unique_ptr<storage::BlobUpload> upload;
};

// Resolves the {name}/{uuid} route parameters to a known session of that repository and claims
// it: with kExclusive or kAppend takes the session's busy mark for the rest of the request, with
// kAppend also opens its staged upload. One trip to the worker pool, which a chunked push makes
// in every PATCH.
http::Task<Parsed<Session>> find_session(Context& ctx, http::Request& req, Claim claim) {
  auto name = repository_param(req);
  if (!name) co_return tl::unexpected(std::move(name.error()));
  std::string id(req.param("uuid"));
  co_return co_await blocking([&]() -> Parsed<Session> {
    auto session = ctx.metadata.get_upload(id);
    if (!session) return tl::unexpected(session_error(session.error()));
    if (!*session || (*session)->repository != *name) {
      return tl::unexpected(oci_error(oci::ErrorCode::kBlobUploadUnknown));
    }
    Session out{*name, id, (*session)->updated_at, nullptr, nullptr};
    if (claim == Claim::kRead) return out;
    out.guard = std::make_unique<SessionGuard>(ctx.upload_locks, id);
    if (!out.guard->held()) {
      return tl::unexpected(oci_error(oci::ErrorCode::kBlobUploadInvalid,
                                      "another request is writing to this upload"));
    }
    if (claim == Claim::kAppend) {
      auto upload = ctx.blobs.open_upload(id);
      if (!upload) return tl::unexpected(session_error(upload.error()));
      out.upload = std::move(*upload);
    }
    return out;
  });
}

// Checks the request's Content-Range against the session and appends its body; the session's
// idle clock restarts (to options.upload_activity_resolution_seconds) even when the body is cut
// short (what arrived is kept). nullopt when the chunk was taken whole.
// REQUIRES: `session` was claimed with kAppend.
http::Task<std::optional<http::Response>> receive_chunk(Context& ctx, http::Request& req,
                                                        const Session& session) {
  storage::BlobUpload& upload = *session.upload;
  if (auto bad = check_content_range(req, session.name, session.id, upload.size())) {
    co_return std::move(*bad);
  }
  auto appended = co_await append_body(req, upload);
  int64_t now = unix_seconds();
  if (now - session.updated_at >= ctx.options.upload_activity_resolution_seconds) {
    (void)co_await blocking([&] { return ctx.metadata.touch_upload(session.id, now); });
  }
  if (!appended) co_return session_error(appended.error());
  co_return std::nullopt;
}

// Verifies and publishes the staged bytes as `digest`, links the blob into the repository and
// ends the session, in that order (see the file comment). Blocking.
Result<void> publish(Context& ctx, storage::BlobUpload& upload, const std::string& name,
                     const Digest& digest) {
  uint64_t size = upload.size();
  std::string id = upload.id();
  BULWARK_TRY_VOID(upload.commit(digest));
  BULWARK_TRY_VOID(ctx.metadata.link_blob(name, digest, size));
  return ctx.metadata.delete_upload(id);
}

http::Response publish_error(const Error& e) {
  return error_response(e, oci::ErrorCode::kBlobUploadUnknown, oci::ErrorCode::kDigestInvalid);
}

// Cross-repository mount: links `digest` into `name` when `from` holds it and the caller may
// pull from `from`. nullopt when the mount cannot be done and the client should get a fresh
// upload session instead (the spec's answer, also when the source is not readable: a refusal
// must not tell whether the source holds the blob).
http::Task<std::optional<http::Response>> try_mount(Context& ctx, const http::Request& req,
                                                    const std::string& name,
                                                    const std::string& from_text,
                                                    const std::string& digest_text) {
  auto digest = Digest::parse(digest_text);
  if (!digest || !oci::validate_repository(from_text)) co_return std::nullopt;
  if (!co_await may(ctx, req, from_text, auth::Action::kPull)) co_return std::nullopt;
  auto linked = co_await blocking([&]() -> Result<bool> {
    BULWARK_ASSIGN_OR_RETURN(auto size, ctx.metadata.blob_in_repository(from_text, *digest));
    if (!size) return false;
    BULWARK_TRY_VOID(ctx.metadata.link_blob(name, *digest, *size));
    return true;
  });
  if (!linked || !*linked) co_return std::nullopt;
  co_return blob_created(name, *digest);
}

// Starts a session; with ?digest= the body is the whole blob (monolithic upload).
http::Task<http::Response> start_upload(Context& ctx, http::Request& req) {
  auto name = repository_param(req);
  if (!name) co_return std::move(name.error());

  auto mount = req.query_param("mount");
  auto from = req.query_param("from");
  if (mount && from) {
    if (auto mounted = co_await try_mount(ctx, req, *name, *from, *mount))
      co_return std::move(*mounted);
  }

  std::optional<Digest> digest;
  if (auto d = req.query_param("digest")) {
    auto parsed = digest_param(*d);
    if (!parsed) co_return std::move(parsed.error());
    digest = *parsed;
  }

  std::string id = random_uuid();
  int64_t now = unix_seconds();
  auto upload = co_await blocking([&]() -> Result<std::unique_ptr<storage::BlobUpload>> {
    BULWARK_TRY_VOID(ctx.metadata.create_upload({id, *name, now, now}));
    return ctx.blobs.create_upload(id);
  });
  if (!upload) {
    co_return error_response(upload.error(), oci::ErrorCode::kBlobUploadUnknown,
                             oci::ErrorCode::kBlobUploadInvalid);
  }
  if (!digest) co_return upload_state(202, *name, id, 0);

  // Monolithic upload.
  SessionGuard guard(ctx.upload_locks, id);
  auto appended = co_await append_body(req, **upload);
  if (!appended)
    co_return error_response(appended.error(), oci::ErrorCode::kBlobUploadUnknown,
                             oci::ErrorCode::kBlobUploadInvalid);
  auto published = co_await blocking([&] { return publish(ctx, **upload, *name, *digest); });
  if (!published) co_return publish_error(published.error());
  co_return blob_created(*name, *digest);
}

http::Task<http::Response> upload_status(Context& ctx, http::Request& req) {
  auto session = co_await find_session(ctx, req, Claim::kRead);
  if (!session) co_return std::move(session.error());
  auto size = co_await blocking([&] { return ctx.blobs.upload_size(session->id); });
  if (!size) co_return session_error(size.error());
  co_return upload_state(204, session->name, session->id, *size);
}

http::Task<http::Response> patch_upload(Context& ctx, http::Request& req) {
  auto session = co_await find_session(ctx, req, Claim::kAppend);
  if (!session) co_return std::move(session.error());
  if (auto refused = co_await receive_chunk(ctx, req, *session)) co_return std::move(*refused);
  co_return upload_state(202, session->name, session->id, session->upload->size());
}

http::Task<http::Response> finish_upload(Context& ctx, http::Request& req) {
  auto digest_text = req.query_param("digest");
  if (!digest_text) co_return oci_error(oci::ErrorCode::kDigestInvalid, "digest parameter missing");
  auto digest = digest_param(*digest_text);
  if (!digest) co_return std::move(digest.error());
  auto session = co_await find_session(ctx, req, Claim::kAppend);
  if (!session) co_return std::move(session.error());
  if (auto refused = co_await receive_chunk(ctx, req, *session)) co_return std::move(*refused);
  auto published =
      co_await blocking([&] { return publish(ctx, *session->upload, session->name, *digest); });
  if (!published) co_return publish_error(published.error());
  co_return blob_created(session->name, *digest);
}

http::Task<http::Response> cancel_upload(Context& ctx, http::Request& req) {
  auto session = co_await find_session(ctx, req, Claim::kExclusive);
  if (!session) co_return std::move(session.error());
  auto removed = co_await blocking([&]() -> Result<void> {
    BULWARK_TRY_VOID(ctx.metadata.delete_upload(session->id));
    return ctx.blobs.delete_upload(session->id);
  });
  if (!removed) co_return session_error(removed.error());
  co_return empty_response(204);
}

}  // namespace

bool UploadLocks::try_lock(const std::string& id) {
  std::lock_guard lock(mu_);
  return busy_.insert(id).second;
}

void UploadLocks::unlock(const std::string& id) {
  std::lock_guard lock(mu_);
  busy_.erase(id);
}

void register_uploads(http::Router& router, Context& ctx) {
  using Fn = http::Task<http::Response> (*)(Context&, http::Request&);
  static constexpr struct {
    const char* method;
    const char* pattern;
    Fn fn;
  } kRoutes[] = {
      {"POST", "/v2/{name+}/blobs/uploads/", start_upload},
      {"POST", "/v2/{name+}/blobs/uploads", start_upload},
      {"GET", "/v2/{name+}/blobs/uploads/{uuid}", upload_status},
      {"PATCH", "/v2/{name+}/blobs/uploads/{uuid}", patch_upload},
      {"PUT", "/v2/{name+}/blobs/uploads/{uuid}", finish_upload},
      {"DELETE", "/v2/{name+}/blobs/uploads/{uuid}", cancel_upload},
  };
  for (const auto& route : kRoutes) {
    add_guarded(router, ctx, route.method, route.pattern, needs(auth::Action::kPush),
                bind_handler(ctx, route.fn));
  }
}

}  // namespace bulwark::registry
