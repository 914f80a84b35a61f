// FsBlobStore: the embedded BlobStore on a local POSIX filesystem.
//
// Layout under the root directory:
//   <root>/sha256/<first 2 hex>/<hex>   published blobs (likewise sha512/)
//   <root>/uploads/<id>                 staged bytes of an upload in progress
//   <root>/tmp/<random>                 temporary files of put()
// Blobs are content-addressed and deduplicated. Bytes reach a blob path only by rename(2) of a
// complete, verified and fsynced file, so a partial blob is never visible. The running sha256 of
// each upload is kept in memory between requests (so a resumed upload is not reread), on a lane
// that may still be hashing one request's last chunks while the next request writes; after a
// restart, or when the staged size no longer matches the saved state, it is recomputed from the
// staged file. Memory use does not depend on blob size (hashing reads 1 MiB at a time).
//
// Thread-safety: as BlobStore. REQUIRES: the store outlives the uploads and readers it returns.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "storage/blob_store.h"

namespace bulwark::storage {

struct HashLane;

class FsBlobStore final : public BlobStore {
 public:
  // Opens (creating directories as needed) the store rooted at `root`.
  static Result<std::unique_ptr<FsBlobStore>> open(std::string root);

  Result<std::unique_ptr<BlobUpload>> create_upload(std::string_view id) override;
  Result<std::unique_ptr<BlobUpload>> open_upload(std::string_view id) override;
  Result<uint64_t> upload_size(std::string_view id) override;
  Result<void> delete_upload(std::string_view id) override;
  Result<std::vector<std::string>> list_uploads() override;

  Result<BlobInfo> stat(const Digest& digest) override;
  Result<std::unique_ptr<BlobReader>> open(const Digest& digest) override;
  Result<void> put(const Digest& digest, std::string_view bytes) override;
  Result<void> remove(const Digest& digest) override;

  // Path of a blob (whether or not it exists); for tests and operators.
  std::string blob_path(const Digest& digest) const;

 private:
  friend class FsBlobUpload;
  explicit FsBlobStore(std::string root);

  std::string upload_path(std::string_view id) const;
  // Moves the complete, fsynced file `staged` (in directory `staged_dir`) to the blob path of
  // `digest`, or deletes it when that blob already exists. Makes both directories durable.
  Result<void> publish(const std::string& staged, const std::string& staged_dir,
                       const Digest& digest);
  // The hash lane handed over between requests of the same upload.
  void save_hash_lane(const std::string& id, std::shared_ptr<HashLane> lane);
  std::shared_ptr<HashLane> take_hash_lane(const std::string& id);

  const std::string root_;
  const std::string uploads_dir_;
  const std::string tmp_dir_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<HashLane>, std::less<>> hash_lanes_;  // guarded by mu_
};

}  // namespace bulwark::storage
