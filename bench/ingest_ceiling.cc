// ingest_ceiling: what this machine allows a durable, verified push, measured without a registry.
//
// The sender is push_client's transport (sendfile(2) over loopback TCP). The receiver does only
// what every push needs, on dedicated threads with a ring of the registry's own 2 MiB huge-page
// buffers (common/io_buffer_pool.h): one reads the socket,
// one hashes every byte with SHA-256 (OpenSSL EVP, as the registry does), one writes each buffer
// with O_DIRECT; the file is fsynced at the end. No HTTP, no metadata, no event loop.
//
// It prints the best MB/s (10^6 bytes/s) of RUNS for each combination of stages, so that the
// registry's figure can be set against the machine's own ceiling for the same work:
//   socket            read only
//   socket+sha256     read and hash
//   socket+write      read and write durably
//   socket+sha256+write   everything a push does (the ceiling)
// and, for the best run of the last, where the CPU went: the time each thread used (user and
// system, including the kernel's loopback work done in its context) against its wall time:
//   cpu send MS receive MS hash MS write MS wall MS
// Usage: ingest_ceiling FILE DIR [RUNS]   (FILE is sent; DIR receives a scratch file)
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/io_buffer_pool.h"

namespace {

constexpr size_t kChunk = bulwark::IoBuffer::size();
constexpr size_t kRing = 4;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "ingest_ceiling: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(1);
}

// CPU time the calling thread has used so far, in milliseconds.
double thread_cpu_ms() {
  rusage r{};
  ::getrusage(RUSAGE_THREAD, &r);
  auto ms = [](const timeval& t) { return static_cast<double>(t.tv_sec) * 1e3 + t.tv_usec / 1e3; };
  return ms(r.ru_utime) + ms(r.ru_stime);
}

// One transfer's rate, and the CPU time each of its threads used (0 for an absent stage).
struct Transfer {
  double mbps = 0;
  double wall_ms = 0;
  double send_ms = 0;
  double receive_ms = 0;
  double hash_ms = 0;
  double write_ms = 0;
};

struct Stages {
  const char* name;
  bool hash;
  bool write;
};

// A ring of aligned buffers passed from the reader to the consumers (hasher and/or writer); a
// buffer is reused once every consumer is done with it. Thread-safe.
class Ring {
 public:
  explicit Ring(int consumers) : consumers_(consumers) {}
  // Reader: the next free buffer (blocks while all are in use).
  char* acquire() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return produced_ - released_ < kRing; });
    return buffers_[produced_ % kRing].memory.data();
  }
  // Reader: hands the buffer from acquire() over with `length` bytes (0 ends the stream).
  void publish(size_t length) {
    std::lock_guard lock(mu_);
    Buffer& b = buffers_[produced_ % kRing];
    b.length = length;
    b.pending = consumers_;
    ++produced_;
    cv_.notify_all();
  }
  // Consumer: the `index`-th buffer of the stream once published.
  std::pair<const char*, size_t> get(size_t index) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return index < produced_; });
    const Buffer& b = buffers_[index % kRing];
    return {b.memory.data(), b.length};
  }
  // Consumer: done with the `index`-th buffer.
  void done(size_t index) {
    std::lock_guard lock(mu_);
    --buffers_[index % kRing].pending;
    while (released_ < produced_ && buffers_[released_ % kRing].pending == 0) ++released_;
    cv_.notify_all();
  }

 private:
  struct Buffer {
    bulwark::IoBuffer memory;
    size_t length = 0;
    int pending = 0;
  };
  const int consumers_;
  std::mutex mu_;
  std::condition_variable cv_;
  Buffer buffers_[kRing];
  size_t produced_ = 0;  // guarded by mu_
  size_t released_ = 0;  // guarded by mu_
};

// One transfer of `file` (size `size`) through the given stages.
Transfer transfer(int file, uint64_t size, const std::string& scratch, const Stages& stages) {
  Transfer result;
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener, 1) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    die("listen");
  }
  std::thread sender([&] {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0 || ::connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) die("connect");
    double cpu = thread_cpu_ms();
    off_t offset = 0;
    while (static_cast<uint64_t>(offset) < size) {
      if (::sendfile(s, file, &offset, size - static_cast<uint64_t>(offset)) <= 0) die("sendfile");
    }
    result.send_ms = thread_cpu_ms() - cpu;
    char ack;
    if (::recv(s, &ack, 1, 0) != 1) die("ack");
    ::close(s);
  });
  int conn = ::accept(listener, nullptr, nullptr);
  if (conn < 0) die("accept");
  auto start = std::chrono::steady_clock::now();

  int out = -1;
  if (stages.write) {
    out = ::open(scratch.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT | O_CLOEXEC, 0600);
    if (out < 0) die("open scratch file with O_DIRECT");
  }
  EVP_MD_CTX* sha = EVP_MD_CTX_new();
  EVP_DigestInit_ex(sha, EVP_sha256(), nullptr);
  Ring ring(static_cast<int>(stages.hash) + static_cast<int>(stages.write));
  // Each consumer walks the stream's buffers in order until the empty one that ends it.
  auto consume = [&ring](double& cpu_ms, auto&& use) {
    double cpu = thread_cpu_ms();
    for (size_t i = 0;; ++i) {
      auto [data, length] = ring.get(i);
      if (length > 0) use(data, length);
      ring.done(i);
      if (length == 0) break;
    }
    cpu_ms = thread_cpu_ms() - cpu;
  };
  std::vector<std::thread> consumers;
  if (stages.hash) {
    consumers.emplace_back([&] {
      consume(result.hash_ms, [&](const char* p, size_t n) { EVP_DigestUpdate(sha, p, n); });
    });
  }
  if (stages.write) {
    consumers.emplace_back([&] {
      uint64_t at = 0;
      consume(result.write_ms, [&](const char* p, size_t n) {
        // O_DIRECT needs whole blocks: the last partial buffer goes through a plain descriptor.
        int fd = n % 4096 == 0 ? out : ::open(scratch.c_str(), O_WRONLY | O_CLOEXEC);
        if (::pwrite(fd, p, n, static_cast<off_t>(at)) != static_cast<ssize_t>(n)) die("pwrite");
        if (fd != out) ::close(fd);
        at += n;
      });
    });
  }
  std::vector<char> sink(consumers.empty() ? kChunk : 0);
  uint64_t received = 0;
  double receive_cpu = thread_cpu_ms();
  for (;;) {
    char* buf = consumers.empty() ? sink.data() : ring.acquire();
    size_t filled = 0;
    while (filled < kChunk && received + filled < size) {
      ssize_t n = ::recv(conn, buf + filled, kChunk - filled, 0);
      if (n <= 0) die("recv");
      filled += static_cast<size_t>(n);
    }
    received += filled;
    if (!consumers.empty()) ring.publish(filled);
    if (filled == 0) break;
  }
  result.receive_ms = thread_cpu_ms() - receive_cpu;
  for (auto& t : consumers) t.join();
  if (out >= 0 && ::fsync(out) != 0) die("fsync");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  EVP_DigestFinal_ex(sha, digest, &digest_len);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (::send(conn, "k", 1, MSG_NOSIGNAL) != 1) die("send ack");
  sender.join();
  ::close(conn);
  ::close(listener);
  if (out >= 0) ::close(out);
  EVP_MD_CTX_free(sha);
  result.mbps = static_cast<double>(size) / seconds / 1e6;
  result.wall_ms = seconds * 1e3;
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s FILE DIR [RUNS]\n", argv[0]);
    return 2;
  }
  int file = ::open(argv[1], O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (file < 0 || ::fstat(file, &st) != 0) die("open FILE");
  std::string scratch = std::string(argv[2]) + "/ingest_ceiling.scratch";
  int runs = argc > 3 ? std::max(1, std::atoi(argv[3])) : 3;
  static constexpr Stages kStages[] = {
      {"socket", false, false},
      {"socket+sha256", true, false},
      {"socket+write", false, true},
      {"socket+sha256+write", true, true},
  };
  // Each write run gets its own scratch file, removed only at the end: freeing a file's blocks
  // (discard) must not slow the next run down.
  std::vector<std::string> scratch_files;
  Transfer best;
  for (const Stages& stages : kStages) {
    best = Transfer{};
    for (int i = 0; i < runs; ++i) {
      scratch_files.push_back(scratch + "." + std::to_string(scratch_files.size()));
      Transfer t = transfer(file, static_cast<uint64_t>(st.st_size), scratch_files.back(), stages);
      if (t.mbps > best.mbps) best = t;
    }
    std::printf("%s %.0f\n", stages.name, best.mbps);
  }
  std::printf("cpu send %.0f receive %.0f hash %.0f write %.0f wall %.0f\n", best.send_ms,
              best.receive_ms, best.hash_ms, best.write_ms, best.wall_ms);
  for (const auto& path : scratch_files) ::unlink(path.c_str());
  return 0;
}
