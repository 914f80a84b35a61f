#include "trust/dsse.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/encoding.h"
#include "trust/testing.h"

namespace bulwark::trust {
namespace {

using testing::vector_file;


TEST(Dsse, PaeMatchesTheVectorsPaeBytes) {
  // statement.pae was made with printf by the vector generator, independently of this code.
  const std::string statement = vector_file("keybased-openssl/statement.json");
  EXPECT_EQ(dsse_pae(kInTotoPayloadType, statement), vector_file("keybased-openssl/statement.pae"));
  EXPECT_EQ(dsse_pae("a", ""), "DSSEv1 1 a 0 ");
  EXPECT_EQ(dsse_pae("", "xyz"), "DSSEv1 0  3 xyz");
}

TEST(Dsse, ParsesCosignEnvelopes) {
  auto env = parse_dsse_envelope(vector_file("keybased-openssl/envelope.dsse.json"));
  ASSERT_TRUE(env) << env.error().message;
  EXPECT_EQ(env->payload_type, "application/vnd.in-toto+json");
  EXPECT_EQ(env->payload, vector_file("keybased-openssl/statement.json"));
  ASSERT_EQ(env->signatures.size(), 1u);
  EXPECT_EQ(env->signatures[0].keyid, "");
  EXPECT_EQ(env->signatures[0].sig, vector_file("keybased-openssl/statement.sig.der"));
}

TEST(Dsse, SerialisesLikeCosign) {
  // The legacy .att layer is the envelope as cosign wrote it: re-serialising gives the same bytes.
  const std::string text = vector_file("keybased-openssl/envelope.dsse.json");
  auto env = parse_dsse_envelope(text);
  ASSERT_TRUE(env);
  EXPECT_EQ(serialize_dsse_envelope(*env), text);
  auto again = parse_dsse_envelope(serialize_dsse_envelope(*env));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->payload, env->payload);
}

TEST(Dsse, RefusesMalformedEnvelopes) {
  const char* bad[] = {
      "",
      "[]",
      R"({"payloadType":"t","payload":"eA==","signatures":[]})",
      R"({"payloadType":"t","payload":"eA==","signatures":[{"sig":""}]})",
      R"({"payloadType":"t","payload":"e!==","signatures":[{"sig":"eA=="}]})",
      R"({"payloadType":"t","payload":"eA==","signatures":[{"sig":"eA=="}],"x":1})",
      R"({"payloadType":"t","payload":"eA==","payload":"eA==","signatures":[{"sig":"eA=="}]})",
      R"({"payload":"eA==","signatures":[{"sig":"eA=="}]})",
      R"({"payloadType":"t","payload":"eA==","signatures":[{"sig":"eA==","keyid":7}]})",
  };
  for (const char* text : bad) {
    auto env = parse_dsse_envelope(text);
    EXPECT_FALSE(env) << text;
    if (!env) {
      EXPECT_EQ(env.error().code, ErrorCode::kInvalidArgument);
    }
  }
  EXPECT_TRUE(
      parse_dsse_envelope(R"({"payloadType":"t","payload":"eA","signatures":[{"sig":"eA"}]})"));
}

TEST(Dsse, Base64AnyPadding) {
  EXPECT_EQ(decode_base64_any_padding("eA"), std::optional<std::string>("x"));
  EXPECT_EQ(decode_base64_any_padding("eA=="), std::optional<std::string>("x"));
  EXPECT_FALSE(decode_base64_any_padding("e"));
  EXPECT_FALSE(decode_base64_any_padding("e A="));
}

}  // namespace
}  // namespace bulwark::trust
