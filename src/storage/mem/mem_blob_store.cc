#include "storage/mem/mem_blob_store.h"

#include <algorithm>
#include <map>
#include <mutex>

#include "storage/upload_id.h"

namespace bulwark::storage {

// Shared state of all handles; blobs are immutable once published.
struct MemBlobStore::Contents {
  std::mutex mu;
  std::map<std::string, std::shared_ptr<const std::string>, std::less<>> blobs;  // by digest
  std::map<std::string, std::string, std::less<>> uploads;                       // by id

  // Publishes `bytes` as blob `digest` unless it already exists (dedupe).
  void publish(const Digest& digest, std::string bytes) {
    std::lock_guard lock(mu);
    blobs.try_emplace(digest.str(), std::make_shared<const std::string>(std::move(bytes)));
  }
};

namespace {

class MemBlobReader final : public BlobReader {
 public:
  explicit MemBlobReader(std::shared_ptr<const std::string> bytes) : bytes_(std::move(bytes)) {}
  uint64_t size() const override { return bytes_->size(); }
  Result<void> seek(uint64_t offset) override {
    if (offset > bytes_->size())
      return fail(ErrorCode::kOutOfRange, "seek beyond the end of the blob");
    pos_ = static_cast<size_t>(offset);
    return ok();
  }
  Result<size_t> read(std::span<char> buf) override {
    size_t n = std::min(buf.size(), bytes_->size() - pos_);
    std::copy_n(bytes_->data() + pos_, n, buf.data());
    pos_ += n;
    return n;
  }

 private:
  std::shared_ptr<const std::string> bytes_;
  size_t pos_ = 0;
};

class MemBlobUpload final : public BlobUpload {
 public:
  MemBlobUpload(std::shared_ptr<MemBlobStore::Contents> contents, std::string id, uint64_t size)
      : contents_(std::move(contents)), id_(std::move(id)), size_(size) {}

  const std::string& id() const override { return id_; }
  uint64_t size() const override { return size_; }

  Result<void> append(std::span<const char> bytes) override {
    if (finished_) return fail(ErrorCode::kConflict, "upload already committed");
    std::lock_guard lock(contents_->mu);
    auto it = contents_->uploads.find(id_);
    if (it == contents_->uploads.end()) return fail(ErrorCode::kNotFound, "upload not found");
    it->second.append(bytes.data(), bytes.size());
    size_ = it->second.size();
    return ok();
  }

  Result<void> commit(const Digest& expected) override {
    if (finished_) return fail(ErrorCode::kConflict, "upload already committed");
    std::string bytes;
    {
      std::lock_guard lock(contents_->mu);
      auto it = contents_->uploads.find(id_);
      if (it == contents_->uploads.end()) return fail(ErrorCode::kNotFound, "upload not found");
      Digest actual = Digest::of(it->second, expected.algorithm());
      if (actual != expected) {
        return fail(ErrorCode::kDigestMismatch,
                    "upload content has digest " + actual.str() + ", not " + expected.str());
      }
      bytes = std::move(it->second);
      contents_->uploads.erase(it);
    }
    contents_->publish(expected, std::move(bytes));
    finished_ = true;
    return ok();
  }

 private:
  std::shared_ptr<MemBlobStore::Contents> contents_;
  const std::string id_;
  uint64_t size_;
  bool finished_ = false;
};

}  // namespace

MemBlobStore::MemBlobStore() : contents_(std::make_shared<Contents>()) {}
MemBlobStore::MemBlobStore(std::shared_ptr<Contents> contents) : contents_(std::move(contents)) {}

std::unique_ptr<MemBlobStore> MemBlobStore::another_handle() const {
  return std::unique_ptr<MemBlobStore>(new MemBlobStore(contents_));
}

Result<std::unique_ptr<BlobUpload>> MemBlobStore::create_upload(std::string_view id) {
  BULWARK_TRY_VOID(validate_upload_id(id));
  std::lock_guard lock(contents_->mu);
  if (!contents_->uploads.try_emplace(std::string(id)).second) {
    return fail(ErrorCode::kAlreadyExists, "upload id already in use");
  }
  return std::make_unique<MemBlobUpload>(contents_, std::string(id), 0);
}

Result<std::unique_ptr<BlobUpload>> MemBlobStore::open_upload(std::string_view id) {
  BULWARK_TRY_VOID(validate_upload_id(id));
  std::lock_guard lock(contents_->mu);
  auto it = contents_->uploads.find(id);
  if (it == contents_->uploads.end()) return fail(ErrorCode::kNotFound, "upload not found");
  return std::make_unique<MemBlobUpload>(contents_, std::string(id), it->second.size());
}

Result<uint64_t> MemBlobStore::upload_size(std::string_view id) {
  BULWARK_TRY_VOID(validate_upload_id(id));
  std::lock_guard lock(contents_->mu);
  auto it = contents_->uploads.find(id);
  if (it == contents_->uploads.end()) return fail(ErrorCode::kNotFound, "upload not found");
  return static_cast<uint64_t>(it->second.size());
}

Result<void> MemBlobStore::delete_upload(std::string_view id) {
  BULWARK_TRY_VOID(validate_upload_id(id));
  std::lock_guard lock(contents_->mu);
  if (auto it = contents_->uploads.find(id); it != contents_->uploads.end()) {
    contents_->uploads.erase(it);
  }
  return ok();
}

Result<std::vector<std::string>> MemBlobStore::list_uploads() {
  std::lock_guard lock(contents_->mu);
  std::vector<std::string> ids;
  for (const auto& [id, bytes] : contents_->uploads) ids.push_back(id);
  return ids;
}

Result<BlobInfo> MemBlobStore::stat(const Digest& digest) {
  std::lock_guard lock(contents_->mu);
  auto it = contents_->blobs.find(digest.str());
  if (it == contents_->blobs.end()) return fail(ErrorCode::kNotFound, "blob not found");
  return BlobInfo{it->second->size()};
}

Result<std::unique_ptr<BlobReader>> MemBlobStore::open(const Digest& digest) {
  std::lock_guard lock(contents_->mu);
  auto it = contents_->blobs.find(digest.str());
  if (it == contents_->blobs.end()) return fail(ErrorCode::kNotFound, "blob not found");
  return std::make_unique<MemBlobReader>(it->second);
}

Result<void> MemBlobStore::put(const Digest& digest, std::string_view bytes) {
  if (Digest::of(bytes, digest.algorithm()) != digest) {
    return fail(ErrorCode::kDigestMismatch, "content does not match digest " + digest.str());
  }
  contents_->publish(digest, std::string(bytes));
  return ok();
}

Result<void> MemBlobStore::remove(const Digest& digest) {
  std::lock_guard lock(contents_->mu);
  if (auto it = contents_->blobs.find(digest.str()); it != contents_->blobs.end()) {
    contents_->blobs.erase(it);
  }
  return ok();
}

}  // namespace bulwark::storage
