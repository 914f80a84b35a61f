// Black-box tests of the HTTP server: a real Server on a loopback port, driven by libcurl and, for
// malformed or step-by-step exchanges, by raw sockets.
#include "common/temp_dir.h"
#include "http/server.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "common/digest.h"
#include "http/coro.h"

namespace bulwark::http {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Test helpers

std::string make_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng());
  return out;
}


// A BodySource over a file; optionally advertises the file region (the sendfile path).
class FileSource final : public BodySource {
 public:
  FileSource(const fs::path& path, bool region) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)), region_(region) {
    struct stat st {};
    if (fd_ < 0 || ::fstat(fd_, &st) != 0) throw std::runtime_error("open failed");
    size_ = static_cast<uint64_t>(st.st_size);
  }
  ~FileSource() override { ::close(fd_); }
  uint64_t size() const override { return size_; }
  std::optional<FileRegion> file_region() const override {
    if (!region_) return std::nullopt;
    return FileRegion{fd_, 0, size_};
  }
  Result<size_t> read(std::span<char> buf) override {
    ssize_t n = ::read(fd_, buf.data(), buf.size());
    if (n < 0) return fail(ErrorCode::kIo, "read failed");
    return static_cast<size_t>(n);
  }

 private:
  int fd_;
  bool region_;
  uint64_t size_ = 0;
};

struct Reply {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;
  std::string head;
  long new_connections = 0;
  // Value of the first response header `name` (case-insensitive), or "".
  std::string header(std::string_view name) const {
    std::string lower_head = head;
    std::string lower_name(name);
    for (auto& c : lower_head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (auto& c : lower_name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    size_t at = lower_head.find("\r\n" + lower_name + ":");
    if (at == std::string::npos) return "";
    size_t start = at + 2 + lower_name.size() + 1;
    size_t end = head.find("\r\n", start);
    std::string value = head.substr(start, end - start);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    return value;
  }
};

struct Upload {
  std::string data;
  bool chunked = false;
  size_t offset = 0;
};

// One libcurl easy handle: consecutive requests reuse its connection when the server allows.
class Client {
 public:
  Client() {
    static const bool initialized = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    (void)initialized;
    handle_ = curl_easy_init();
  }
  ~Client() { curl_easy_cleanup(handle_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  std::string cainfo;

  Reply request(const std::string& method, const std::string& url, Upload* upload = nullptr,
                const std::vector<std::string>& headers = {}) {
    Reply reply;
    CURL* h = handle_;
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &Client::on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &reply.body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &Client::on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &reply.head);
    if (!cainfo.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, cainfo.c_str());
    if (method == "HEAD") {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (upload != nullptr) {
      curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(h, CURLOPT_READFUNCTION, &Client::on_read);
      curl_easy_setopt(h, CURLOPT_READDATA, upload);
      if (!upload->chunked) {
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(upload->data.size()));
      }
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
    } else if (method != "GET") {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
    }
    curl_slist* list = nullptr;
    for (const auto& header : headers) list = curl_slist_append(list, header.c_str());
    if (upload != nullptr && upload->chunked) list = curl_slist_append(list, "Transfer-Encoding: chunked");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
    reply.code = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply.status);
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &reply.new_connections);
    curl_slist_free_all(list);
    return reply;
  }
  Reply get(const std::string& url) { return request("GET", url); }

 private:
  static size_t on_body(char* data, size_t size, size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
  }
  static size_t on_header(char* data, size_t size, size_t n, void* out) {
    auto* head = static_cast<std::string*>(out);
    std::string_view line(data, size * n);
    if (line.starts_with("HTTP/") && !line.starts_with("HTTP/1.1 100")) head->clear();  // final response only
    head->append(line);
    return size * n;
  }
  static size_t on_read(char* buffer, size_t size, size_t n, void* in) {
    auto* upload = static_cast<Upload*>(in);
    size_t count = std::min(size * n, upload->data.size() - upload->offset);
    std::memcpy(buffer, upload->data.data() + upload->offset, count);
    upload->offset += count;
    return count;
  }
  CURL* handle_;
};

// A plain blocking TCP connection for exchanges curl would not produce.
class RawConnection {
 public:
  explicit RawConnection(uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    timeval tv{30, 0};  // a broken server fails the test instead of hanging it
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawConnection() { ::close(fd_); }
  bool connected() const { return connected_; }

  bool send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  // Reads until `marker` has arrived (returns everything read so far) or EOF/error.
  std::string read_until(std::string_view marker) {
    while (pending_.find(marker) == std::string::npos) {
      if (!fill()) break;
    }
    size_t end = pending_.find(marker);
    end = end == std::string::npos ? pending_.size() : end + marker.size();
    std::string out = pending_.substr(0, end);
    pending_.erase(0, end);
    return out;
  }
  // Reads one response with a Content-Length body: head + body.
  std::string read_response() {
    std::string head = read_until("\r\n\r\n");
    size_t at = head.find("Content-Length: ");
    size_t length = at == std::string::npos ? 0 : std::stoul(head.substr(at + 16));
    while (pending_.size() < length && fill()) {
    }
    std::string body = pending_.substr(0, length);
    pending_.erase(0, body.size());
    return head + body;
  }
  // True when the server closed the connection (EOF, or a reset) before sending anything more.
  bool closed_by_peer() {
    if (!pending_.empty()) return false;
    char c;
    ssize_t n = ::recv(fd_, &c, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

 private:
  bool fill() {
    char buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    pending_.append(buf, static_cast<size_t>(n));
    return true;
  }
  int fd_;
  bool connected_ = false;
  std::string pending_;
};

Response text(int status, std::string body) {
  Response r;
  r.status = status;
  r.headers.set("Content-Type", "text/plain");
  r.body = std::move(body);
  return r;
}

// Reads a whole request body, hashing it; answers "<bytes> <digest> <cl|chunked>".
Task<Response> hash_body(Request& request) {
  Hasher hasher;
  std::vector<char> buf(100 * 1024 + 7);
  for (;;) {
    auto n = co_await request.body->read(buf);
    if (!n) co_return text(400, "read failed: " + n.error().message);
    if (*n == 0) break;
    hasher.update(std::span<const char>(buf.data(), *n));
  }
  uint64_t size = hasher.size();
  std::string framing = request.body->content_length() ? "cl" : "chunked";
  co_return text(200, std::to_string(size) + " " + hasher.finish().str() + " " + framing);
}

// ---------------------------------------------------------------------------------------------
// Fixture: routes shared by the tests and a server running in a background thread.

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_bytes_ = make_bytes(8 * 1024 * 1024 + 12345, 7);
    file_path_ = fs::path(dir_.path()) / "blob";
    std::ofstream(file_path_, std::ios::binary) << file_bytes_;

    router_.add("GET", "/hello", [](Request&) -> Task<Response> {
      Response r = text(200, "hello world");
      r.headers.add("X-Test", "yes");
      co_return r;
    });
    router_.add("GET", "/file", [this](Request& request) -> Task<Response> {
      Response r;
      r.stream = std::make_unique<FileSource>(file_path_, !request.has_query_param("copy"));
      co_return r;
    });
    router_.add("PUT", "/upload", hash_body);
    router_.add("PUT", "/ignore", [](Request&) -> Task<Response> { co_return text(201, "ignored"); });
    router_.add("GET", "/echo/{x}", [](Request& request) -> Task<Response> {
      co_return text(200, std::string(request.param("x")) + "|" + request.query_param("q").value_or("-"));
    });
    router_.add("GET", "/thread", [](Request&) -> Task<Response> {
      std::thread::id io = std::this_thread::get_id();
      std::thread::id worker;
      co_await run_blocking([&] { worker = std::this_thread::get_id(); });
      bool back_on_io = std::this_thread::get_id() == io;
      co_return text(200, std::string(worker != io ? "different" : "same") + (back_on_io ? " resumed-on-io" : " moved"));
    });
    // Two chained background jobs: the first blocks until the handler releases it and then
    // throws; the second must still wait for it, run after it, and not inherit its exception.
    router_.add("GET", "/chain", [](Request&) -> Task<Response> {
      std::promise<void> release;
      std::shared_future<void> released = release.get_future().share();
      std::mutex mu;
      std::vector<std::string> order;
      auto note = [&](std::string what) {
        std::lock_guard lock(mu);
        order.push_back(std::move(what));
      };
      auto first = co_await BackgroundJob::start([&] {
        released.wait();
        note("first");
        throw std::runtime_error("first failed");
      });
      auto second = co_await BackgroundJob::start_after(first.get(), [&] { note("second"); });
      auto third = co_await BackgroundJob::start_after(second.get(), [&] { note("third"); });
      note("released");
      release.set_value();
      co_await third->wait();
      co_await second->wait();  // no exception: its predecessor's stays with the predecessor
      std::string first_error = "none";
      try {
        co_await first->wait();
      } catch (const std::runtime_error& e) {
        first_error = e.what();
      }
      // A job chained after one that has long finished starts at once.
      auto late = co_await BackgroundJob::start_after(first.get(), [&] { note("late"); });
      co_await late->wait();
      std::string text_out;
      for (const auto& step : order) text_out += step + ",";
      co_return text(200, text_out + " first: " + first_error);
    });
    router_.add("GET", "/throw", [](Request&) -> Task<Response> {
      throw std::runtime_error("handler bug");
      co_return Response{};
    });
    router_.add("GET", "/blocking-throw", [](Request&) -> Task<Response> {
      try {
        co_await run_blocking([] { throw std::runtime_error("worker failed"); });
      } catch (const std::runtime_error& e) {
        co_return text(200, std::string("caught: ") + e.what());
      }
      co_return text(200, "not thrown");
    });
  }

  void TearDown() override { stop_server(); }

  void start(ServerOptions options = {}) {
    if (options.listen == ServerOptions{}.listen) options.listen = "127.0.0.1:0";
    options.io_threads = 2;
    options.worker_threads = 2;
    server_ = std::make_unique<Server>(std::move(options), router_);
    auto started = server_->start();
    ASSERT_TRUE(started) << started.error().message;
    thread_ = std::thread([this] {
      server_->run();
      run_returned_ = true;
    });
  }

  void stop_server() {
    if (!server_) return;
    server_->stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
  }

  std::string url(const std::string& path, const std::string& scheme = "http") const {
    return scheme + "://127.0.0.1:" + std::to_string(server_->port()) + path;
  }

  TempDir dir_;
  std::string file_bytes_;
  fs::path file_path_;
  Router router_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::atomic<bool> run_returned_{false};
};

// An error formatter like the registry's: JSON with the code.
Response json_error(int status, std::string_view code, std::string_view message) {
  Response r;
  r.status = status;
  r.headers.set("Content-Type", "application/json");
  r.body = "{\"code\":\"" + std::string(code) + "\",\"message\":\"" + std::string(message) + "\"}";
  return r;
}

// ---------------------------------------------------------------------------------------------

TEST_F(ServerTest, GetAndHeadInMemoryBody) {
  start();
  Client client;
  Reply get = client.get(url("/hello"));
  ASSERT_EQ(get.code, CURLE_OK);
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.body, "hello world");
  EXPECT_EQ(get.header("X-Test"), "yes");
  EXPECT_EQ(get.header("Content-Length"), "11");

  Reply head = client.request("HEAD", url("/hello"));
  ASSERT_EQ(head.code, CURLE_OK);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("Content-Length"), "11");
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(head.new_connections, 0) << "HEAD answer must leave the connection usable";
}

TEST_F(ServerTest, FileBodyWithSendfileAndWithCopying) {
  start();
  Client client;
  const std::string expected = Digest::of(file_bytes_).str();
  for (const char* path : {"/file", "/file?copy=1"}) {
    SCOPED_TRACE(path);
    Reply reply = client.get(url(path));
    ASSERT_EQ(reply.code, CURLE_OK);
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(reply.header("Content-Length"), std::to_string(file_bytes_.size()));
    EXPECT_EQ(reply.body.size(), file_bytes_.size());
    EXPECT_EQ(Digest::of(reply.body).str(), expected);
  }
  Reply head = client.request("HEAD", url("/file"));
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("Content-Length"), std::to_string(file_bytes_.size()));
  EXPECT_EQ(head.body, "");
  // Keep-alive survives streamed bodies: a further request reuses the connection.
  Reply again = client.get(url("/hello"));
  EXPECT_EQ(again.body, "hello world");
  EXPECT_EQ(again.new_connections, 0);
}

TEST_F(ServerTest, StreamsRequestBodyWithContentLengthAndChunked) {
  start();
  Client client;
  for (bool chunked : {false, true}) {
    SCOPED_TRACE(chunked ? "chunked" : "content-length");
    Upload upload{make_bytes(6 * 1024 * 1024 + 3, chunked ? 2 : 1), chunked};
    Reply reply = client.request("PUT", url("/upload"), &upload);
    ASSERT_EQ(reply.code, CURLE_OK);
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(reply.body, std::to_string(upload.data.size()) + " " + Digest::of(upload.data).str() + " " +
                              (chunked ? "chunked" : "cl"));
  }
}

TEST_F(ServerTest, ExpectContinueIsAnsweredBeforeTheBodyIsSent) {
  start();
  RawConnection conn(server_->port());
  ASSERT_TRUE(conn.connected());
  ASSERT_TRUE(conn.send("PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  // Nothing of the body has been sent; the server must invite it.
  EXPECT_EQ(conn.read_until("\r\n\r\n"), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(conn.send("hello"));
  std::string response = conn.read_response();
  EXPECT_TRUE(response.starts_with("HTTP/1.1 200 OK\r\n")) << response;
  EXPECT_NE(response.find("5 " + Digest::of("hello").str() + " cl"), std::string::npos) << response;
}

TEST_F(ServerTest, UnreadBodyIsDrainedWhenSmallAndClosesWhenLarge) {
  start();
  Client client;
  Upload small{"tiny body"};
  Reply first = client.request("PUT", url("/ignore"), &small, {"Expect:"});
  EXPECT_EQ(first.status, 201);
  Reply reuse = client.get(url("/hello"));
  EXPECT_EQ(reuse.body, "hello world");
  EXPECT_EQ(reuse.new_connections, 0) << "a small unread body must not cost the connection";

  Upload large{make_bytes(4 * 1024 * 1024, 3)};
  Reply big = client.request("PUT", url("/ignore"), &large, {"Expect:"});
  EXPECT_EQ(big.status, 201);
  EXPECT_EQ(big.header("Connection"), "close");
  Reply after = client.get(url("/hello"));
  EXPECT_EQ(after.body, "hello world");
  EXPECT_EQ(after.new_connections, 1);
}

TEST_F(ServerTest, OversizedHeadersGet431FromTheErrorFormatter) {
  ServerOptions options;
  options.header_max_bytes = 1024;
  options.error_response = json_error;
  start(options);
  Client client;
  Reply reply = client.request("GET", url("/hello"), nullptr, {"X-Big: " + std::string(4000, 'a')});
  ASSERT_EQ(reply.code, CURLE_OK);
  EXPECT_EQ(reply.status, 431);
  EXPECT_EQ(reply.header("Content-Type"), "application/json");
  EXPECT_NE(reply.body.find("\"code\":\"HEADER_TOO_LARGE\""), std::string::npos) << reply.body;
  // Headers under the limit are fine.
  Reply fine = client.request("GET", url("/hello"), nullptr, {"X-Small: " + std::string(200, 'a')});
  EXPECT_EQ(fine.status, 200);
}

TEST_F(ServerTest, MalformedRequestLineGets400AndClose) {
  ServerOptions options;
  options.error_response = json_error;
  start(options);
  RawConnection conn(server_->port());
  ASSERT_TRUE(conn.connected());
  ASSERT_TRUE(conn.send("THIS IS NOT HTTP\r\n\r\n"));
  std::string response = conn.read_response();
  EXPECT_TRUE(response.starts_with("HTTP/1.1 400 Bad Request\r\n")) << response;
  EXPECT_NE(response.find("Connection: close\r\n"), std::string::npos);
  EXPECT_NE(response.find("\"code\":\"BAD_REQUEST\""), std::string::npos) << response;
  EXPECT_TRUE(conn.closed_by_peer());
}

TEST_F(ServerTest, PlainTextErrorsWithoutFormatter) {
  start();
  RawConnection conn(server_->port());
  ASSERT_TRUE(conn.send("GET /x HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n"));
  std::string response = conn.read_response();
  EXPECT_TRUE(response.starts_with("HTTP/1.1 400 Bad Request\r\n")) << response;
  EXPECT_NE(response.find("Content-Type: text/plain"), std::string::npos) << response;
}

TEST_F(ServerTest, RejectsAmbiguousBodyFraming) {
  start();
  for (const char* request : {
           "PUT /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nGET /hello HTTP/1.1\r\n\r\n",
           "PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
           "PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
       }) {
    SCOPED_TRACE(request);
    RawConnection conn(server_->port());
    ASSERT_TRUE(conn.send(request));
    std::string response = conn.read_response();
    EXPECT_TRUE(response.starts_with("HTTP/1.1 400 ")) << response;
    EXPECT_TRUE(conn.closed_by_peer()) << "nothing after the bad request may be served";
  }
}

TEST_F(ServerTest, UnknownRoute404AndWrongMethod405WithAllow) {
  ServerOptions options;
  options.error_response = json_error;
  start(options);
  Client client;
  Reply missing = client.get(url("/nope"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("\"code\":\"NOT_FOUND\""), std::string::npos);
  Reply wrong = client.request("DELETE", url("/hello"));
  EXPECT_EQ(wrong.status, 405);
  EXPECT_NE(wrong.body.find("\"code\":\"METHOD_NOT_ALLOWED\""), std::string::npos);
  EXPECT_EQ(wrong.header("Allow"), "GET, HEAD");
  Reply put_only = client.get(url("/upload"));
  EXPECT_EQ(put_only.status, 405);
  EXPECT_EQ(put_only.header("Allow"), "PUT");
}

TEST_F(ServerTest, KeepAliveReusesOneConnection) {
  start();
  Client client;
  EXPECT_EQ(client.get(url("/hello")).new_connections, 1);
  for (int i = 0; i < 5; ++i) {
    Reply reply = client.get(url("/echo/" + std::to_string(i)));
    EXPECT_EQ(reply.body, std::to_string(i) + "|-");
    EXPECT_EQ(reply.new_connections, 0);
  }
  // Pipelined requests on a raw connection are answered in order.
  RawConnection conn(server_->port());
  ASSERT_TRUE(conn.send("GET /echo/a HTTP/1.1\r\nHost: x\r\n\r\nGET /echo/b HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_TRUE(conn.read_response().ends_with("a|-"));
  EXPECT_TRUE(conn.read_response().ends_with("b|-"));
}

TEST_F(ServerTest, PathIsPercentDecodedAndUnsafePathsRejected) {
  start();
  Client client;
  EXPECT_EQ(client.get(url("/echo/a%20b?q=x+y%2Fz")).body, "a b|x+y/z");
  EXPECT_EQ(client.get(url("/echo/%00")).status, 400);
  EXPECT_EQ(client.get(url("/echo/%zz")).status, 400);
  RawConnection conn(server_->port());
  ASSERT_TRUE(conn.send("GET * HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_TRUE(conn.read_response().starts_with("HTTP/1.1 400 ")) << "non-absolute path";
}

TEST_F(ServerTest, RunBlockingUsesTheWorkerPoolAndRethrows) {
  start();
  Client client;
  EXPECT_EQ(client.get(url("/thread")).body, "different resumed-on-io");
  EXPECT_EQ(client.get(url("/blocking-throw")).body, "caught: worker failed");
}

TEST_F(ServerTest, ChainedBackgroundJobsRunInOrderAfterTheirPredecessorEvenWhenItThrows) {
  start();  // two pool threads: an unchained job would run while the first is still blocked
  Client client;
  EXPECT_EQ(client.get(url("/chain")).body, "released,first,second,third,late, first: first failed");
}

TEST_F(ServerTest, HandlerExceptionIs500AndServerKeepsServing) {
  ServerOptions options;
  options.error_response = json_error;
  start(options);
  Client client;
  Reply reply = client.get(url("/throw"));
  EXPECT_EQ(reply.status, 500);
  EXPECT_NE(reply.body.find("\"code\":\"INTERNAL\""), std::string::npos);
  EXPECT_EQ(client.get(url("/hello")).status, 200);
}

TEST_F(ServerTest, AccessLogHasOneLinePerRequestWithoutSecrets) {
  start();
  Client client;
  ::testing::internal::CaptureStderr();
  client.request("GET", url("/echo/logged?token=sekrit-query"), nullptr, {"Authorization: Bearer sekrit-header"});
  client.get(url("/hello"));  // on the same connection: the first line is written by now
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("\"msg\":\"request\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"path\":\"/echo/logged\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"status\":200"), std::string::npos) << log;
  EXPECT_NE(log.find("\"method\":\"GET\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"client\":\"127.0.0.1:"), std::string::npos) << log;
  EXPECT_NE(log.find("\"duration_ms\":"), std::string::npos) << log;
  EXPECT_EQ(log.find("sekrit"), std::string::npos) << log;
}

TEST_F(ServerTest, RequestBodyStallTimesOutAndDropsTheConnection) {
  std::promise<std::string> outcome;
  router_.add("PUT", "/observe", [&](Request& request) -> Task<Response> {
    std::vector<char> buf(4096);
    std::string seen;
    for (;;) {
      auto n = co_await request.body->read(buf);
      if (!n) {
        outcome.set_value(seen + " / " + n.error().message + " / " + error_code_name(n.error().code));
        co_return text(408, "too slow");
      }
      if (*n == 0) break;
      seen.append(buf.data(), *n);
    }
    outcome.set_value("complete");
    co_return text(200, "ok");
  });
  ServerOptions options;
  options.request_timeout_seconds = 1;
  start(options);
  RawConnection conn(server_->port());
  ASSERT_TRUE(conn.send("PUT /observe HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly ten.."));
  // The client stalls: the handler's read fails, and the connection is gone.
  EXPECT_EQ(outcome.get_future().get(), "only ten.. / request body timed out / unavailable");
  EXPECT_TRUE(conn.closed_by_peer());
}

TEST_F(ServerTest, GracefulStopLetsInFlightRequestFinish) {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  router_.add("GET", "/slow", [&](Request&) -> Task<Response> {
    entered.set_value();
    co_await run_blocking([released] { released.wait(); });
    co_return text(200, "finished");
  });
  start();
  // An idle keep-alive connection, which stop() must close at once.
  RawConnection idle(server_->port());
  ASSERT_TRUE(idle.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(idle.read_response().ends_with("hello world"));

  Reply slow;
  std::thread client_thread([&] { slow = Client().get(url("/slow")); });
  entered.get_future().wait();
  server_->stop();
  EXPECT_TRUE(idle.closed_by_peer());
  EXPECT_FALSE(run_returned_) << "run() must wait for the request in flight";
  release.set_value();
  client_thread.join();
  EXPECT_EQ(slow.code, CURLE_OK);
  EXPECT_EQ(slow.status, 200);
  EXPECT_EQ(slow.body, "finished");
  EXPECT_EQ(slow.header("Connection"), "close");
  thread_.join();
  EXPECT_TRUE(run_returned_);
  RawConnection refused(server_->port());
  EXPECT_FALSE(refused.connected()) << "no longer accepting";
}

TEST_F(ServerTest, StopAbortsRequestsPastTheGracePeriod) {
  std::promise<void> entered;
  router_.add("GET", "/forever", [&](Request&) -> Task<Response> {
    entered.set_value();
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, std::chrono::hours(1));
    co_await timer.async_wait(boost::asio::use_awaitable);
    co_return text(200, "too late");
  });
  ServerOptions options;
  options.shutdown_grace_seconds = 0;
  start(options);
  Reply reply;
  std::thread client_thread([&] { reply = Client().get(url("/forever")); });
  entered.get_future().wait();
  server_->stop();
  thread_.join();  // returns although the handler never finished
  client_thread.join();
  EXPECT_NE(reply.code, CURLE_OK);
}

TEST_F(ServerTest, ListensOnIpv6Loopback) {
  ServerOptions options;
  options.listen = "[::1]:0";
  start(options);
  Client client;
  Reply reply = client.get("http://[::1]:" + std::to_string(server_->port()) + "/hello");
  ASSERT_EQ(reply.code, CURLE_OK);
  EXPECT_EQ(reply.body, "hello world");
}

TEST_F(ServerTest, RejectsBadListenAddressAndMissingTlsKey) {
  for (const char* listen : {"127.0.0.1", "127.0.0.1:99999", "not-an-ip:80", "[::1:80"}) {
    ServerOptions options;
    options.listen = listen;
    Server server(options, router_);
    EXPECT_FALSE(server.start()) << listen;
  }
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.tls_cert_file = (fs::path(dir_.path()) / "missing.pem").string();
  Server server(options, router_);
  EXPECT_FALSE(server.start());
}

TEST_F(ServerTest, ServesTlsWithPemCertificate) {
  const std::string cert = (fs::path(dir_.path()) / "cert.pem").string();
  const std::string key = (fs::path(dir_.path()) / "key.pem").string();
  const std::string command =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost -days 1 "
      "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout " + key + " -out " + cert + " 2>/dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0);
  ServerOptions options;
  options.tls_cert_file = cert;
  options.tls_key_file = key;
  start(options);
  Client client;
  client.cainfo = cert;
  Reply hello = client.get(url("/hello", "https"));
  ASSERT_EQ(hello.code, CURLE_OK) << curl_easy_strerror(hello.code);
  EXPECT_EQ(hello.body, "hello world");
  Reply file = client.get(url("/file", "https"));  // file region, but TLS: copied through the stream
  EXPECT_EQ(file.new_connections, 0);
  EXPECT_EQ(Digest::of(file.body).str(), Digest::of(file_bytes_).str());
  Upload upload{make_bytes(3 * 1024 * 1024, 9), true};
  Reply put = client.request("PUT", url("/upload", "https"), &upload);
  EXPECT_EQ(put.body, std::to_string(upload.data.size()) + " " + Digest::of(upload.data).str() + " chunked");
  // Plain HTTP to the TLS port does not get an HTTP answer.
  Client plain;
  EXPECT_NE(plain.get(url("/hello")).status, 200);
}

}  // namespace
}  // namespace bulwark::http
