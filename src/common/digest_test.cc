#include "common/digest.h"

#include <gtest/gtest.h>

namespace bulwark {
namespace {

TEST(Digest, KnownVectors) {
  EXPECT_EQ(Digest::of("").str(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Digest::of("abc", DigestAlgorithm::kSha512).str(),
            "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a8"
            "36ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

TEST(Digest, StreamingEqualsOneShotAndSnapshotResumes) {
  Hasher h;
  h.update(std::string_view("hello "));
  Hasher saved = h.snapshot();
  h.update(std::string_view("world"));
  saved.update(std::string_view("world"));
  EXPECT_EQ(saved.size(), 11u);
  auto a = h.finish();
  EXPECT_EQ(a, saved.finish());
  EXPECT_EQ(a, Digest::of("hello world"));
}

TEST(Digest, ParseRejectsMalformed) {
  EXPECT_FALSE(Digest::parse("sha256:abc"));
  EXPECT_FALSE(Digest::parse("sha256"));
  EXPECT_FALSE(Digest::parse(
      "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"));
  auto unsupported = Digest::parse("md5:d41d8cd98f00b204e9800998ecf8427e");
  ASSERT_FALSE(unsupported);
  EXPECT_EQ(unsupported.error().code, ErrorCode::kUnsupported);
  auto good = Digest::parse("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  ASSERT_TRUE(good);
  EXPECT_EQ(good->algorithm(), DigestAlgorithm::kSha256);
}

TEST(ConstantTimeEqual, ComparesContent) {
  EXPECT_TRUE(constant_time_equal("secret", "secret"));
  EXPECT_FALSE(constant_time_equal("secret", "secreT"));
  EXPECT_FALSE(constant_time_equal("secret", "secrets"));
}

}  // namespace
}  // namespace bulwark
