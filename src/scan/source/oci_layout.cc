// oci:DIR[:TAG] — an OCI image layout directory.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/strict_json.h"
#include "scan/source/internal.h"

namespace bulwark::scan {
namespace {

namespace fs = std::filesystem;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

class FileStream final : public ByteStream {
 public:
  explicit FileStream(int fd) : fd_(fd) {}
  Result<size_t> read(std::span<char> buf) override {
    while (true) {
      ssize_t n = ::read(fd_.get(), buf.data(), buf.size());
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR) return fail(ErrorCode::kIo, "reading a layout blob failed");
    }
  }

 private:
  Fd fd_;
};

// The files of a layout directory. Every path must resolve (symbolic links included) inside it.
class DirectoryFiles final : public source::LayoutFiles {
 public:
  explicit DirectoryFiles(fs::path root) : root_(std::move(root)) {}

  Result<std::string> read(const std::string& path, uint64_t max_bytes) override {
    BULWARK_ASSIGN_OR_RETURN(int fd, open_fd(path));
    Fd owner(fd);
    struct stat st {};
    if (::fstat(fd, &st) != 0) return fail(ErrorCode::kIo, "cannot stat " + path);
    if (static_cast<uint64_t>(st.st_size) > max_bytes) {
      return fail(ErrorCode::kTooLarge, path + " is larger than " + std::to_string(max_bytes) +
                                            " bytes");
    }
    std::string out(static_cast<size_t>(st.st_size), '\0');
    size_t done = 0;
    while (done < out.size()) {
      ssize_t n = ::read(fd, out.data() + done, out.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return fail(ErrorCode::kIo, "reading " + path + " failed");
      done += static_cast<size_t>(n);
    }
    return out;
  }

  Result<std::unique_ptr<ByteStream>> open(const std::string& path) override {
    BULWARK_ASSIGN_OR_RETURN(int fd, open_fd(path));
    return std::unique_ptr<ByteStream>(std::make_unique<FileStream>(fd));
  }

 private:
  Result<int> open_fd(const std::string& path) {
    std::error_code ec;
    fs::path real = fs::canonical(root_ / path, ec);
    if (ec) {
      return fail(ec == std::errc::no_such_file_or_directory ? ErrorCode::kNotFound : ErrorCode::kIo,
                  "the layout has no readable " + path);
    }
    std::string prefix = root_.string() + "/";
    if (!real.string().starts_with(prefix)) {
      return fail(ErrorCode::kInvalidArgument, path + " leads outside the layout directory");
    }
    int fd = ::open(real.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return fail(ErrorCode::kIo, "cannot open " + path + " in the layout");
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      return fail(ErrorCode::kInvalidArgument, path + " in the layout is not a regular file");
    }
    return fd;
  }

  fs::path root_;  // canonical
};

}  // namespace

Result<std::vector<Image>> open_oci_layout_images(std::string_view rest, const std::string& name,
                                                  const SourceOptions& options) {
  // As skopeo splits it: the directory ends at the first ':'.
  size_t colon = rest.find(':');
  std::string_view dir = rest.substr(0, colon);
  std::string_view tag = colon == std::string_view::npos ? "" : rest.substr(colon + 1);
  if (dir.empty()) return fail(ErrorCode::kInvalidArgument, "oci: reference without a directory");
  if (colon != std::string_view::npos && tag.empty()) {
    return fail(ErrorCode::kInvalidArgument, "oci: reference with an empty tag");
  }
  std::error_code ec;
  fs::path root = fs::canonical(fs::path(dir), ec);
  if (ec || !fs::is_directory(root, ec)) {
    return fail(ErrorCode::kNotFound, "no OCI layout directory at " + quote_untrusted(dir));
  }
  return source::open_layout(std::make_shared<DirectoryFiles>(root), tag, name, options.platform);
}

}  // namespace bulwark::scan
