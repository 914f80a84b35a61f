// MemBlobStore: an in-memory BlobStore for tests of the layers above storage.
//
// Same observable semantics as the durable backends (verified commit, dedupe, kept upload on
// digest mismatch, id validation) without persistence. Handles made with another_handle() share
// the contents, which lets tests simulate a process restart against the same "disk".
//
// Thread-safety: as BlobStore. Readers keep the bytes they opened even if the blob is removed.
#pragma once

#include <memory>

#include "storage/blob_store.h"

namespace bulwark::storage {

class MemBlobStore final : public BlobStore {
 public:
  MemBlobStore();
  // A new store object over the same contents (like reopening a directory after a restart).
  std::unique_ptr<MemBlobStore> another_handle() const;

  Result<std::unique_ptr<BlobUpload>> create_upload(std::string_view id) override;
  Result<std::unique_ptr<BlobUpload>> open_upload(std::string_view id) override;
  Result<uint64_t> upload_size(std::string_view id) override;
  Result<void> delete_upload(std::string_view id) override;
  Result<std::vector<std::string>> list_uploads() override;

  Result<BlobInfo> stat(const Digest& digest) override;
  Result<std::unique_ptr<BlobReader>> open(const Digest& digest) override;
  Result<void> put(const Digest& digest, std::string_view bytes) override;
  Result<void> remove(const Digest& digest) override;

  struct Contents;

 private:
  explicit MemBlobStore(std::shared_ptr<Contents> contents);
  std::shared_ptr<Contents> contents_;
};

}  // namespace bulwark::storage
