#include "storage/blob_store_suite.h"

#include <gmock/gmock.h>

#include <algorithm>
#include <vector>

namespace bulwark::storage {
namespace {

using testing::ElementsAre;
using testing::IsEmpty;
using testing::UnorderedElementsAre;

// Deterministic content of `size` bytes, larger than one I/O buffer when size > 1 MiB.
std::string pattern(size_t size, char seed = 'a') {
  std::string out(size, '\0');
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<char>(seed + (i * 7 + i / 4093) % 26);
  return out;
}

void append(BlobUpload& upload, std::string_view bytes) {
  auto r = upload.append(std::span<const char>(bytes.data(), bytes.size()));
  ASSERT_TRUE(r) << r.error().message;
}

std::string read_rest(BlobReader& reader) {
  std::string out;
  std::vector<char> buf(64 * 1024 + 3);
  for (;;) {
    auto n = reader.read(buf);
    EXPECT_TRUE(n);
    if (!n || *n == 0) return out;
    out.append(buf.data(), *n);
  }
}

}  // namespace

std::string blob_store_backend_name(const testing::TestParamInfo<BlobStoreBackend>& info) {
  return info.param.name;
}

namespace {

Digest sha512_of(std::string_view bytes) { return Digest::of(bytes, DigestAlgorithm::kSha512); }

TEST_P(BlobStoreSuite, CommittedUploadBecomesReadableBlob) {
  auto upload = store().create_upload("u1");
  ASSERT_TRUE(upload);
  append(**upload, "hello ");
  append(**upload, "world");
  EXPECT_EQ((*upload)->size(), 11u);
  EXPECT_EQ((*upload)->id(), "u1");
  Digest digest = Digest::of("hello world");
  ASSERT_TRUE((*upload)->commit(digest));

  auto info = store().stat(digest);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->size, 11u);
  auto reader = store().open(digest);
  ASSERT_TRUE(reader);
  EXPECT_EQ(read_rest(**reader), "hello world");
  // The upload is finished: its id is gone and its handle refuses more work.
  EXPECT_EQ(store().open_upload("u1").error().code, ErrorCode::kNotFound);
  EXPECT_THAT(*store().list_uploads(), IsEmpty());
  EXPECT_FALSE((*upload)->append(std::span<const char>("x", 1)));
}

// The pipelined form: chunks go through a ring of lag + 1 buffers, each refilled as soon as the
// contract allows (once `lag` later appends have returned), each owned by a shared_ptr the upload
// keeps until it has hashed the chunk. The first handle goes away with hashing possibly still
// under way (as a request answers once its bytes are stored); the reopened upload goes on.
TEST_P(BlobStoreSuite, OverlappedAppendsReuseBuffersAfterTheLagAndResume) {
  constexpr size_t kLag = 2;
  constexpr size_t kChunk = 1 << 20;
  const std::string content = pattern(6 * kChunk + 77);
  auto feed = [&](BlobUpload& upload, size_t from, size_t to) {
    std::vector<std::shared_ptr<std::vector<char>>> ring(kLag + 1);
    for (auto& buffer : ring) buffer = std::make_shared<std::vector<char>>(kChunk);
    for (size_t at = from, k = 0; at < to; at += kChunk, ++k) {
      std::shared_ptr<std::vector<char>>& buffer = ring[k % ring.size()];
      size_t n = std::min(kChunk, to - at);
      std::copy_n(content.data() + at, n, buffer->data());
      auto r = upload.append_overlapped(std::span<const char>(buffer->data(), n), buffer, kLag);
      ASSERT_TRUE(r) << r.error().message;
    }
  };  // the ring goes; the upload holds the buffers it has yet to hash
  {
    auto upload = store().create_upload("lagged");
    ASSERT_TRUE(upload);
    feed(**upload, 0, 4 * kChunk + 5);
    EXPECT_EQ((*upload)->size(), 4 * kChunk + 5);
  }
  auto upload = store().open_upload("lagged");
  ASSERT_TRUE(upload);
  EXPECT_EQ((*upload)->size(), 4 * kChunk + 5);
  feed(**upload, 4 * kChunk + 5, content.size());
  EXPECT_EQ((*upload)->size(), content.size());
  Digest digest = Digest::of(content);
  auto committed = (*upload)->commit(digest);
  ASSERT_TRUE(committed) << committed.error().message;
  auto reader = store().open(digest);
  ASSERT_TRUE(reader);
  EXPECT_EQ(read_rest(**reader), content);
}

TEST_P(BlobStoreSuite, EmptyBlobCommits) {
  auto upload = store().create_upload("empty");
  ASSERT_TRUE(upload);
  ASSERT_TRUE((*upload)->commit(Digest::of("")));
  EXPECT_EQ(store().stat(Digest::of(""))->size, 0u);
}

TEST_P(BlobStoreSuite, DigestMismatchKeepsUploadAndPublishesNothing) {
  auto upload = store().create_upload("u1");
  ASSERT_TRUE(upload);
  append(**upload, "abc");
  Digest wrong = Digest::of("abd");
  auto r = (*upload)->commit(wrong);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kDigestMismatch);
  EXPECT_EQ(store().stat(wrong).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().stat(Digest::of("abc")).error().code, ErrorCode::kNotFound);
  EXPECT_THAT(*store().list_uploads(), ElementsAre("u1"));
  // The same upload can still be completed.
  append(**upload, "d");
  ASSERT_TRUE((*upload)->commit(Digest::of("abcd")));
  EXPECT_EQ(store().stat(Digest::of("abcd"))->size, 4u);
}

TEST_P(BlobStoreSuite, Sha512CommitPublishesUnderSha512) {
  std::string content = pattern(3 * 1024 * 1024 + 17);
  auto upload = store().create_upload("u512");
  ASSERT_TRUE(upload);
  append(**upload, content);
  ASSERT_TRUE((*upload)->commit(sha512_of(content)));
  EXPECT_EQ(store().stat(sha512_of(content))->size, content.size());
  EXPECT_EQ(store().stat(Digest::of(content)).error().code, ErrorCode::kNotFound);
  auto reader = store().open(sha512_of(content));
  ASSERT_TRUE(reader);
  EXPECT_EQ(read_rest(**reader), content);
}

TEST_P(BlobStoreSuite, Sha512MismatchKeepsUpload) {
  auto upload = store().create_upload("u512");
  ASSERT_TRUE(upload);
  append(**upload, "abc");
  EXPECT_EQ((*upload)->commit(sha512_of("xyz")).error().code, ErrorCode::kDigestMismatch);
  ASSERT_TRUE((*upload)->commit(Digest::of("abc")));
}

TEST_P(BlobStoreSuite, ResumesAcrossRequests) {
  std::string first = pattern(1500 * 1024, 'c');
  std::string second = pattern(700 * 1024, 'k');
  {
    auto upload = store().create_upload("resume");
    ASSERT_TRUE(upload);
    append(**upload, first);
  }
  {
    auto upload = store().open_upload("resume");
    ASSERT_TRUE(upload);
    EXPECT_EQ((*upload)->size(), first.size());
    append(**upload, second);
  }
  auto upload = store().open_upload("resume");
  ASSERT_TRUE(upload);
  EXPECT_EQ((*upload)->size(), first.size() + second.size());
  ASSERT_TRUE((*upload)->commit(Digest::of(first + second)));
}

TEST_P(BlobStoreSuite, ResumesAfterRestart) {
  std::string first = pattern(2 * 1024 * 1024 + 5, 'e');  // spans several hashing buffers
  std::string second = "tail";
  {
    auto upload = store().create_upload("restart");
    ASSERT_TRUE(upload);
    append(**upload, first);
  }
  restart();
  EXPECT_THAT(*store().list_uploads(), ElementsAre("restart"));
  auto upload = store().open_upload("restart");
  ASSERT_TRUE(upload);
  EXPECT_EQ((*upload)->size(), first.size());
  append(**upload, second);
  ASSERT_TRUE((*upload)->commit(Digest::of(first + second)));
  auto reader = store().open(Digest::of(first + second));
  ASSERT_TRUE(reader);
  EXPECT_EQ(read_rest(**reader), first + second);
}

TEST_P(BlobStoreSuite, IdenticalUploadsDeduplicate) {
  Digest digest = Digest::of("same bytes");
  for (const char* id : {"a", "b"}) {
    auto upload = store().create_upload(id);
    ASSERT_TRUE(upload);
    append(**upload, "same bytes");
    ASSERT_TRUE((*upload)->commit(digest)) << id;
  }
  EXPECT_THAT(*store().list_uploads(), IsEmpty());
  auto reader = store().open(digest);
  ASSERT_TRUE(reader);
  EXPECT_EQ(read_rest(**reader), "same bytes");
}

TEST_P(BlobStoreSuite, ReaderSeeksAndReads) {
  std::string content = pattern(100000);
  Digest digest = Digest::of(content);
  ASSERT_TRUE(store().put(digest, content));
  auto reader = store().open(digest);
  ASSERT_TRUE(reader);
  EXPECT_EQ((*reader)->size(), content.size());
  ASSERT_TRUE((*reader)->seek(99990));
  EXPECT_EQ(read_rest(**reader), content.substr(99990));
  ASSERT_TRUE((*reader)->seek(12345));
  std::vector<char> buf(10);
  auto n = (*reader)->read(buf);
  ASSERT_TRUE(n);
  EXPECT_EQ(std::string(buf.data(), *n), content.substr(12345, *n));
  ASSERT_TRUE((*reader)->seek(content.size()));
  EXPECT_EQ(*(*reader)->read(buf), 0u);
  EXPECT_EQ((*reader)->seek(content.size() + 1).error().code, ErrorCode::kOutOfRange);
}

TEST_P(BlobStoreSuite, MissingBlobIsNotFound) {
  Digest digest = Digest::of("never stored");
  EXPECT_EQ(store().stat(digest).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().open(digest).error().code, ErrorCode::kNotFound);
}

TEST_P(BlobStoreSuite, RemoveDeletesBlobAndIsIdempotent) {
  Digest digest = Digest::of("doomed");
  ASSERT_TRUE(store().put(digest, "doomed"));
  ASSERT_TRUE(store().remove(digest));
  EXPECT_EQ(store().stat(digest).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().open(digest).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store().remove(digest));
}

TEST_P(BlobStoreSuite, OpenReaderSurvivesRemove) {
  Digest digest = Digest::of("still readable");
  ASSERT_TRUE(store().put(digest, "still readable"));
  auto reader = store().open(digest);
  ASSERT_TRUE(reader);
  ASSERT_TRUE(store().remove(digest));
  EXPECT_EQ(read_rest(**reader), "still readable");
}

TEST_P(BlobStoreSuite, UploadSizeReportsStagedBytesWhileOpen) {
  auto missing = store().upload_size("nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  auto upload = store().create_upload("sized");
  ASSERT_TRUE(upload);
  EXPECT_EQ(store().upload_size("sized").value(), 0u);
  append(**upload, pattern(3000, 's'));
  EXPECT_EQ(store().upload_size("sized").value(), 3000u);  // the writer is still open
  append(**upload, pattern(5, 't'));
  EXPECT_EQ(store().upload_size("sized").value(), 3005u);
  EXPECT_FALSE(store().upload_size("../sized"));
}

TEST_P(BlobStoreSuite, DeleteUploadDiscardsStagedBytes) {
  {
    auto upload = store().create_upload("gone");
    ASSERT_TRUE(upload);
    append(**upload, "partial");
  }
  ASSERT_TRUE(store().delete_upload("gone"));
  EXPECT_EQ(store().open_upload("gone").error().code, ErrorCode::kNotFound);
  EXPECT_THAT(*store().list_uploads(), IsEmpty());
  EXPECT_TRUE(store().delete_upload("never-existed"));
  // The id can be reused and starts empty.
  auto again = store().create_upload("gone");
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)->size(), 0u);
  append(**again, "fresh");
  ASSERT_TRUE((*again)->commit(Digest::of("fresh")));
}

TEST_P(BlobStoreSuite, ListsStagedUploads) {
  auto a = store().create_upload("upload-a");
  auto b = store().create_upload("upload-B");
  ASSERT_TRUE(a && b);
  EXPECT_THAT(*store().list_uploads(), UnorderedElementsAre("upload-a", "upload-B"));
}

TEST_P(BlobStoreSuite, DuplicateUploadIdIsRejected) {
  auto first = store().create_upload("dup");
  ASSERT_TRUE(first);
  EXPECT_EQ(store().create_upload("dup").error().code, ErrorCode::kAlreadyExists);
}

TEST_P(BlobStoreSuite, InvalidUploadIdsAreRejected) {
  const std::string too_long(65, 'a');
  for (std::string_view id :
       {std::string_view(""), std::string_view("."), std::string_view(".."),
        std::string_view("../escape"), std::string_view("a/b"), std::string_view("a b"),
        std::string_view("a_b"), std::string_view("\xc3\xa4"), std::string_view("x\0y", 3),
        std::string_view(too_long)}) {
    EXPECT_EQ(store().create_upload(id).error().code, ErrorCode::kInvalidArgument) << id;
    EXPECT_EQ(store().open_upload(id).error().code, ErrorCode::kInvalidArgument) << id;
    EXPECT_EQ(store().delete_upload(id).error().code, ErrorCode::kInvalidArgument) << id;
  }
  EXPECT_TRUE(store().create_upload(std::string(64, 'Z')));
  EXPECT_THAT(*store().list_uploads(), ElementsAre(std::string(64, 'Z')));
}

TEST_P(BlobStoreSuite, PartialBlobIsNeverVisibleBeforeCommit) {
  std::string content = pattern(1024 * 1024 + 1);
  Digest digest = Digest::of(content);
  auto upload = store().create_upload("partial");
  ASSERT_TRUE(upload);
  append(**upload, std::string_view(content).substr(0, 1000));
  EXPECT_EQ(store().stat(digest).error().code, ErrorCode::kNotFound);
  append(**upload, std::string_view(content).substr(1000));
  // All bytes staged, still not published.
  EXPECT_EQ(store().stat(digest).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().open(digest).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE((*upload)->commit(digest));
  EXPECT_EQ(store().stat(digest)->size, content.size());
}

TEST_P(BlobStoreSuite, PutStoresVerifiedContent) {
  Digest digest = Digest::of("{\"config\":true}");
  ASSERT_TRUE(store().put(digest, "{\"config\":true}"));
  ASSERT_TRUE(store().put(digest, "{\"config\":true}"));  // idempotent
  auto reader = store().open(digest);
  ASSERT_TRUE(reader);
  EXPECT_EQ(read_rest(**reader), "{\"config\":true}");

  Digest claimed = Digest::of("something else");
  EXPECT_EQ(store().put(claimed, "not that").error().code, ErrorCode::kDigestMismatch);
  EXPECT_EQ(store().stat(claimed).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(store().put(sha512_of("x"), "x"));
  EXPECT_EQ(store().stat(sha512_of("x"))->size, 1u);
}

}  // namespace
}  // namespace bulwark::storage
