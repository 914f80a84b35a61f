// The HTTP/1.1 server (Beast + Asio): accepts connections (plain or TLS), parses requests with
// header-size limits and idle/request timeouts, routes them, streams bodies both ways (sendfile
// for file-backed bodies on plain TCP), logs one JSON line per request, and shuts down gracefully.
//
// Thread-safety: start() then run() from one thread; stop() may be called from any thread or a
// signal-handling context (it posts to the I/O context).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "http/http.h"
#include "http/router.h"

namespace bulwark::http {

struct ServerOptions {
  std::string listen = "127.0.0.1:5000";  // HOST:PORT, IPv4 or [IPv6]; port 0 = any free port
  std::string tls_cert_file;              // PEM; TLS when both are set
  std::string tls_key_file;
  int io_threads = 0;                     // 0: hardware concurrency
  int worker_threads = 4;                 // the run_blocking() pool
  uint32_t header_max_bytes = 16 * 1024;  // request line + headers; larger -> 431
  int64_t idle_timeout_seconds = 60;      // keep-alive wait for the next request
  int64_t request_timeout_seconds = 300;  // no progress reading a body for this long -> abort
  int64_t shutdown_grace_seconds = 30;    // in-flight requests may finish within this
  // Formats server-generated errors (bad request, 404/405 without route, 431, ...) in the
  // application's error format. `code` is a short machine name such as "NOT_FOUND".
  std::function<Response(int status, std::string_view code, std::string_view message)> error_response;
};

class Server {
 public:
  Server(ServerOptions options, const Router& router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens; loads TLS material. After success port() is the bound port.
  Result<void> start();
  uint16_t port() const;
  // Serves until stop() and the graceful drain complete. Blocks the calling thread.
  void run();
  // Stops accepting, lets in-flight requests finish (up to the grace period), then returns
  // from run(). Idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bulwark::http
