// BlobStore: content-addressed blob storage, deduplicated across repositories.
//
// Blobs become visible only complete and verified: an upload is written to a private staging
// area while it is hashed, and commit() checks the digest, makes the bytes durable (fsync) and
// atomically moves them into place. Uploads are resumable across process restarts: reopening an
// upload by id continues at its current size (the hash state is recomputed from the staged bytes
// when the in-memory state was lost).
//
// Thread-safety: BlobStore methods are thread-safe. A BlobUpload or BlobReader is used by one
// thread at a time; at most one BlobUpload per upload id may be open at once (the caller
// serialises requests per upload session).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/digest.h"
#include "common/result.h"

namespace bulwark::storage {

class BlobReader {
 public:
  virtual ~BlobReader() = default;
  virtual uint64_t size() const = 0;
  // Positions the next read at `offset` (REQUIRES: offset <= size()).
  virtual Result<void> seek(uint64_t offset) = 0;
  // Reads the next bytes; 0 at the end.
  virtual Result<size_t> read(std::span<char> buf) = 0;
  // A file descriptor for zero-copy sending when the backend is file-based; -1 otherwise.
  // The descriptor stays owned by the reader.
  virtual int native_fd() const { return -1; }
};

class BlobUpload {
 public:
  virtual ~BlobUpload() = default;
  virtual const std::string& id() const = 0;
  // Bytes staged so far.
  virtual uint64_t size() const = 0;
  // Appends bytes and feeds them to the running hash.
  virtual Result<void> append(std::span<const char> bytes) = 0;
  // Pipelined appends, for callers with several chunks in flight: like append(), but the bytes
  // may still be being hashed when it returns (at most `lag` appends behind), and even after
  // this handle is gone, so that a request can answer once its bytes are stored. The upload keeps
  // `owner` (whatever owns the bytes) until it has hashed them; the caller may reuse the bytes
  // once `lag` later calls have returned. After a failure, reopen the upload to continue: it
  // keeps the whole chunks that were stored.
  virtual Result<void> append_overlapped(std::span<const char> bytes,
                                         std::shared_ptr<const void> owner, size_t lag) {
    (void)owner;
    (void)lag;
    return append(bytes);
  }
  // Verifies the staged bytes hash to `expected` (sha256 or sha512), makes them durable and
  // publishes them as blob `expected`. If that blob already exists the staged copy is discarded.
  // The upload is finished afterwards (its id is gone). Fails with kDigestMismatch (upload kept)
  // when the content does not match.
  virtual Result<void> commit(const Digest& expected) = 0;
};

struct BlobInfo {
  uint64_t size = 0;
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // Starts a new upload with a caller-chosen unique id ([A-Za-z0-9-]{1,64}).
  virtual Result<std::unique_ptr<BlobUpload>> create_upload(std::string_view id) = 0;
  // Reopens an existing upload (after an earlier request or a restart). kNotFound if unknown.
  virtual Result<std::unique_ptr<BlobUpload>> open_upload(std::string_view id) = 0;
  // Bytes staged so far, without opening the upload (safe while a BlobUpload for it is open;
  // may lag an append in progress). kNotFound if unknown.
  virtual Result<uint64_t> upload_size(std::string_view id) = 0;
  // Removes an upload's staged bytes. Removing an unknown id succeeds.
  virtual Result<void> delete_upload(std::string_view id) = 0;
  // Ids of all staged uploads (for expiry sweeps).
  virtual Result<std::vector<std::string>> list_uploads() = 0;

  // kNotFound when the blob does not exist.
  virtual Result<BlobInfo> stat(const Digest& digest) = 0;
  virtual Result<std::unique_ptr<BlobReader>> open(const Digest& digest) = 0;
  // Stores small content whose digest the caller computed (e.g. tests, generated artifacts).
  virtual Result<void> put(const Digest& digest, std::string_view bytes) = 0;
  // Deletes a blob (garbage collection). Deleting a missing blob succeeds.
  virtual Result<void> remove(const Digest& digest) = 0;
};

}  // namespace bulwark::storage
