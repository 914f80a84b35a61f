// The Beast/Asio HTTP/1.1 server.
//
// Threading: one io_context per I/O thread, each run by exactly one thread; the acceptor lives on
// the first and hands each new connection to the next context round-robin. A connection (its
// socket, parser, watchdog timer and handler coroutine) therefore never leaves its thread, which
// keeps the per-request path free of locks and strands.
//
// Timeouts: each connection has a Watchdog timer that only watches while the server itself waits
// on the socket (reading headers or a body, writing a response). Starting such a wait just
// records a deadline; the timer re-arms itself lazily, so the hot path costs one clock read.
#include "http/server.h"

#include <sys/sendfile.h>
#include <sys/socket.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <csignal>
#include <list>
#include <optional>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <openssl/ssl.h>

#include "common/log.h"
#include "http/internal.h"

namespace bulwark::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;
using TlsStream = asio::ssl::stream<tcp::socket>;
using Parser = bhttp::request_parser<bhttp::buffer_body>;

constexpr size_t kStreamChunk = 256 * 1024;     // copy buffer for non-sendfile response bodies
constexpr uint64_t kDrainLimit = 1 << 20;       // unread request body we discard to keep a connection
constexpr size_t kChunkedReadAhead = 64 * 1024;  // socket read size for chunked request bodies
constexpr size_t kInitialBuffer = 2048;          // typical request head (with a bearer token) in one read
constexpr size_t kIdleBufferMax = 16 * 1024;     // larger read buffers are released between requests
constexpr size_t kInlineBodyMax = 16 * 1024;     // small bodies are copied behind the head: one write
constexpr uint64_t kSendfileSlice = 8 << 20;     // yield to other connections after this many bytes
constexpr uint64_t kLingerMax = 1 << 20;
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// Methods probed to build the Allow header of a 405 answer.
constexpr std::array<const char*, 7> kAllowProbe = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};

tcp::socket& lowest(tcp::socket& s) { return s; }
tcp::socket& lowest(TlsStream& s) { return s.next_layer(); }

auto tok(error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

// A header a handler set is sent only if it cannot split the response.
bool header_safe(std::string_view name, std::string_view value) {
  auto bad = [](char c) { return c == '\r' || c == '\n' || c == '\0'; };
  if (name.empty() || name.find(':') != std::string_view::npos) return false;
  for (char c : name) {
    if (bad(c) || c == ' ') return false;
  }
  for (char c : value) {
    if (bad(c)) return false;
  }
  return true;
}

std::string format_endpoint(const tcp::endpoint& ep) {
  std::string host = ep.address().to_string();
  if (ep.address().is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(ep.port());
}

void append_number(std::string& out, uint64_t value) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, end);
}

bool is_malformed(const error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

Result<tcp::endpoint> parse_listen(std::string_view listen) {
  std::string_view host;
  std::string_view port;
  if (listen.starts_with('[')) {
    size_t close = listen.find(']');
    if (close == std::string_view::npos || close + 1 >= listen.size() || listen[close + 1] != ':') {
      return fail(ErrorCode::kInvalidArgument, "listen address must be HOST:PORT or [IPv6]:PORT");
    }
    host = listen.substr(1, close - 1);
    port = listen.substr(close + 2);
  } else {
    size_t colon = listen.rfind(':');
    if (colon == std::string_view::npos) {
      return fail(ErrorCode::kInvalidArgument, "listen address must be HOST:PORT or [IPv6]:PORT");
    }
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
  }
  unsigned number = 0;
  auto [end, perr] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (port.empty() || perr != std::errc() || end != port.data() + port.size() || number > 65535) {
    return fail(ErrorCode::kInvalidArgument, "invalid port in listen address: " + std::string(listen));
  }
  asio::ip::address address;
  if (host.empty()) {
    address = asio::ip::address_v4::any();
  } else if (host == "localhost") {
    address = asio::ip::address_v4::loopback();
  } else {
    error_code ec;
    address = asio::ip::make_address(std::string(host), ec);
    if (ec) return fail(ErrorCode::kInvalidArgument, "invalid host in listen address: " + std::string(listen));
  }
  return tcp::endpoint(address, static_cast<uint16_t>(number));
}

// Closes a connection's socket when a server-side wait makes no progress before its deadline.
class Watchdog : public std::enable_shared_from_this<Watchdog> {
 public:
  Watchdog(asio::io_context& ioc, tcp::socket& socket) : timer_(ioc), socket_(&socket) {}

  // Starts (or extends) a wait that must complete within `timeout`.
  void begin(Clock::duration timeout) {
    deadline_ = Clock::now() + timeout;
    active_ = true;
    if (!armed_ || deadline_ < armed_for_) arm();
  }
  void end() { active_ = false; }
  bool fired() const { return fired_; }
  // The connection is going away: never touch the socket again.
  void detach() {
    socket_ = nullptr;
    ++generation_;
    timer_.cancel();
  }

 private:
  void arm() {
    armed_ = true;
    armed_for_ = deadline_;
    uint64_t generation = ++generation_;
    timer_.expires_at(deadline_);
    timer_.async_wait([self = shared_from_this(), generation](error_code) { self->expired(generation); });
  }
  void expired(uint64_t generation) {
    if (generation != generation_ || socket_ == nullptr) return;  // re-armed or detached
    armed_ = false;
    if (!active_) return;
    if (Clock::now() < deadline_) {
      arm();
      return;
    }
    fired_ = true;
    error_code ec;
    socket_->close(ec);
  }

  asio::steady_timer timer_;
  tcp::socket* socket_;
  Clock::time_point deadline_{};
  Clock::time_point armed_for_{};
  uint64_t generation_ = 0;
  bool active_ = false;
  bool armed_ = false;
  bool fired_ = false;
};

// What a worker needs to know about a connection to shut it down.
struct Connection {
  virtual ~Connection() = default;
  virtual void close_now() = 0;
  bool idle = true;  // waiting for the first byte of a request (or the TLS handshake)
};

// One I/O thread: its io_context and the connections living on it. Touched only from its thread,
// except for ioc.post() and the thread handle.
struct Worker {
  std::list<Connection*> connections;
  bool stopping = false;
  bool destroying = false;
  asio::io_context ioc{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  std::optional<asio::steady_timer> grace;
  std::thread thread;

  Worker() { keep_running.emplace(ioc.get_executor()); }
  ~Worker() {
    destroying = true;  // connections destroyed with the io_context must not call back in here
    grace.reset();
    keep_running.reset();
  }

  // Closes idle connections now, gives busy ones `grace_period`, then lets run() return.
  void begin_stop(std::chrono::seconds grace_period) {
    stopping = true;
    for (auto it = connections.begin(); it != connections.end();) {
      Connection* c = *it++;  // close_now() does not unregister synchronously, but stay safe
      if (c->idle) c->close_now();
    }
    if (connections.empty()) {
      finish();
      return;
    }
    grace.emplace(ioc);
    grace->expires_after(grace_period);
    grace->async_wait([this](error_code ec) {
      if (ec) return;
      if (!connections.empty()) {
        log_event(LogLevel::kWarn, "shutdown grace period over; aborting requests",
                  {{"connections", static_cast<uint64_t>(connections.size())}});
      }
      for (Connection* c : connections) c->close_now();
      keep_running.reset();
      ioc.stop();
    });
  }

  void finish() {
    keep_running.reset();
    if (grace) grace->cancel();
  }

  void connection_ended(std::list<Connection*>::iterator it) {
    connections.erase(it);
    if (!destroying && stopping && connections.empty()) finish();
  }
};

// Everything the connections share; lives in Server::Impl.
struct Core {
  Core(ServerOptions o, const Router& r)
      : options(std::move(o)),
        router(r),
        idle_timeout(std::chrono::seconds(std::max<int64_t>(1, options.idle_timeout_seconds))),
        request_timeout(std::chrono::seconds(std::max<int64_t>(1, options.request_timeout_seconds))) {}

  Response error(int status, std::string_view code, std::string_view message) const {
    if (options.error_response) return options.error_response(status, code, message);
    Response r;
    r.status = status;
    r.headers.set("Content-Type", "text/plain; charset=utf-8");
    r.body = std::string(message) + "\n";
    return r;
  }

  ServerOptions options;
  const Router& router;
  Clock::duration idle_timeout;
  Clock::duration request_timeout;
  std::optional<asio::ssl::context> tls;  // before workers: outlives every TLS stream
  std::vector<std::unique_ptr<Worker>> workers;
  std::optional<tcp::acceptor> acceptor;  // on workers[0]
  uint16_t port = 0;
  std::atomic<bool> started{false};
  bool pool_acquired = false;
  std::atomic<bool> stop_requested{false};
};

template <class Stream>
class Session;

// BodyReader over the connection: Content-Length bodies are read straight into the caller's
// buffer (after what the header read already buffered); chunked bodies go through Beast's parser.
template <class Stream>
class RequestBody final : public BodyReader {
 public:
  RequestBody(Session<Stream>& session, Parser& parser) : session_(session), parser_(parser) {
    if (auto cl = parser.content_length()) content_length_ = *cl;
    chunked_ = parser.chunked();
    done_ = parser.is_done();
    if (!chunked_) remaining_ = content_length_.value_or(0);
    auto expect = parser.get()[bhttp::field::expect];
    expect_continue_ = !done_ && parser.get().version() >= 11 && iequals(expect, "100-continue");
  }

  Task<Result<size_t>> read(std::span<char> buf) override {
    if (failed_) co_return fail(*failed_);
    if (done_) co_return size_t{0};
    if (buf.empty()) co_return fail(ErrorCode::kInvalidArgument, "empty read buffer");
    error_code ec;
    if (expect_continue_ && !continue_sent_) {
      continue_sent_ = true;
      session_.watchdog().begin(session_.core().request_timeout);
      co_await asio::async_write(session_.stream(), asio::buffer(kContinue.data(), kContinue.size()), tok(ec));
      session_.watchdog().end();
      if (ec) co_return fail(record_failure(ec));
    }
    size_t n = chunked_ ? co_await read_chunked(buf, ec) : co_await read_fixed(buf, ec);
    if (ec) co_return fail(record_failure(ec));
    bytes_ += n;
    co_return n;
  }

  std::optional<uint64_t> content_length() const override { return content_length_; }

  bool done() const { return done_; }
  uint64_t bytes() const { return bytes_; }

  // Discards up to `limit` unread body bytes so the connection can serve another request.
  // Returns false when the connection cannot be reused.
  Task<bool> drain(uint64_t limit) {
    if (done_) co_return true;
    if (failed_ || (expect_continue_ && !continue_sent_)) co_return false;  // client awaits our go
    if (!chunked_ && remaining_ > limit) co_return false;
    std::vector<char> scratch(std::min<uint64_t>(limit, kChunkedReadAhead));
    uint64_t total = 0;
    while (!done_) {
      auto n = co_await read(scratch);
      if (!n) co_return false;
      total += *n;
      if (total > limit) co_return false;
    }
    co_return true;
  }

 private:
  Task<size_t> read_fixed(std::span<char> buf, error_code& ec) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), remaining_));
    size_t n = 0;
    auto& pending = session_.buffer();
    if (pending.size() > 0) {
      n = asio::buffer_copy(asio::buffer(buf.data(), want), pending.data());
      pending.consume(n);
    } else {
      session_.watchdog().begin(session_.core().request_timeout);
      n = co_await session_.stream().async_read_some(asio::buffer(buf.data(), want), tok(ec));
      session_.watchdog().end();
      if (n > 0) ec = {};
    }
    remaining_ -= n;
    done_ = remaining_ == 0;
    co_return n;
  }

  Task<size_t> read_chunked(std::span<char> buf, error_code& ec) {
    auto& pending = session_.buffer();
    if (pending.capacity() < kChunkedReadAhead) pending.reserve(kChunkedReadAhead);
    for (;;) {
      auto& body = parser_.get().body();
      body.data = buf.data();
      body.size = buf.size();
      body.more = true;
      session_.watchdog().begin(session_.core().request_timeout);
      co_await bhttp::async_read_some(session_.stream(), pending, parser_, tok(ec));
      session_.watchdog().end();
      if (ec == bhttp::error::need_buffer) ec = {};
      if (ec) co_return 0;
      size_t n = buf.size() - parser_.get().body().size;
      done_ = parser_.is_done();
      if (n > 0 || done_) co_return n;
    }
  }

  Error record_failure(const error_code& ec) {
    Error error{ErrorCode::kUnavailable, "client disconnected"};
    if (session_.watchdog().fired()) {
      error.message = "request body timed out";
    } else if (is_malformed(ec) || ec == bhttp::error::partial_message) {
      error = Error{ErrorCode::kInvalidArgument, "malformed request body"};
    }
    failed_ = error;
    return error;
  }

  Session<Stream>& session_;
  Parser& parser_;
  std::optional<uint64_t> content_length_;
  uint64_t remaining_ = 0;
  uint64_t bytes_ = 0;
  bool chunked_ = false;
  bool done_ = false;
  bool expect_continue_ = false;
  bool continue_sent_ = false;
  std::optional<Error> failed_;
};

// One connection: reads requests, runs handlers, writes responses, until close.
template <class Stream>
class Session final : public Connection {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  Session(Core& core, Worker& worker, Stream stream)
      : core_(core),
        worker_(worker),
        stream_(std::move(stream)),
        watchdog_(std::make_shared<Watchdog>(worker.ioc, lowest(stream_))),
        registration_(worker.connections.insert(worker.connections.end(), this)) {}

  ~Session() override {
    if (!worker_.destroying) watchdog_->detach();
    worker_.connection_ended(registration_);
  }

  void close_now() override {
    error_code ec;
    lowest(stream_).close(ec);
  }

  Stream& stream() { return stream_; }
  beast::flat_buffer& buffer() { return buffer_; }
  Watchdog& watchdog() { return *watchdog_; }
  const Core& core() const { return core_; }

  asio::awaitable<void> run() {
    if (worker_.stopping) co_return;
    error_code ec;
    auto peer = lowest(stream_).remote_endpoint(ec);
    if (ec) co_return;
    remote_ = format_endpoint(peer);
    if constexpr (kTls) {
      watchdog_->begin(core_.idle_timeout);
      co_await stream_.async_handshake(asio::ssl::stream_base::server, tok(ec));
      watchdog_->end();
      if (ec) co_return;
    }
    buffer_.reserve(kInitialBuffer);
    Next next = Next::kKeep;
    while (next == Next::kKeep) next = co_await serve_one();
    co_await close(next == Next::kLinger);
  }

 private:
  enum class Next { kKeep, kClose, kLinger };

  // What the access log records about one exchange.
  struct Exchange {
    std::string_view method;
    std::string_view path;
    Clock::time_point start;
    uint64_t bytes_in = 0;
    std::string_view user;  // the request's authenticated principal, "" when anonymous
  };

  asio::awaitable<Next> serve_one() {
    Parser parser;
    parser.header_limit(core_.options.header_max_bytes);
    parser.body_limit(boost::none);  // handlers enforce their own limits while streaming
    idle = buffer_.size() == 0;
    if (worker_.stopping && idle) co_return Next::kClose;
    error_code ec;
    watchdog_->begin(core_.idle_timeout);
    co_await bhttp::async_read_header(stream_, buffer_, parser, tok(ec));
    watchdog_->end();
    idle = false;
    Exchange exchange{"-", "-", Clock::now(), 0, ""};
    if (ec == bhttp::error::header_limit) {
      co_await respond(core_.error(431, "HEADER_TOO_LARGE", "request header fields too large"), exchange, false);
      co_return Next::kLinger;
    }
    if (is_malformed(ec)) {
      co_await respond(core_.error(400, "BAD_REQUEST", "malformed HTTP request"), exchange, false);
      co_return Next::kLinger;
    }
    if (ec) co_return Next::kClose;
    // A transfer coding other than a final "chunked" leaves the body length unknowable
    // (RFC 9112 6.3); guessing would let a client smuggle a second request.
    if (parser.get().count(bhttp::field::transfer_encoding) > 0 && !parser.chunked()) {
      co_await respond(core_.error(400, "BAD_REQUEST", "unsupported transfer coding"), exchange, false);
      co_return Next::kLinger;
    }

    auto& message = parser.get();
    Request request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    std::string_view target = request.target;
    size_t question = target.find('?');
    std::string_view raw_path = target.substr(0, question);
    if (question != std::string_view::npos) request.query = std::string(target.substr(question + 1));
    std::optional<std::string> path;
    if (raw_path.starts_with('/')) path = internal::percent_decode(raw_path);
    const bool bad_path = !path || path->find('\0') != std::string::npos;
    if (!bad_path) request.path = std::move(*path);
    for (const auto& field : message) {
      request.headers.add(std::string(field.name_string()), std::string(field.value()));
    }
    request.remote = remote_;
    request.tls = kTls;
    RequestBody<Stream> body(*this, parser);
    request.body = &body;
    exchange.method = request.method;
    exchange.path = bad_path ? std::string_view("-") : std::string_view(request.path);

    bool keep = parser.keep_alive();
    Response response;
    if (bad_path) {
      response = core_.error(400, "BAD_REQUEST", "invalid request path");
      keep = false;
    } else {
      response = co_await dispatch(request);
    }
    Next next = Next::kClose;
    if (!body.done() && !co_await body.drain(kDrainLimit)) {
      keep = false;
      next = Next::kLinger;
    }
    if (auto connection = response.headers.get("Connection"); connection && iequals(*connection, "close")) {
      keep = false;
    }
    if (worker_.stopping) keep = false;
    exchange.bytes_in = body.bytes();
    exchange.user = request.user;
    if (!co_await respond(std::move(response), exchange, keep, request.method == "HEAD")) co_return Next::kClose;
    if (!keep) co_return next;
    if (buffer_.size() == 0 && buffer_.capacity() > kIdleBufferMax) {  // keep idle connections small
      buffer_ = beast::flat_buffer();
      buffer_.reserve(kInitialBuffer);
    }
    if (head_.capacity() > 2 * kInlineBodyMax) head_ = std::string();
    co_return Next::kKeep;
  }

  // Routes and runs the handler; a throwing handler becomes a 500.
  asio::awaitable<Response> dispatch(Request& request) {
    auto match = core_.router.match(request.method, request.path);
    if (match.handler == nullptr) {
      if (!match.path_matched) co_return core_.error(404, "NOT_FOUND", "no route for this path");
      Response response = core_.error(405, "METHOD_NOT_ALLOWED", "method not allowed for this path");
      std::string allow;
      for (const char* method : kAllowProbe) {
        if (core_.router.match(method, request.path).handler == nullptr) continue;
        if (!allow.empty()) allow += ", ";
        allow += method;
      }
      response.headers.set("Allow", std::move(allow));
      co_return response;
    }
    request.params = std::move(match.params);
    std::string what;
    try {
      co_return co_await (*match.handler)(request);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
      what = "non-standard exception";
    }
    log_event(LogLevel::kError, "handler threw",
              {{"method", request.method}, {"path", request.path}, {"error", what}});
    co_return core_.error(500, "INTERNAL", "internal error");
  }

  // Writes the response and its access-log line. Returns false when the connection broke.
  asio::awaitable<bool> respond(Response response, const Exchange& exchange, bool keep, bool head = false) {
    uint64_t bytes_out = 0;
    bool ok = co_await write_response(response, head, keep, bytes_out);
    std::chrono::duration<double, std::milli> elapsed = Clock::now() - exchange.start;
    log_event(LogLevel::kInfo, "request",
              {{"method", exchange.method},
               {"path", exchange.path},
               {"status", response.status},
               {"bytes_in", exchange.bytes_in},
               {"bytes_out", bytes_out},
               {"duration_ms", elapsed.count()},
               {"client", remote_},
               {"user", exchange.user}});
    co_return ok;
  }

  asio::awaitable<bool> write_response(Response& response, bool head, bool keep, uint64_t& bytes_out) {
    if (response.status < 100 || response.status > 999) response.status = 500;
    head_.clear();
    head_ += "HTTP/1.1 ";
    append_number(head_, static_cast<uint64_t>(response.status));
    head_ += ' ';
    auto status = bhttp::int_to_status(static_cast<unsigned>(response.status));
    if (status == bhttp::status::unknown) {
      head_ += "Unknown";
    } else {
      auto reason = bhttp::obsolete_reason(status);
      head_.append(reason.data(), reason.size());
    }
    head_ += "\r\n";
    std::optional<uint64_t> declared_length;
    for (const auto& [name, value] : response.headers.all()) {
      if (!header_safe(name, value)) {
        log_event(LogLevel::kWarn, "dropped unsafe response header", {{"header", name}});
        continue;
      }
      if (iequals(name, "Content-Length")) {
        uint64_t n = 0;
        auto [end, err] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (err == std::errc() && end == value.data() + value.size()) declared_length = n;
        continue;
      }
      if (iequals(name, "Transfer-Encoding") || iequals(name, "Connection")) continue;
      head_ += name;
      head_ += ": ";
      head_ += value;
      head_ += "\r\n";
    }
    const bool bodiless_status = response.status < 200 || response.status == 204 || response.status == 304;
    uint64_t length = response.stream ? response.stream->size() : response.body.size();
    // A HEAD handler may announce the length without producing the body.
    if (head && !response.stream && response.body.empty() && declared_length) length = *declared_length;
    if (!bodiless_status) {
      head_ += "Content-Length: ";
      append_number(head_, length);
      head_ += "\r\n";
    }
    if (!keep) head_ += "Connection: close\r\n";
    head_ += "\r\n";

    if (head || bodiless_status || length == 0) co_return co_await write(asio::buffer(head_));
    if (!response.stream) {
      bytes_out = length;
      if (response.body.size() <= kInlineBodyMax) {
        head_ += response.body;
        co_return co_await write(asio::buffer(head_));
      }
      co_return co_await write(std::array{asio::buffer(head_), asio::buffer(response.body)});
    }
    if constexpr (!kTls) {
      auto region = response.stream->file_region();
      if (region && region->fd >= 0 && region->length == length) {
        co_return co_await send_file(*region, bytes_out);
      }
    }
    co_return co_await send_stream(*response.stream, length, bytes_out);
  }

  template <class Buffers>
  asio::awaitable<bool> write(const Buffers& buffers) {
    error_code ec;
    watchdog_->begin(core_.request_timeout);
    co_await asio::async_write(stream_, buffers, tok(ec));
    watchdog_->end();
    co_return !ec;
  }

  // Copies a BodySource through a 256 KiB buffer; the head goes out with the first piece.
  asio::awaitable<bool> send_stream(BodySource& source, uint64_t length, uint64_t& bytes_out) {
    const size_t capacity = static_cast<size_t>(std::min<uint64_t>(length, kStreamChunk));
    std::unique_ptr<char[]> chunk(new char[capacity]);
    bool first = true;
    while (bytes_out < length) {
      size_t want = static_cast<size_t>(std::min<uint64_t>(capacity, length - bytes_out));
      auto n = source.read(std::span<char>(chunk.get(), want));
      if (!n || *n == 0) {
        log_event(LogLevel::kError, "response body ended early",
                  {{"error", n ? std::string_view("short body") : std::string_view(n.error().message)}});
        co_return false;
      }
      auto piece = asio::buffer(chunk.get(), *n);
      bool ok = first ? co_await write(std::array{asio::buffer(head_), piece}) : co_await write(piece);
      if (!ok) co_return false;
      first = false;
      bytes_out += *n;
    }
    co_return true;
  }

  // Zero-copy path for file-backed bodies on plain TCP: head with MSG_MORE, then sendfile(2)
  // on the non-blocking socket, waiting for writability when the send buffer is full.
  asio::awaitable<bool> send_file(const FileRegion& region, uint64_t& bytes_out) {
    tcp::socket& socket = lowest(stream_);
    error_code ec;
    socket.native_non_blocking(true, ec);
    if (ec) co_return false;
    const int fd = socket.native_handle();
    std::string_view pending = head_;
    while (!pending.empty()) {
      ssize_t n = ::send(fd, pending.data(), pending.size(), MSG_MORE | MSG_NOSIGNAL);
      if (n >= 0) {
        pending.remove_prefix(static_cast<size_t>(n));
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (!co_await wait_writable(socket)) co_return false;
      } else if (errno != EINTR) {
        co_return false;
      }
    }
    off_t offset = static_cast<off_t>(region.offset);
    uint64_t since_yield = 0;
    while (bytes_out < region.length) {
      size_t want = static_cast<size_t>(std::min<uint64_t>(region.length - bytes_out, kSendfileSlice));
      ssize_t n = ::sendfile(fd, region.fd, &offset, want);
      if (n > 0) {
        bytes_out += static_cast<uint64_t>(n);
        since_yield += static_cast<uint64_t>(n);
        if (since_yield >= kSendfileSlice) {  // let the thread's other connections run
          since_yield = 0;
          co_await asio::post(worker_.ioc.get_executor(), asio::use_awaitable);
          if (!socket.is_open()) co_return false;
        }
      } else if (n == 0) {
        log_event(LogLevel::kError, "file body shorter than announced", {{"path", "-"}});
        co_return false;
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        since_yield = 0;
        if (!co_await wait_writable(socket)) co_return false;
      } else if (errno != EINTR) {
        co_return false;
      }
    }
    co_return true;
  }

  asio::awaitable<bool> wait_writable(tcp::socket& socket) {
    error_code ec;
    watchdog_->begin(core_.request_timeout);
    co_await socket.async_wait(tcp::socket::wait_write, tok(ec));
    watchdog_->end();
    co_return !ec;
  }

  // Closes the connection. With `linger`, first half-closes and discards what the client is still
  // sending (bounded), so the kernel does not reset the connection before the client has read
  // our final response.
  asio::awaitable<void> close(bool linger) {
    tcp::socket& socket = lowest(stream_);
    error_code ec;
    if (linger && socket.is_open()) {
      socket.shutdown(tcp::socket::shutdown_send, ec);
      char scratch[4096];
      uint64_t discarded = 0;
      watchdog_->begin(kLingerTimeout);
      while (!ec && discarded < kLingerMax) {
        discarded += co_await socket.async_read_some(asio::buffer(scratch), tok(ec));
      }
      watchdog_->end();
    }
    socket.close(ec);
  }

  Core& core_;
  Worker& worker_;
  Stream stream_;
  std::shared_ptr<Watchdog> watchdog_;
  std::list<Connection*>::iterator registration_;
  beast::flat_buffer buffer_;
  std::string head_;  // response head, reused across requests
  std::string remote_;
};

template <class Stream>
asio::awaitable<void> serve(Core& core, Worker& worker, Stream stream) {
  Session<Stream> session(core, worker, std::move(stream));
  try {
    co_await session.run();
  } catch (const std::exception& e) {
    log_event(LogLevel::kError, "connection failed", {{"error", e.what()}});
  }
}

asio::awaitable<void> accept_loop(Core& core) {
  size_t next = 0;
  for (;;) {
    Worker& worker = *core.workers[next++ % core.workers.size()];
    tcp::socket socket(worker.ioc);
    error_code ec;
    co_await core.acceptor->async_accept(socket, tok(ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || !core.acceptor->is_open()) co_return;
      log_event(LogLevel::kWarn, "accept failed", {{"error", ec.message()}});
      // Out of descriptors or memory: back off instead of spinning on the ready listener.
      asio::steady_timer backoff(core.workers[0]->ioc, std::chrono::milliseconds(50));
      co_await backoff.async_wait(tok(ec));
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    if (core.tls) {
      asio::co_spawn(worker.ioc, serve(core, worker, TlsStream(std::move(socket), *core.tls)), asio::detached);
    } else {
      asio::co_spawn(worker.ioc, serve(core, worker, std::move(socket)), asio::detached);
    }
  }
}

Result<void> load_tls(Core& core) {
  const auto& o = core.options;
  if (o.tls_cert_file.empty() != o.tls_key_file.empty()) {
    return fail(ErrorCode::kInvalidArgument, "TLS needs both a certificate and a key file");
  }
  if (o.tls_cert_file.empty()) return ok();
  try {
    core.tls.emplace(asio::ssl::context::tls_server);
  } catch (const std::exception& e) {
    return fail(ErrorCode::kInternal, std::string("cannot create TLS context: ") + e.what());
  }
  auto& ctx = *core.tls;
  error_code ec;
  ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                      asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                      asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use,
                  ec);
  if (!ec && SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION) != 1) {
    return fail(ErrorCode::kInternal, "cannot require TLS 1.2");
  }
  if (!ec) ctx.use_certificate_chain_file(o.tls_cert_file, ec);
  if (ec) return fail(ErrorCode::kInvalidArgument, "cannot load TLS certificate: " + ec.message());
  ctx.use_private_key_file(o.tls_key_file, asio::ssl::context::pem, ec);
  if (ec) return fail(ErrorCode::kInvalidArgument, "cannot load TLS private key: " + ec.message());
  return ok();
}

void run_context(asio::io_context& ioc) {
  for (;;) {
    try {
      ioc.run();
      return;
    } catch (const std::exception& e) {
      log_event(LogLevel::kError, "I/O thread caught exception", {{"error", e.what()}});
    }
  }
}

}  // namespace

struct Server::Impl : Core {
  using Core::Core;
  ~Impl() {
    if (pool_acquired) internal::release_worker_pool();
  }
};

Server::Server(ServerOptions options, const Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}

Server::~Server() {
  stop();
  for (auto& worker : impl_->workers) {
    if (worker->thread.joinable()) worker->thread.join();
  }
}

Result<void> Server::start() {
  Core& core = *impl_;
  if (core.started) return fail(ErrorCode::kConflict, "server already started");
  BULWARK_ASSIGN_OR_RETURN(tcp::endpoint endpoint, parse_listen(core.options.listen));
  BULWARK_TRY_VOID(load_tls(core));
  int threads = core.options.io_threads > 0 ? core.options.io_threads
                                            : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < threads; ++i) core.workers.push_back(std::make_unique<Worker>());
  core.acceptor.emplace(core.workers[0]->ioc);
  error_code ec;
  auto& acceptor = *core.acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    core.acceptor.reset();
    core.workers.clear();
    return fail(ErrorCode::kUnavailable, "cannot listen on " + core.options.listen + ": " + ec.message());
  }
  core.port = acceptor.local_endpoint(ec).port();
  std::signal(SIGPIPE, SIG_IGN);  // sendfile(2) on a reset connection must not kill the process
  internal::acquire_worker_pool(core.options.worker_threads);
  core.pool_acquired = true;
  asio::co_spawn(core.workers[0]->ioc, accept_loop(core), asio::detached);
  core.started = true;
  return ok();
}

uint16_t Server::port() const { return impl_->port; }

void Server::run() {
  Core& core = *impl_;
  if (!core.started) return;
  for (size_t i = 1; i < core.workers.size(); ++i) {
    Worker* worker = core.workers[i].get();
    worker->thread = std::thread([worker] { run_context(worker->ioc); });
  }
  run_context(core.workers[0]->ioc);
  for (size_t i = 1; i < core.workers.size(); ++i) core.workers[i]->thread.join();
  if (core.pool_acquired) {
    core.pool_acquired = false;
    internal::release_worker_pool();
  }
}

void Server::stop() {
  Core& core = *impl_;
  if (!core.started || core.stop_requested.exchange(true)) return;
  asio::post(core.workers[0]->ioc, [&core] {
    error_code ec;
    core.acceptor->close(ec);
  });
  auto grace = std::chrono::seconds(std::max<int64_t>(0, core.options.shutdown_grace_seconds));
  for (auto& worker : core.workers) {
    asio::post(worker->ioc, [w = worker.get(), grace] { w->begin_stop(grace); });
  }
}

}  // namespace bulwark::http
