#include "trust/cbor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "trust/notation/test_support.h"

namespace bulwark::trust::cbor {
namespace {

std::string hex(std::string_view h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::string cose_vector() {
  return notation::testing::read_file(notation::testing::vectors_dir() / "cose/envelope.cose");
}

// RFC 8949 Appendix A examples.
TEST(CborTest, DecodesRfc8949Examples) {
  EXPECT_EQ(decode(hex("00"))->as_int(), 0);
  EXPECT_EQ(decode(hex("17"))->as_int(), 23);
  EXPECT_EQ(decode(hex("1818"))->as_int(), 24);
  EXPECT_EQ(decode(hex("1903e8"))->as_int(), 1000);
  EXPECT_EQ(decode(hex("1a000f4240"))->as_int(), 1000000);
  EXPECT_EQ(decode(hex("20"))->as_int(), -1);
  EXPECT_EQ(decode(hex("3903e7"))->as_int(), -1000);
  auto big = decode(hex("1bffffffffffffffff"));
  ASSERT_TRUE(big);
  EXPECT_EQ(big->number, 18446744073709551615ULL);
  EXPECT_FALSE(big->as_int());  // does not fit an int64
  EXPECT_EQ(decode(hex("6161"))->bytes, "a");
  EXPECT_EQ(decode(hex("4401020304"))->bytes, hex("01020304"));
  auto arr = decode(hex("83010203"));
  ASSERT_TRUE(arr && arr->is_array());
  ASSERT_EQ(arr->items.size(), 3u);
  EXPECT_EQ(arr->items[2].as_int(), 3);
  auto map = decode(hex("a201020304"));
  ASSERT_TRUE(map && map->is_map());
  EXPECT_EQ(map->find(3)->as_int(), 4);
  EXPECT_EQ(map->find(5), nullptr);
  auto tagged = decode(hex("c11a514b67b0"));
  ASSERT_TRUE(tagged && tagged->is_tag(1));
  EXPECT_EQ(tagged->tagged().as_int(), 1363896240);
  EXPECT_EQ(decode(hex("f4"))->number, 20u);
  EXPECT_EQ(decode(hex("f93c00"))->float_value, 1.0);
  EXPECT_EQ(decode(hex("f9c400"))->float_value, -4.0);
  EXPECT_EQ(decode(hex("fa47c35000"))->float_value, 100000.0);
  EXPECT_EQ(decode(hex("fb3ff199999999999a"))->float_value, 1.1);
  EXPECT_EQ(decode(hex("f8ff"))->number, 255u);
  auto text_map = decode(hex("a26161016162820203"));
  ASSERT_TRUE(text_map);
  EXPECT_EQ(text_map->find("a")->as_int(), 1);
  EXPECT_EQ(text_map->find("b")->items.size(), 2u);
}

TEST(CborTest, EncodesPreferredHeads) {
  EXPECT_EQ(encode_head(Major::kUnsigned, 23), hex("17"));
  EXPECT_EQ(encode_head(Major::kUnsigned, 24), hex("1818"));
  EXPECT_EQ(encode_head(Major::kUnsigned, 255), hex("18ff"));
  EXPECT_EQ(encode_head(Major::kUnsigned, 256), hex("190100"));
  EXPECT_EQ(encode_head(Major::kUnsigned, 65536), hex("1a00010000"));
  EXPECT_EQ(encode_head(Major::kUnsigned, 4294967296ULL), hex("1b0000000100000000"));
  EXPECT_EQ(encode(Value::integer(-1000)), hex("3903e7"));
  EXPECT_EQ(encode(Value::text("IETF")), hex("6449455446"));
  EXPECT_EQ(encode(Value::map(
                {{Value::integer(1), Value::integer(2)}, {Value::integer(3), Value::integer(4)}})),
            hex("a201020304"));
  EXPECT_EQ(encode(Value::tag(1, Value::integer(1363896240))), hex("c11a514b67b0"));
}

TEST(CborTest, SigStructureIsTheRfc9052Array) {
  // ["Signature1", h'A10126', h'', h'7061796C6F6164'] written out by hand.
  EXPECT_EQ(sig_structure1(hex("a10126"), "payload"),
            hex("846a5369676e61747572653143a101264047") + "payload");
}

TEST(CborTest, DecodesTheCoseVectorAndReencodesItIdentically) {
  const std::string bytes = cose_vector();
  auto v = decode(bytes);
  ASSERT_TRUE(v) << v.error().message;
  ASSERT_TRUE(v->is_tag(18));
  ASSERT_EQ(v->tagged().items.size(), 4u);
  auto prot = decode(v->tagged().items[0].bytes);
  ASSERT_TRUE(prot);
  EXPECT_EQ(prot->find(1)->as_int(), -7);
  EXPECT_EQ(prot->find(3)->bytes, "application/vnd.cncf.notary.payload.v1+json");
  EXPECT_TRUE(prot->find("io.cncf.notary.signingTime")->is_tag(1));
  ASSERT_NE(v->tagged().items[1].find(33), nullptr);
  EXPECT_EQ(v->tagged().items[1].find(33)->items.size(), 2u);
  // The vector was written with preferred heads, so encoding the decoded value gives it back.
  EXPECT_EQ(encode(*v), bytes);
}

TEST(CborTest, RefusesEveryTruncation) {
  const std::string bytes = cose_vector();
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(decode(std::string_view(bytes).substr(0, n))) << "prefix of " << n << " bytes";
  }
}

TEST(CborTest, RefusesIndefiniteLengths) {
  for (const char* h : {"5f42010243030405ff", "7f657374726561646d696e67ff", "9f018202039f0405ffff",
                        "bf61610161629f0203ffff", "1f"}) {
    auto v = decode(hex(h));
    ASSERT_FALSE(v) << h;
    EXPECT_NE(v.error().message.find("indefinite"), std::string::npos) << v.error().message;
  }
}

TEST(CborTest, RefusesHugeDeclaredLengthsWithoutAllocating) {
  for (const char* h : {"5bffffffffffffffff", "7bffffffffffffffff", "9bffffffffffffffff",
                        "bbffffffffffffffff", "5a7fffffff00", "9a0000ffff00"}) {
    auto v = decode(hex(h));
    ASSERT_FALSE(v) << h;
    EXPECT_NE(v.error().message.find("exceeds the input"), std::string::npos) << v.error().message;
  }
}

TEST(CborTest, BoundsNesting) {
  std::string nested(16, static_cast<char>(0x81));
  nested.push_back(0);
  EXPECT_TRUE(decode(nested));  // 16 arrays deep: at the limit
  std::string deep(10000, static_cast<char>(0x81));
  deep.push_back(0);
  auto v = decode(deep);
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message.find("nesting"), std::string::npos);
  std::string tags(100, static_cast<char>(0xc1));
  tags.push_back(0);
  EXPECT_FALSE(decode(tags));
}

TEST(CborTest, BoundsItemCount) {
  std::string many = hex("9a00002000") + std::string(0x2000, '\0');  // array of 8192 zeros
  auto v = decode(many);
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message.find("too many items"), std::string::npos);
  DecodeLimits limits;
  limits.max_items = 10000;
  EXPECT_TRUE(decode(many, limits));
}

TEST(CborTest, RefusesMalformedItems) {
  EXPECT_FALSE(decode(""));
  EXPECT_FALSE(decode(hex("0000")));            // trailing bytes
  EXPECT_FALSE(decode(hex("1c")));              // reserved additional information
  EXPECT_FALSE(decode(hex("f810")));            // two-byte simple value below 32
  EXPECT_FALSE(decode(hex("62c328")));          // text that is not UTF-8
  EXPECT_FALSE(decode(hex("63eda080")));        // UTF-8 surrogate
  EXPECT_FALSE(decode(hex("62c081")));          // overlong UTF-8
  EXPECT_FALSE(decode(hex("a201010102")));      // duplicate key 1
  EXPECT_FALSE(decode(hex("a2616101616102")));  // duplicate key "a"
  EXPECT_FALSE(decode(hex("a1800102")));        // array as a map key (and trailing)
  EXPECT_FALSE(decode(hex("a18001")));          // array as a map key
  EXPECT_TRUE(decode(hex("a201010202")));
}

TEST(CborTest, RefusesOversizedInput) {
  DecodeLimits limits;
  limits.max_input = 4;
  auto v = decode(hex("4401020304"), limits);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, ErrorCode::kTooLarge);
}

}  // namespace
}  // namespace bulwark::trust::cbor
