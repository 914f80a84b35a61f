// Transport-neutral HTTP types shared by the server and the handlers. No Beast in this header.
//
// A Handler is an Asio coroutine: it runs on an I/O thread, must never block there, and moves
// blocking work (SQLite, fsync, hashing large buffers) onto the worker pool with run_blocking().
// Request and Response are owned by one connection and are not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "common/result.h"

namespace bulwark::http {

template <class T>
using Task = boost::asio::awaitable<T>;

// Ordered header list with case-insensitive lookup.
class Headers {
 public:
  // First value of `name`, if present.
  std::optional<std::string_view> get(std::string_view name) const;
  // Replaces every value of `name` with `value`.
  void set(std::string name, std::string value);
  void add(std::string name, std::string value);
  void remove(std::string_view name);
  const std::vector<std::pair<std::string, std::string>>& all() const { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// Streams the request body from the connection. One reader per request.
class BodyReader {
 public:
  virtual ~BodyReader() = default;
  // Reads up to buf.size() bytes; 0 means the body is complete. Fails with kUnavailable when the
  // client disconnects or stalls past the request timeout, and with kTooLarge past the limit.
  virtual Task<Result<size_t>> read(std::span<char> buf) = 0;
  // Declared Content-Length, if any (chunked bodies have none).
  virtual std::optional<uint64_t> content_length() const = 0;
};

// A region of an open regular file, which the server may send with sendfile(2).
struct FileRegion {
  int fd = -1;  // owned by the BodySource
  uint64_t offset = 0;
  uint64_t length = 0;
};

// Supplies a streamed response body (large blobs). Called on an I/O thread.
class BodySource {
 public:
  virtual ~BodySource() = default;
  // Exact number of bytes the body will produce (sent as Content-Length).
  virtual uint64_t size() const = 0;
  // If the body is exactly a region of a regular file, that region (enables zero-copy sending).
  virtual std::optional<FileRegion> file_region() const { return std::nullopt; }
  // Sequential read of the next bytes; 0 only at the end.
  virtual Result<size_t> read(std::span<char> buf) = 0;
};

struct Request {
  std::string method;  // upper case, as sent
  std::string target;  // raw request target
  std::string path;    // percent-decoded path, without query
  std::string query;   // raw query string without '?'
  Headers headers;
  std::string remote;  // client address "ip:port"
  std::string user;    // authenticated principal, set by an access check ("" when anonymous);
                       // written to the access log
  bool tls = false;
  // Captures from the route pattern, by name.
  std::vector<std::pair<std::string, std::string>> params;
  BodyReader* body = nullptr;  // never null while a handler runs

  std::string_view param(std::string_view name) const;
  // Percent-decoded value of the first query parameter `name`.
  std::optional<std::string> query_param(std::string_view name) const;
  bool has_query_param(std::string_view name) const { return query_param(name).has_value(); }
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;                    // small in-memory body
  std::unique_ptr<BodySource> stream;  // streamed body; takes precedence over `body`
  // For HEAD requests the server sends the headers (with Content-Length of the body or stream
  // it would have sent) and no body.
};

using Handler = std::function<Task<Response>(Request&)>;

// The fields of an application/x-www-form-urlencoded text (a POST body or a query string), in
// order, percent-decoded with '+' read as a space. Pairs that do not decode are skipped.
std::vector<std::pair<std::string, std::string>> parse_form(std::string_view text);

// Runs `fn` on the process-wide worker pool and resumes the calling coroutine when it is done.
// Without a running server (unit tests) `fn` runs inline.
Task<void> run_blocking(std::function<void()> fn);

// Suspends the calling coroutine for `delay` without holding any thread (a timer on its own
// executor): a handler waiting for something another thread will store polls with it.
Task<void> sleep_for(std::chrono::milliseconds delay);

// A job started on the worker pool now and awaited later, so that a coroutine can overlap its
// own I/O with blocking work (read the next chunk of a body while the previous one is hashed and
// written). Without a running server the job runs inline in start().
// Thread-safety: one owning coroutine. REQUIRES: wait() is awaited before anything `fn`
// references goes away (the job may still be running until then).
class BackgroundJob {
 public:
  static Task<std::unique_ptr<BackgroundJob>> start(std::function<void()> fn);
  // Like start(), but `fn` begins only once `previous` (when not null) has finished, whether or
  // not it failed. A chain of such jobs runs one at a time, in order, while the coroutine goes on
  // with its own I/O: a body's chunks are appended in order while later ones arrive.
  static Task<std::unique_ptr<BackgroundJob>> start_after(const BackgroundJob* previous,
                                                          std::function<void()> fn);
  // Resumes when the job has finished; rethrows its exception.
  Task<void> wait();
  ~BackgroundJob();

  struct State;

 private:
  explicit BackgroundJob(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

}  // namespace bulwark::http
