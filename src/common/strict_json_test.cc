#include "common/strict_json.h"

#include <gtest/gtest.h>

namespace bulwark {
namespace {

TEST(StrictJson, ParsesStandardJson) {
  auto v = parse_strict_json(R"({"a":[1,2,{"b":"c"}],"n":-3,"x":null})");
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->at("a").at(2).at("b").as_string(), "c");
  EXPECT_EQ(v->at("n").as_int64(), -3);
}

TEST(StrictJson, RefusesRepeatedKeysAtAnyDepth) {
  auto top = parse_strict_json(R"({"size":1,"size":2})");
  ASSERT_FALSE(top);
  EXPECT_EQ(top.error().message, "duplicate key \"size\"");
  auto nested = parse_strict_json(R"({"a":{"k":1,"k":1}})");
  ASSERT_FALSE(nested);
  EXPECT_EQ(nested.error().message, "duplicate key \"k\"");
  // The same key in sibling objects is fine.
  EXPECT_TRUE(parse_strict_json(R"([{"k":1},{"k":2}])"));
}

TEST(StrictJson, RefusesNonStandardAndTrailingInput) {
  EXPECT_FALSE(parse_strict_json(R"({"a":1,})"));
  EXPECT_FALSE(parse_strict_json("{\"a\":1} // c"));
  EXPECT_FALSE(parse_strict_json("{} {}"));
  EXPECT_FALSE(parse_strict_json("\"\xff\""));
  auto trailing = parse_strict_json("[1] x");
  ASSERT_FALSE(trailing);
  EXPECT_NE(trailing.error().message.find("not valid JSON"), std::string::npos);
}

TEST(StrictJson, BoundsNesting) {
  std::string deep(20, '[');
  deep += std::string(20, ']');
  EXPECT_TRUE(parse_strict_json(deep, 20));
  EXPECT_FALSE(parse_strict_json(deep, 19));
}

TEST(StrictJson, QuotesUntrustedTextSafely) {
  EXPECT_EQ(quote_untrusted("ok"), "\"ok\"");
  EXPECT_EQ(quote_untrusted("a\"b\n"), "\"a?b?\"");
  EXPECT_EQ(quote_untrusted(std::string(70, 'x')), "\"" + std::string(64, 'x') + "...\"");
}

}  // namespace
}  // namespace bulwark
