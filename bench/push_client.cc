// push_client: a minimal HTTP/1.1 client that pushes one file as a blob as fast as the kernel
// allows (sendfile from the page cache), so that benchmarks measure the registry's ingest rate
// rather than the client's. Speaks just enough of the Distribution API:
//   push_client HOST PORT REPO DIGEST FILE monolithic        POST, then PUT with the whole body
//   push_client HOST PORT REPO DIGEST FILE chunked CHUNK_MIB POST, PATCH per chunk, PUT
// Prints the throughput in MB/s (10^6 bytes/s) over the whole sequence; exit 1 on any error.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace {

// "Authorization: <$BENCH_AUTHORIZATION>\r\n", or "" when the variable is unset.
std::string auth_header() {
  const char* value = std::getenv("BENCH_AUTHORIZATION");
  return value == nullptr ? std::string() : "Authorization: " + std::string(value) + "\r\n";
}

struct Reply {
  int status = 0;
  std::string location;
};

class Connection {
 public:
  Connection(const char* host, int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (fd_ < 0 || ::inet_pton(AF_INET, host, &addr.sin_addr) != 1 ||
        ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      throw std::runtime_error("connect failed");
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~Connection() { ::close(fd_); }

  // Sends a request whose body is [offset, offset+length) of file `body_fd` (length may be 0).
  Reply request(const std::string& method, const std::string& target, int body_fd,
                off_t offset, size_t length, const std::string& extra_headers = "") {
    std::string head = method + " " + target + " HTTP/1.1\r\nHost: bench\r\n" +
                       "Content-Type: application/octet-stream\r\nContent-Length: " +
                       std::to_string(length) + "\r\n" + extra_headers + auth_header() + "\r\n";
    send_all(head.data(), head.size());
    while (length > 0) {
      ssize_t n = ::sendfile(fd_, body_fd, &offset, length);
      if (n <= 0) throw std::runtime_error("sendfile failed");
      length -= static_cast<size_t>(n);
    }
    return read_reply();
  }

 private:
  void send_all(const char* p, size_t n) {
    while (n > 0) {
      ssize_t k = ::send(fd_, p, n, MSG_NOSIGNAL);
      if (k <= 0) throw std::runtime_error("send failed");
      p += k;
      n -= static_cast<size_t>(k);
    }
  }
  // Reads one response head and skips its body (Content-Length only; registries send that).
  Reply read_reply() {
    std::string data;
    char buf[4096];
    size_t end;
    while ((end = data.find("\r\n\r\n")) == std::string::npos) {
      ssize_t k = ::recv(fd_, buf, sizeof buf, 0);
      if (k <= 0) throw std::runtime_error("connection closed");
      data.append(buf, static_cast<size_t>(k));
    }
    Reply r;
    r.status = std::atoi(data.c_str() + 9);
    size_t content_length = 0;
    size_t pos = data.find("\r\n") + 2;
    while (pos < end) {
      size_t eol = data.find("\r\n", pos);
      std::string line = data.substr(pos, eol - pos);
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (auto& c : name) c = static_cast<char>(std::tolower(c));
      std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      if (name == "location") r.location = value;
      if (name == "content-length") content_length = std::strtoul(value.c_str(), nullptr, 10);
      pos = eol + 2;
    }
    size_t have = data.size() - end - 4;
    while (have < content_length) {
      ssize_t k = ::recv(fd_, buf, sizeof buf, 0);
      if (k <= 0) throw std::runtime_error("connection closed");
      have += static_cast<size_t>(k);
    }
    return r;
  }
  int fd_;
};

// Location may be absolute or a path; returns the path with `?` or `&` ready for a parameter.
std::string path_of(const std::string& location) {
  std::string path = location;
  if (path.rfind("http", 0) == 0) path = path.substr(path.find('/', path.find("//") + 2));
  return path;
}
std::string with_digest(const std::string& path, const std::string& digest) {
  return path + (path.find('?') == std::string::npos ? "?" : "&") + "digest=" + digest;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 7) {
    std::fprintf(stderr, "usage: %s HOST PORT REPO DIGEST FILE monolithic|chunked [CHUNK_MIB]\n",
                 argv[0]);
    return 2;
  }
  const char* host = argv[1];
  int port = std::atoi(argv[2]);
  std::string repo = argv[3], digest = argv[4], mode = argv[6];
  size_t chunk = (argc > 7 ? std::strtoul(argv[7], nullptr, 10) : 16) << 20;
  int fd = ::open(argv[5], O_RDONLY);
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0) return 2;
  size_t size = static_cast<size_t>(st.st_size);
  try {
    auto start = std::chrono::steady_clock::now();
    Connection c(host, port);
    Reply r = c.request("POST", "/v2/" + repo + "/blobs/uploads/", fd, 0, 0);
    if (r.status != 202) throw std::runtime_error("POST answered " + std::to_string(r.status));
    std::string path = path_of(r.location);
    if (mode == "monolithic") {
      r = c.request("PUT", with_digest(path, digest), fd, 0, size);
    } else {
      for (size_t off = 0; off < size; off += chunk) {
        size_t n = std::min(chunk, size - off);
        r = c.request("PATCH", path, fd, static_cast<off_t>(off), n,
                      "Content-Range: " + std::to_string(off) + "-" + std::to_string(off + n - 1) +
                          "\r\n");
        if (r.status != 202) throw std::runtime_error("PATCH answered " + std::to_string(r.status));
        path = path_of(r.location);
      }
      r = c.request("PUT", with_digest(path, digest), fd, 0, 0);
    }
    if (r.status != 201) throw std::runtime_error("PUT answered " + std::to_string(r.status));
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%.0f\n", static_cast<double>(size) / seconds / 1e6);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "push_client: %s\n", e.what());
    return 1;
  }
  return 0;
}
