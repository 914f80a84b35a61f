// Runs the shared BlobStore suite against every backend, plus filesystem-specific checks.
#include <gmock/gmock.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/temp_dir.h"
#include "storage/blob_store_suite.h"
#include "storage/fs/fs_blob_store.h"
#include "storage/mem/mem_blob_store.h"

namespace bulwark::storage {
namespace {

namespace fs = std::filesystem;


class FsHarness final : public BlobStoreHarness {
 public:
  FsHarness() { restart(); }
  BlobStore& store() override { return *store_; }
  void restart() override {
    store_.reset();
    auto opened = FsBlobStore::open(dir_.path() + "/blobs");
    if (!opened) throw std::runtime_error(opened.error().message);
    store_ = std::move(*opened);
  }

 private:
  TempDir dir_{"bulwark-storage"};
  std::unique_ptr<FsBlobStore> store_;
};

class MemHarness final : public BlobStoreHarness {
 public:
  MemHarness() : store_(std::make_unique<MemBlobStore>()) {}
  BlobStore& store() override { return *store_; }
  void restart() override { store_ = store_->another_handle(); }

 private:
  std::unique_ptr<MemBlobStore> store_;
};

INSTANTIATE_TEST_SUITE_P(
    Backends, BlobStoreSuite,
    testing::Values(BlobStoreBackend{"fs", [] { return std::make_unique<FsHarness>(); }},
                    BlobStoreBackend{"mem", [] { return std::make_unique<MemHarness>(); }}),
    blob_store_backend_name);

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class FsBlobStoreTest : public testing::Test {
 protected:
  void SetUp() override {
    auto opened = FsBlobStore::open(dir_.path() + "/blobs/");
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
  }
  std::string root() const { return dir_.path() + "/blobs"; }

  TempDir dir_{"bulwark-storage"};
  std::unique_ptr<FsBlobStore> store_;
};

TEST_F(FsBlobStoreTest, BlobsLiveUnderAlgorithmAndFanOutDirectory) {
  Digest digest = Digest::of("layer");
  auto upload = store_->create_upload("u");
  ASSERT_TRUE(upload);
  ASSERT_TRUE((*upload)->append(std::span<const char>("layer", 5)));
  EXPECT_EQ(slurp(root() + "/uploads/u"), "layer");
  ASSERT_TRUE((*upload)->commit(digest));
  std::string expected = root() + "/sha256/" + digest.hex().substr(0, 2) + "/" + digest.hex();
  EXPECT_EQ(store_->blob_path(digest), expected);
  EXPECT_EQ(slurp(expected), "layer");
  EXPECT_FALSE(fs::exists(root() + "/uploads/u"));
}

TEST_F(FsBlobStoreTest, ReaderExposesFileDescriptor) {
  Digest digest = Digest::of("fd");
  ASSERT_TRUE(store_->put(digest, "fd"));
  auto reader = store_->open(digest);
  ASSERT_TRUE(reader);
  struct stat st {};
  ASSERT_EQ(::fstat((*reader)->native_fd(), &st), 0);
  EXPECT_EQ(st.st_size, 2);
}

TEST_F(FsBlobStoreTest, PutLeavesNoTemporaryFiles) {
  ASSERT_TRUE(store_->put(Digest::of("a"), "a"));
  EXPECT_FALSE(store_->put(Digest::of("b"), "not b"));
  EXPECT_TRUE(fs::is_empty(root() + "/tmp"));
}

// Bytes that reached the staged file without passing through the saved hash state (e.g. a write
// that failed half-way in another process) must still be hashed: the sizes differ, so reopening
// recomputes from the file.
TEST_F(FsBlobStoreTest, ReopenRehashesWhenStagedFileGrewBehindItsBack) {
  {
    auto upload = store_->create_upload("grown");
    ASSERT_TRUE(upload);
    ASSERT_TRUE((*upload)->append(std::span<const char>("abc", 3)));
  }
  {
    std::ofstream out(root() + "/uploads/grown", std::ios::binary | std::ios::app);
    out << "def";
  }
  auto upload = store_->open_upload("grown");
  ASSERT_TRUE(upload);
  EXPECT_EQ((*upload)->size(), 6u);
  EXPECT_EQ((*upload)->commit(Digest::of("abc")).error().code, ErrorCode::kDigestMismatch);
  ASSERT_TRUE((*upload)->commit(Digest::of("abcdef")));
}

TEST_F(FsBlobStoreTest, ListUploadsIgnoresForeignFiles) {
  ASSERT_TRUE(store_->create_upload("real"));
  std::ofstream(root() + "/uploads/.hidden") << "x";
  EXPECT_THAT(*store_->list_uploads(), testing::ElementsAre("real"));
}

// Aligned chunks take the O_DIRECT path, odd ones the page cache; interleaving them (and
// reopening in between, as a PATCH sequence does) must still stage exactly the bytes sent.
TEST_F(FsBlobStoreTest, MixedDirectAndBufferedAppendsStageExactBytes) {
  constexpr size_t kAligned = 1 << 20;
  auto* raw = static_cast<char*>(::operator new(kAligned, std::align_val_t{4096}));
  std::unique_ptr<char, void (*)(char*)> buf(
      raw, [](char* p) { ::operator delete(p, std::align_val_t{4096}); });
  std::string expected;
  auto append = [&](std::span<const char> bytes) {
    auto upload = store_->open_upload("mixed");
    ASSERT_TRUE(upload) << upload.error().message;
    ASSERT_TRUE((*upload)->append(bytes));
    expected.append(bytes.data(), bytes.size());
  };
  ASSERT_TRUE(store_->create_upload("mixed"));
  for (size_t i = 0; i < kAligned; ++i) raw[i] = static_cast<char>(i * 7 + 1);
  append({raw, kAligned});       // aligned offset, length and address: direct
  append({raw + 1, 1000});       // unaligned: buffered
  append({raw, kAligned});       // aligned length and address but unaligned offset: buffered
  std::string pad(4096 - (expected.size() % 4096), 'p');
  append({pad.data(), pad.size()});
  ASSERT_EQ(expected.size() % 4096, 0u);
  for (size_t i = 0; i < kAligned; ++i) raw[i] = static_cast<char>(i * 13 + 5);
  append({raw, kAligned});  // aligned again after buffered writes: direct
  auto upload = store_->open_upload("mixed");
  ASSERT_TRUE(upload);
  ASSERT_TRUE((*upload)->commit(Digest::of(expected)));
  EXPECT_EQ(slurp(store_->blob_path(Digest::of(expected))), expected);
}

TEST(FsBlobStoreOpen, FailsWhenRootIsAFile) {
  TempDir dir{"bulwark-storage"};
  std::ofstream(dir.path() + "/file") << "x";
  auto opened = FsBlobStore::open(dir.path() + "/file");
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kIo);
}

}  // namespace
}  // namespace bulwark::storage
