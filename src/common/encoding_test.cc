#include "common/encoding.h"

#include <gtest/gtest.h>

namespace bulwark {
namespace {

struct Vector {
  std::string_view bytes, encoded;
};

// RFC 4648 §10 test vectors (padding stripped).
TEST(Base64Url, Rfc4648Vectors) {
  for (auto [bytes, encoded] :
       {Vector{"", ""}, Vector{"f", "Zg"}, Vector{"fo", "Zm8"}, Vector{"foo", "Zm9v"},
        Vector{"foob", "Zm9vYg"}, Vector{"fooba", "Zm9vYmE"}, Vector{"foobar", "Zm9vYmFy"}}) {
    EXPECT_EQ(base64url_encode(bytes), encoded);
    EXPECT_EQ(base64url_decode(encoded), std::string(bytes));
  }
}

TEST(Base64Url, UsesTheUrlSafeAlphabet) {
  EXPECT_EQ(base64url_encode(std::string("\xfb\xff", 2)), "-_8");
  EXPECT_EQ(base64url_decode("-_8"), std::string("\xfb\xff", 2));
}

TEST(Base64Url, RefusesNonCanonicalOrForeignSpellings) {
  for (std::string_view bad : {"Zg==", "Zm9v YmFy", "Z", "Zh", "+/8", "Zm9v\n", "Zm9v."}) {
    EXPECT_FALSE(base64url_decode(bad).has_value()) << bad;
  }
}

// RFC 4648 §10 base32 vectors (padding stripped).
TEST(Base64, DecodesStandardPaddedBase64) {
  EXPECT_EQ(base64_decode("YWxpY2U6czNjcmV0"), "alice:s3cret");
  EXPECT_EQ(base64_decode("Zm8="), "fo");
  EXPECT_EQ(base64_decode("+/8="), std::string("\xfb\xff"));
  EXPECT_EQ(base64_decode(""), "");
  EXPECT_EQ(base64_decode("Zm8"), std::nullopt);       // padding missing
  EXPECT_EQ(base64_decode("-_8="), std::nullopt);      // URL-safe alphabet
  EXPECT_EQ(base64_decode("Zm 8="), std::nullopt);     // whitespace
  EXPECT_EQ(base64_decode("Zm8=Zm8="), std::nullopt);  // padding in the middle
}

// RFC 4648 §10 base64 vectors, and a round trip through the decoder.
TEST(Base64, EncodesRfc4648VectorsWithPadding) {
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foobar", "Zm9vYmFy"},
      {"\xfb\xff", "+/8="}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    EXPECT_EQ(base64_decode(encoded), std::string(plain));
  }
}

TEST(Base32, Rfc4648Vectors) {
  for (auto [bytes, encoded] :
       {Vector{"", ""}, Vector{"f", "MY"}, Vector{"fo", "MZXQ"}, Vector{"foo", "MZXW6"},
        Vector{"foob", "MZXW6YQ"}, Vector{"fooba", "MZXW6YTB"}, Vector{"foobar", "MZXW6YTBOI"}}) {
    EXPECT_EQ(base32_encode(bytes), encoded);
    EXPECT_EQ(base32_decode(encoded), std::string(bytes));
  }
}

TEST(Base32, ToleratesPaddingAndLowerCase) {
  EXPECT_EQ(base32_decode("MZXW6YQ="), "foob");
  EXPECT_EQ(base32_decode("MZXW6YTBOI======"), "foobar");
  EXPECT_EQ(base32_decode("mzxw6ytboi"), "foobar");
}

TEST(Base32, RefusesForeignCharactersAndImpossibleLengths) {
  for (std::string_view bad : {"MZXW6Y1", "MZXW6Y0Q", "M", "MZX", "MZXW6Y", "MY=Y", "MZ XW"}) {
    EXPECT_FALSE(base32_decode(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace bulwark
