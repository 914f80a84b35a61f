#include "trust/simple_signing.h"
#include "trust/testing.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace bulwark::trust {
namespace {

using testing::vector_file;


constexpr const char* kImage =
    "sha256:1f302eb0b2525ff954c3b8570dbe9dedb0f0143b0750e6d5b442162547bb861a";

TEST(SimpleSigning, ParsesAndRemakesTheVectorsByteExactly) {
  for (const char* rel :
       {"keybased-openssl/payload.json", "keyless-mock/image-sig-legacy/payload.json"}) {
    const std::string text = vector_file(rel);
    auto p = parse_simple_signing(text);
    ASSERT_TRUE(p) << rel << ": " << p.error().message;
    EXPECT_EQ(p->docker_reference, "registry.example.com/demo/app");
    EXPECT_EQ(p->manifest_digest.str(), kImage);
    EXPECT_TRUE(p->optional.empty());
    EXPECT_EQ(make_simple_signing(*p), text) << rel;
  }
}

TEST(SimpleSigning, OptionalAnnotationsSortedLikeGoMaps) {
  SimpleSigningPayload p{"r.example/a", *Digest::parse(kImage), {{"z", "1"}, {"a", "<&>"}}};
  const std::string made = make_simple_signing(p);
  EXPECT_EQ(
      made,
      std::string(
          R"({"critical":{"identity":{"docker-reference":"r.example/a"},"image":{"docker-manifest-digest":")") +
          kImage +
          R"("},"type":"cosign container image signature"},"optional":{"a":"\u003c\u0026\u003e","z":"1"}})");
  auto back = parse_simple_signing(made);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->optional.at("a"), "<&>");
}

TEST(SimpleSigning, GoQuoting) {
  EXPECT_EQ(go_json_quote("a\"b\\c\n\x01"), R"("a\"b\\c\n\u0001")");
  EXPECT_EQ(go_json_quote("\xff"), R"("\ufffd")");
  EXPECT_EQ(go_json_quote("\xe2\x80\xa8"), R"("\u2028")");
  EXPECT_EQ(go_json_quote("\xc3\xa9"), "\"\xc3\xa9\"");
}

TEST(SimpleSigning, RefusesOtherTypesAndMalformedPayloads) {
  const std::string digest = kImage;
  auto with = [&](const std::string& critical) {
    return R"({"critical":)" + critical + R"(,"optional":null})";
  };
  const std::string ok_identity = R"("identity":{"docker-reference":"r"})";
  const std::string ok_image = R"("image":{"docker-manifest-digest":")" + digest + "\"}";
  EXPECT_TRUE(parse_simple_signing(
      with("{" + ok_identity + "," + ok_image + R"(,"type":"cosign container image signature"})")));
  const std::string bad[] = {
      with("{" + ok_identity + "," + ok_image + R"(,"type":"atomic container signature"})"),
      with("{" + ok_identity + "," + ok_image + "}"),
      with(
          "{" + ok_identity +
          R"(,"image":{"docker-manifest-digest":"sha256:abc"},"type":"cosign container image signature"})"),
      with("{" + ok_image + R"(,"type":"cosign container image signature"})"),
      with("{" + ok_identity + "," + ok_image +
           R"(,"type":"cosign container image signature","extra":1})"),
      R"({"optional":null})",
      "not json",
      with(
          "{" + ok_identity + "," + ok_image +
          R"(,"type":"cosign container image signature","type":"cosign container image signature"})"),
  };
  for (const std::string& text : bad) EXPECT_FALSE(parse_simple_signing(text)) << text;
}

}  // namespace
}  // namespace bulwark::trust
