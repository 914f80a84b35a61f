#include "common/shared_counter.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace bulwark {
namespace {

constexpr size_t kFileBytes = sizeof(uint64_t);

std::string errno_text() { return std::strerror(errno); }

}  // namespace

Result<std::unique_ptr<SharedCounter>> SharedCounter::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return fail(ErrorCode::kIo, "cannot open " + path + ": " + errno_text());
  struct stat st {};
  if (::fstat(fd, &st) != 0 ||
      (static_cast<size_t>(st.st_size) < kFileBytes && ::ftruncate(fd, kFileBytes) != 0)) {
    std::string why = errno_text();
    ::close(fd);
    return fail(ErrorCode::kIo, "cannot size " + path + ": " + why);
  }
  void* map = ::mmap(nullptr, kFileBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  std::string why = errno_text();
  ::close(fd);  // the mapping keeps the file referenced
  if (map == MAP_FAILED) return fail(ErrorCode::kIo, "cannot map " + path + ": " + why);
  return std::unique_ptr<SharedCounter>(new SharedCounter(static_cast<uint64_t*>(map)));
}

SharedCounter::~SharedCounter() { ::munmap(word_, kFileBytes); }

uint64_t SharedCounter::load() const {
  return std::atomic_ref<uint64_t>(*word_).load(std::memory_order_acquire);
}

uint64_t SharedCounter::increment() {
  return std::atomic_ref<uint64_t>(*word_).fetch_add(1, std::memory_order_acq_rel) + 1;
}

}  // namespace bulwark
