#include "storage/fs/fs_blob_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

#include "common/offload_thread.h"
#include "common/random.h"
#include "storage/upload_id.h"

namespace bulwark::storage {
namespace {

constexpr size_t kIoBufferSize = 1 << 20;      // bounded memory whatever the blob size
constexpr uint64_t kDirectIoAlignment = 4096;  // O_DIRECT offset/length/address alignment
constexpr mode_t kFileMode = 0640;
constexpr mode_t kDirMode = 0750;

// Errors carry the operation and errno text, never the path (messages may reach clients).
Error errno_error(std::string_view what, int err = errno) {
  return Error{ErrorCode::kIo, std::string(what) + ": " + std::strerror(err)};
}

// Owns a file descriptor.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  ~UniqueFd() { reset(); }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// open(2) retrying on EINTR; returns -1 with errno set on failure.
int open_retry(const std::string& path, int flags) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, kFileMode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

// pwrite(2) of all of `bytes` at `offset`, retrying on EINTR and short writes.
Result<void> pwrite_all(int fd, std::span<const char> bytes, uint64_t offset) {
  while (!bytes.empty()) {
    ssize_t n = ::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(errno_error("pwrite"));
    }
    bytes = bytes.subspan(static_cast<size_t>(n));
    offset += static_cast<uint64_t>(n);
  }
  return ok();
}

// True when a write of `bytes` at `offset` meets O_DIRECT's alignment rules.
bool direct_io_aligned(std::span<const char> bytes, uint64_t offset) {
  auto aligned = [](uint64_t v) { return v % kDirectIoAlignment == 0; };
  return aligned(offset) && aligned(bytes.size()) &&
         aligned(reinterpret_cast<uintptr_t>(bytes.data()));
}

// Reads up to buf.size() bytes at `offset`; 0 at end of file.
Result<size_t> pread_some(int fd, std::span<char> buf, uint64_t offset) {
  for (;;) {
    ssize_t n = ::pread(fd, buf.data(), buf.size(), static_cast<off_t>(offset));
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) return fail(errno_error("read"));
  }
}

Result<void> fsync_fd(int fd) {
  if (::fsync(fd) != 0) return fail(errno_error("fsync"));
  return ok();
}

// Makes the entries of directory `dir` (creations, renames, unlinks) durable.
Result<void> fsync_dir(const std::string& dir) {
  UniqueFd fd(open_retry(dir, O_RDONLY | O_DIRECTORY));
  if (fd.get() < 0) return fail(errno_error("open directory"));
  return fsync_fd(fd.get());
}

// Hashes the first `size` bytes of `fd`.
Result<Hasher> hash_file(int fd, DigestAlgorithm algorithm, uint64_t size) {
  Hasher hasher(algorithm);
  std::vector<char> buf(kIoBufferSize);
  uint64_t offset = 0;
  while (offset < size) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), size - offset));
    BULWARK_ASSIGN_OR_RETURN(size_t n, pread_some(fd, std::span<char>(buf.data(), want), offset));
    if (n == 0) return fail(ErrorCode::kCorrupt, "staged upload shrank while being hashed");
    hasher.update(std::span<const char>(buf.data(), n));
    offset += n;
  }
  return hasher;
}

Result<uint64_t> file_size(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail(errno_error("stat"));
  return static_cast<uint64_t>(st.st_size);
}

// Creates `dir` if missing; returns whether it was created.
Result<bool> make_dir(const std::string& dir) {
  if (::mkdir(dir.c_str(), kDirMode) == 0) return true;
  if (errno == EEXIST) return false;
  return fail(errno_error("create directory"));
}

std::string parent_of(const std::string& path) { return path.substr(0, path.rfind('/')); }

class FsBlobReader final : public BlobReader {
 public:
  FsBlobReader(UniqueFd fd, uint64_t size) : fd_(std::move(fd)), size_(size) {}
  uint64_t size() const override { return size_; }
  Result<void> seek(uint64_t offset) override {
    if (offset > size_) return fail(ErrorCode::kOutOfRange, "seek beyond the end of the blob");
    pos_ = offset;
    return ok();
  }
  Result<size_t> read(std::span<char> buf) override {
    size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), size_ - pos_));
    if (want == 0) return size_t{0};
    BULWARK_ASSIGN_OR_RETURN(size_t n, pread_some(fd_.get(), buf.first(want), pos_));
    pos_ += n;
    return n;
  }
  int native_fd() const override { return fd_.get(); }

 private:
  UniqueFd fd_;
  uint64_t size_;
  uint64_t pos_ = 0;
};

}  // namespace

// The running hash of one staged upload, shared by the requests that append to it: chunks are
// hashed on its own thread in the order they were stored, possibly after the request that stored
// them has answered. `queued` counts the bytes handed to it, so whether it covers the staged file
// is known without waiting. Thread-safety: `hasher` belongs to `thread` (read it after a wait);
// `queued` is written by the one handle using the lane and read by the store when it takes the
// lane over, which the store's mutex orders.
struct HashLane {
  explicit HashLane(Hasher start) : hasher(std::move(start)), queued(hasher.size()) {}
  Hasher hasher;
  uint64_t queued;
  // Declared last: joined (after its tasks) before `hasher` goes. It outlives the pause between a
  // chunked push's PATCHes; a session left idle holds no thread after a few seconds.
  OffloadThread thread{std::chrono::seconds(2)};
};

// One request's handle on a staged upload. On destruction it hands the upload's hash lane back to
// the store, still running if need be, so that the next request continues where this one stopped.
class FsBlobUpload final : public BlobUpload {
 public:
  FsBlobUpload(FsBlobStore& store, std::string id, std::string path, UniqueFd fd,
               std::shared_ptr<HashLane> lane)
      : store_(store),
        id_(std::move(id)),
        path_(std::move(path)),
        fd_(std::move(fd)),
        lane_(std::move(lane)),
        stored_(lane_->queued) {}
  ~FsBlobUpload() override {
    if (!finished_ && !broken_) store_.save_hash_lane(id_, std::move(lane_));
  }

  const std::string& id() const override { return id_; }
  uint64_t size() const override { return stored_; }

  Result<void> append(std::span<const char> bytes) override {
    return append_overlapped(bytes, nullptr, 0);
  }

  // The lane hashes this chunk while this thread writes it (and the next ones, up to `lag`).
  Result<void> append_overlapped(std::span<const char> bytes, std::shared_ptr<const void> owner,
                                 size_t lag) override {
    BULWARK_TRY_VOID(usable());
    uint64_t offset = stored_;
    lane_->queued += bytes.size();
    lane_->thread.run(
        [lane = lane_.get(), bytes, owner = std::move(owner)] { lane->hasher.update(bytes); });
    auto written = write_at(bytes, offset);
    if (!written) {
      // The lane took a chunk the file does not hold: cut the file back to its whole chunks and
      // let a reopen recompute the hash from them.
      wait_for_hashes();
      (void)::ftruncate(fd_.get(), static_cast<off_t>(offset));
      broken_ = true;
      return written;
    }
    stored_ += bytes.size();
    try {
      lane_->thread.wait_until_at_most(lag);
    } catch (const std::exception& e) {
      broken_ = true;
      return fail(ErrorCode::kInternal, std::string("hashing failed: ") + e.what());
    }
    return ok();
  }

  Result<void> commit(const Digest& expected) override {
    BULWARK_TRY_VOID(usable());
    wait_for_hashes();
    BULWARK_TRY_VOID(usable());
    const Hasher& hasher = lane_->hasher;
    if (hasher.size() != stored_) {
      return fail(ErrorCode::kInternal, "upload hash does not cover the staged bytes");
    }
    Digest actual;
    if (expected.algorithm() == hasher.algorithm()) {
      actual = hasher.snapshot().finish();
    } else {
      BULWARK_ASSIGN_OR_RETURN(Hasher rehash, hash_file(fd_.get(), expected.algorithm(), stored_));
      actual = rehash.finish();
    }
    if (actual != expected) {
      return fail(ErrorCode::kDigestMismatch,
                  "upload content has digest " + actual.str() + ", not " + expected.str());
    }
    BULWARK_TRY_VOID(fsync_fd(fd_.get()));
    BULWARK_TRY_VOID(store_.publish(path_, store_.uploads_dir_, expected));
    // Both descriptors close here, on the caller's (worker) thread: when the blob already
    // existed the staged copy was unlinked, and the last close frees its blocks, which takes
    // milliseconds per 100 MiB; the handle itself may be destroyed on an event-loop thread.
    fd_.reset();
    direct_fd_.reset();
    finished_ = true;
    return ok();
  }

 private:
  // Aligned chunks (the registry's full 2 MiB buffers) go to the disk with O_DIRECT: no copy into
  // the page cache, which is the dominant cost of a push, and nothing left for commit's fsync.
  // Anything else (odd-sized chunks, filesystems without O_DIRECT such as tmpfs) is written
  // through the page cache, with writeback started at once. Linux keeps the two coherent.
  Result<void> write_at(std::span<const char> bytes, uint64_t offset) {
    if (direct_io_aligned(bytes, offset)) {
      if (!direct_fd_tried_) {
        direct_fd_tried_ = true;
        direct_fd_ = UniqueFd(open_retry(path_, O_WRONLY | O_DIRECT));
      }
      if (direct_fd_.get() >= 0 && pwrite_all(direct_fd_.get(), bytes, offset)) return ok();
    }
    BULWARK_TRY_VOID(pwrite_all(fd_.get(), bytes, offset));
    ::sync_file_range(fd_.get(), static_cast<off_t>(offset), static_cast<off_t>(bytes.size()),
                      SYNC_FILE_RANGE_WRITE);
    return ok();
  }

  // Waits until the lane has hashed everything handed to it.
  void wait_for_hashes() {
    try {
      lane_->thread.wait();
    } catch (...) {
      broken_ = true;  // the hash is unknown: a reopen recomputes it
    }
  }

  Result<void> usable() const {
    if (finished_) return fail(ErrorCode::kConflict, "upload already committed");
    if (broken_) return fail(ErrorCode::kIo, "upload failed earlier; reopen it to continue");
    return ok();
  }

  FsBlobStore& store_;
  const std::string id_;
  const std::string path_;
  UniqueFd fd_;
  UniqueFd direct_fd_;  // O_DIRECT handle on the same file, opened on first aligned append
  bool direct_fd_tried_ = false;
  std::shared_ptr<HashLane> lane_;  // hashes what this handle (and earlier ones) stored
  uint64_t stored_;                 // bytes in the staged file
  bool finished_ = false;
  bool broken_ = false;
};

FsBlobStore::FsBlobStore(std::string root)
    : root_(std::move(root)), uploads_dir_(root_ + "/uploads"), tmp_dir_(root_ + "/tmp") {}

Result<std::unique_ptr<FsBlobStore>> FsBlobStore::open(std::string root) {
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  if (root.empty()) return fail(ErrorCode::kInvalidArgument, "blob store root must not be empty");
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (ec) return fail(ErrorCode::kIo, "cannot create blob store root: " + ec.message());
  std::unique_ptr<FsBlobStore> store(new FsBlobStore(std::move(root)));
  std::vector<std::string> dirs = {store->uploads_dir_, store->tmp_dir_};
  for (DigestAlgorithm algorithm : {DigestAlgorithm::kSha256, DigestAlgorithm::kSha512}) {
    dirs.push_back(store->root_ + "/" + std::string(algorithm_name(algorithm)));
  }
  for (const auto& dir : dirs) BULWARK_TRY_VOID(make_dir(dir));
  return store;
}

std::string FsBlobStore::blob_path(const Digest& digest) const {
  return root_ + "/" + std::string(algorithm_name(digest.algorithm())) + "/" +
         digest.hex().substr(0, 2) + "/" + digest.hex();
}

std::string FsBlobStore::upload_path(std::string_view id) const {
  return uploads_dir_ + "/" + std::string(id);
}

void FsBlobStore::save_hash_lane(const std::string& id, std::shared_ptr<HashLane> lane) {
  std::lock_guard lock(mu_);
  hash_lanes_.insert_or_assign(id, std::move(lane));
}

std::shared_ptr<HashLane> FsBlobStore::take_hash_lane(const std::string& id) {
  std::shared_ptr<HashLane> out;
  {
    std::lock_guard lock(mu_);
    auto it = hash_lanes_.find(id);
    if (it == hash_lanes_.end()) return nullptr;
    out = std::move(it->second);
    hash_lanes_.erase(it);
  }
  return out;
}

Result<std::unique_ptr<BlobUpload>> FsBlobStore::create_upload(std::string_view id) {
  BULWARK_TRY_VOID(validate_upload_id(id));
  std::string path = upload_path(id);
  UniqueFd fd(open_retry(path, O_RDWR | O_CREAT | O_EXCL));
  if (fd.get() < 0) {
    if (errno == EEXIST) return fail(ErrorCode::kAlreadyExists, "upload id already in use");
    return fail(errno_error("create upload"));
  }
  take_hash_lane(std::string(id));  // a stale state must never meet fresh bytes
  return std::make_unique<FsBlobUpload>(*this, std::string(id), std::move(path), std::move(fd),
                                        std::make_shared<HashLane>(Hasher()));
}

Result<uint64_t> FsBlobStore::upload_size(std::string_view id) {
  BULWARK_TRY_VOID(validate_upload_id(id));
  struct stat st {};
  if (::stat(upload_path(id).c_str(), &st) != 0) {
    if (errno == ENOENT) return fail(ErrorCode::kNotFound, "upload not found");
    return fail(errno_error("stat upload"));
  }
  return static_cast<uint64_t>(st.st_size);
}

Result<std::unique_ptr<BlobUpload>> FsBlobStore::open_upload(std::string_view id) {
  BULWARK_TRY_VOID(validate_upload_id(id));
  std::string path = upload_path(id);
  UniqueFd fd(open_retry(path, O_RDWR));
  if (fd.get() < 0) {
    if (errno == ENOENT) return fail(ErrorCode::kNotFound, "upload not found");
    return fail(errno_error("open upload"));
  }
  BULWARK_ASSIGN_OR_RETURN(uint64_t size, file_size(fd.get()));
  std::shared_ptr<HashLane> lane = take_hash_lane(std::string(id));
  if (!lane || lane->queued != size) {
    BULWARK_ASSIGN_OR_RETURN(Hasher recomputed,
                             hash_file(fd.get(), DigestAlgorithm::kSha256, size));
    lane = std::make_shared<HashLane>(std::move(recomputed));
  }
  return std::make_unique<FsBlobUpload>(*this, std::string(id), std::move(path), std::move(fd),
                                        std::move(lane));
}

Result<void> FsBlobStore::delete_upload(std::string_view id) {
  BULWARK_TRY_VOID(validate_upload_id(id));
  take_hash_lane(std::string(id));
  if (::unlink(upload_path(id).c_str()) != 0 && errno != ENOENT) {
    return fail(errno_error("delete upload"));
  }
  return ok();
}

Result<std::vector<std::string>> FsBlobStore::list_uploads() {
  std::vector<std::string> ids;
  std::error_code ec;
  std::filesystem::directory_iterator it(uploads_dir_, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (validate_upload_id(name)) ids.push_back(std::move(name));
  }
  if (ec) return fail(ErrorCode::kIo, "list uploads: " + ec.message());
  std::sort(ids.begin(), ids.end());
  return ids;
}

Result<BlobInfo> FsBlobStore::stat(const Digest& digest) {
  struct stat st {};
  if (::stat(blob_path(digest).c_str(), &st) != 0) {
    if (errno == ENOENT) return fail(ErrorCode::kNotFound, "blob not found");
    return fail(errno_error("stat blob"));
  }
  return BlobInfo{static_cast<uint64_t>(st.st_size)};
}

Result<std::unique_ptr<BlobReader>> FsBlobStore::open(const Digest& digest) {
  UniqueFd fd(open_retry(blob_path(digest), O_RDONLY));
  if (fd.get() < 0) {
    if (errno == ENOENT) return fail(ErrorCode::kNotFound, "blob not found");
    return fail(errno_error("open blob"));
  }
  BULWARK_ASSIGN_OR_RETURN(uint64_t size, file_size(fd.get()));
  return std::make_unique<FsBlobReader>(std::move(fd), size);
}

Result<void> FsBlobStore::put(const Digest& digest, std::string_view bytes) {
  if (Digest::of(bytes, digest.algorithm()) != digest) {
    return fail(ErrorCode::kDigestMismatch, "content does not match digest " + digest.str());
  }
  // Content-addressed: a published blob of this digest already holds these bytes (and was
  // fsynced when it was published), so there is nothing to write.
  struct stat existing {};
  if (::stat(blob_path(digest).c_str(), &existing) == 0 &&
      static_cast<uint64_t>(existing.st_size) == bytes.size()) {
    return ok();
  }
  std::string tmp = tmp_dir_ + "/" + random_hex(16);
  {
    UniqueFd fd(open_retry(tmp, O_WRONLY | O_CREAT | O_EXCL));
    if (fd.get() < 0) return fail(errno_error("create temp file"));
    auto written = pwrite_all(fd.get(), std::span<const char>(bytes.data(), bytes.size()), 0);
    if (written) written = fsync_fd(fd.get());
    if (!written) {
      ::unlink(tmp.c_str());
      return written;
    }
  }
  return publish(tmp, tmp_dir_, digest);
}

Result<void> FsBlobStore::publish(const std::string& staged, const std::string& staged_dir,
                                  const Digest& digest) {
  std::string dest = blob_path(digest);
  std::string fanout = parent_of(dest);
  BULWARK_ASSIGN_OR_RETURN(bool created, make_dir(fanout));
  if (created) BULWARK_TRY_VOID(fsync_dir(parent_of(fanout)));
  struct stat st {};
  if (::stat(dest.c_str(), &st) == 0) {
    // Deduplicated: identical content is already published.
    if (::unlink(staged.c_str()) != 0 && errno != ENOENT) return fail(errno_error("delete upload"));
  } else {
    if (::rename(staged.c_str(), dest.c_str()) != 0) {
      if (errno == ENOENT) return fail(ErrorCode::kNotFound, "upload vanished before commit");
      return fail(errno_error("publish blob"));
    }
    BULWARK_TRY_VOID(fsync_dir(fanout));
  }
  return fsync_dir(staged_dir);
}

Result<void> FsBlobStore::remove(const Digest& digest) {
  if (::unlink(blob_path(digest).c_str()) != 0 && errno != ENOENT) {
    return fail(errno_error("delete blob"));
  }
  return ok();
}

}  // namespace bulwark::storage
