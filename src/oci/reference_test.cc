#include "oci/reference.h"

#include <gtest/gtest.h>

#include <string>

namespace bulwark::oci {
namespace {

constexpr std::string_view kDigest =
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(Repository, AcceptsSpecNames) {
  std::string nested = "a";
  for (int i = 0; i < 9; ++i) nested += "/n" + std::to_string(i);  // 10 levels
  for (std::string_view name : std::initializer_list<std::string_view>{"a", "a/b/c", "a-b__c.d", "library/busybox", "a0/b-1/c_2/d.3",
                                "a--b", std::string_view(nested)}) {
    EXPECT_TRUE(validate_repository(name)) << name;
  }
  EXPECT_TRUE(validate_repository(std::string(255, 'a')));
}

TEST(Repository, RejectsMalformedAndTraversingNames) {
  for (std::string_view name :
       {"", "A", "a//b", "/a", "a/", "..", ".", "a/../b", "a/./b", "-a", "a-", "a_", "_a", "a.",
        "a..b", "a___b", "a._b", "a b", "a\\b", "a%2fb", "a:b", "a@b", "\xc3\xa9"}) {
    auto r = validate_repository(name);
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find("repository name"), std::string::npos) << r.error().message;
  }
  auto too_long = validate_repository(std::string(256, 'a'));
  ASSERT_FALSE(too_long);
  EXPECT_NE(too_long.error().message.find("255"), std::string::npos);
  EXPECT_FALSE(validate_repository(std::string_view("a\0b", 3)));
}

TEST(Tag, AcceptsSpecTags) {
  for (std::string_view tag : {"latest", "v1.2.3", "_x", "1", "A-b_c.D", "sha256-abc.sig"}) {
    EXPECT_TRUE(validate_tag(tag)) << tag;
  }
  EXPECT_TRUE(validate_tag(std::string(128, 'a')));
}

TEST(Tag, RejectsMalformedTags) {
  for (std::string_view tag : {"", ".a", "-a", "a:b", "a/b", "a b", "a@b", "a+b"}) {
    auto r = validate_tag(tag);
    ASSERT_FALSE(r) << tag;
    EXPECT_NE(r.error().message.find("tag"), std::string::npos);
  }
  auto too_long = validate_tag(std::string(129, 'a'));
  ASSERT_FALSE(too_long);
  EXPECT_NE(too_long.error().message.find("128"), std::string::npos);
}

TEST(Reference, TagOrDigest) {
  auto tag = parse_reference("v1");
  ASSERT_TRUE(tag);
  EXPECT_EQ(std::get<std::string>(*tag), "v1");
  auto digest = parse_reference(kDigest);
  ASSERT_TRUE(digest);
  EXPECT_EQ(std::get<Digest>(*digest).str(), kDigest);
  EXPECT_FALSE(parse_reference("sha256:abc"));
  EXPECT_FALSE(parse_reference("../x"));
  EXPECT_FALSE(parse_reference(""));
  auto unsupported = parse_reference("md5:d41d8cd98f00b204e9800998ecf8427e");
  ASSERT_FALSE(unsupported);
  EXPECT_EQ(unsupported.error().code, ErrorCode::kUnsupported);
}

TEST(ImageReference, FullReferenceWithPortTagAndDigest) {
  std::string text = "localhost:5000/a/b:t@" + std::string(kDigest);
  auto r = parse_image_reference(text);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->registry, "localhost:5000");
  EXPECT_EQ(r->repository, "a/b");
  EXPECT_EQ(r->tag, "t");
  ASSERT_TRUE(r->digest);
  EXPECT_EQ(r->digest->str(), kDigest);
  EXPECT_EQ(r->str(), text);
}

TEST(ImageReference, BareNameHasNoRegistryTagOrDigest) {
  auto r = parse_image_reference("busybox");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->registry, "");
  EXPECT_EQ(r->repository, "busybox");
  EXPECT_FALSE(r->tag);
  EXPECT_FALSE(r->digest);
  EXPECT_EQ(r->str(), "busybox");
}

TEST(ImageReference, FirstComponentIsAHostOnlyWhenItLooksLikeOne) {
  auto ghcr = parse_image_reference("ghcr.io/x/y:1");
  ASSERT_TRUE(ghcr);
  EXPECT_EQ(ghcr->registry, "ghcr.io");
  EXPECT_EQ(ghcr->repository, "x/y");
  EXPECT_EQ(ghcr->tag, "1");

  auto local = parse_image_reference("localhost/app");
  ASSERT_TRUE(local);
  EXPECT_EQ(local->registry, "localhost");
  EXPECT_EQ(local->repository, "app");

  auto library = parse_image_reference("library/busybox:1.36");
  ASSERT_TRUE(library);
  EXPECT_EQ(library->registry, "");
  EXPECT_EQ(library->repository, "library/busybox");
  EXPECT_EQ(library->tag, "1.36");

  auto ipv6 = parse_image_reference("[::1]:5000/app@" + std::string(kDigest));
  ASSERT_TRUE(ipv6) << ipv6.error().message;
  EXPECT_EQ(ipv6->registry, "[::1]:5000");
  EXPECT_FALSE(ipv6->tag);
}

TEST(ImageReference, RejectsMalformedReferences) {
  for (std::string_view text :
       {"", "Busybox", "a:", "a:-x", "a@sha256:abc", "a@", "host:port/a", "host:5000/",
        "ghcr.io//a", "ex..ample.com/a", "a/../b", ":tag", "@sha256:x", "localhost:5000:1/a"}) {
    auto r = parse_image_reference(text);
    EXPECT_FALSE(r) << text << " parsed as " << (r ? r->str() : "");
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << text;
    }
  }
}

}  // namespace
}  // namespace bulwark::oci
