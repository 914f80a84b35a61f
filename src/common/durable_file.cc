#include "common/durable_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/random.h"

namespace bulwark {

Result<void> write_durable_file(const std::filesystem::path& file, std::string_view bytes,
                                mode_t mode, KeyFileWrite how) {
  std::filesystem::path temp = file;
  temp += ".tmp-" + random_hex(8);
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) {
    return fail(ErrorCode::kIo, "cannot create " + temp.string() + ": " + std::strerror(errno));
  }
  bool written = ::fchmod(fd, mode) == 0;  // the umask may have narrowed the mode
  for (size_t done = 0; written && done < bytes.size();) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    written = n > 0;
    if (written) done += static_cast<size_t>(n);
  }
  written = written && ::fsync(fd) == 0;
  written = ::close(fd) == 0 && written;
  int published = -1;
  if (written) {
    published = how == KeyFileWrite::kReplace ? ::rename(temp.c_str(), file.c_str())
                                              : ::link(temp.c_str(), file.c_str());
  }
  int error = errno;
  // After link() and after any failure the temporary name is still there.
  if (how == KeyFileWrite::kCreateNew || published != 0) ::unlink(temp.c_str());
  if (published != 0) {
    if (written && error == EEXIST && how == KeyFileWrite::kCreateNew) {
      return fail(ErrorCode::kAlreadyExists, file.string() + " exists");
    }
    return fail(ErrorCode::kIo, "cannot write " + file.string() + ": " + std::strerror(error));
  }
  std::filesystem::path dir = file.parent_path().empty() ? "." : file.parent_path();
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return ok();
}

}  // namespace bulwark
