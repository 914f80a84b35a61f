#include "auth/totp.h"

#include <gtest/gtest.h>

#include "common/encoding.h"

namespace bulwark::auth {
namespace {

// RFC 6238 Appendix B: the seed is the ASCII digits repeated to the HMAC's output length.
const std::string kSeed20 = "12345678901234567890";
const std::string kSeed32 = "12345678901234567890123456789012";
const std::string kSeed64 = "1234567890123456789012345678901234567890123456789012345678901234";

TEST(Totp, Rfc6238AppendixBVectors) {
  struct Vector {
    int64_t time;
    const char* sha1;
    const char* sha256;
    const char* sha512;
  };
  constexpr Vector kVectors[] = {
      {59, "94287082", "46119246", "90693936"},
      {1111111109, "07081804", "68084774", "25091201"},
      {1111111111, "14050471", "67062674", "99943326"},
      {1234567890, "89005924", "91819424", "93441116"},
      {2000000000, "69279037", "90698825", "38618901"},
      {20000000000, "65353130", "77737706", "47863826"},
  };
  for (const Vector& v : kVectors) {
    EXPECT_EQ(totp_code(kSeed20, v.time, {TotpAlgorithm::kSha1, 8, 30}), v.sha1) << v.time;
    EXPECT_EQ(totp_code(kSeed32, v.time, {TotpAlgorithm::kSha256, 8, 30}), v.sha256) << v.time;
    EXPECT_EQ(totp_code(kSeed64, v.time, {TotpAlgorithm::kSha512, 8, 30}), v.sha512) << v.time;
  }
}

TEST(Totp, Rfc4226AppendixDHotpVectors) {
  // With a one-second period the time step is the HOTP counter.
  constexpr const char* kCodes[] = {"755224", "287082", "359152", "969429", "338314",
                                    "254676", "287922", "162583", "399871", "520489"};
  for (int counter = 0; counter < 10; ++counter) {
    EXPECT_EQ(totp_code(kSeed20, counter, {TotpAlgorithm::kSha1, 6, 1}), kCodes[counter]);
  }
}

TEST(Totp, SevenDigitsAndDefaultParams) {
  EXPECT_EQ(totp_code(kSeed20, 59, {TotpAlgorithm::kSha1, 7, 30}), "4287082");
  EXPECT_EQ(totp_code(kSeed20, 59), "287082");
}

TEST(Totp, VerifyAcceptsTheCurrentAndAdjacentStepsOnly) {
  const int64_t now = 1'700'000'015;  // step 56666667, 15 s into it
  const int64_t step = now / 30;
  EXPECT_EQ(totp_verify(kSeed20, totp_code(kSeed20, now), now), step);
  EXPECT_EQ(totp_verify(kSeed20, totp_code(kSeed20, now - 30), now), step - 1);
  EXPECT_EQ(totp_verify(kSeed20, totp_code(kSeed20, now + 30), now), step + 1);
  EXPECT_EQ(totp_verify(kSeed20, totp_code(kSeed20, now - 60), now), std::nullopt);
  EXPECT_EQ(totp_verify(kSeed20, totp_code(kSeed20, now - 60), now, 2), step - 2);
  EXPECT_EQ(totp_verify(kSeed20, totp_code(kSeed20, now - 30), now, 0), std::nullopt);
  EXPECT_EQ(totp_verify("another secret", totp_code(kSeed20, now), now), std::nullopt);
}

TEST(Totp, VerifyRefusesReplayOfAUsedStep) {
  const int64_t now = 1'700'000'015;
  std::string code = totp_code(kSeed20, now);
  auto used = totp_verify(kSeed20, code, now);
  ASSERT_TRUE(used);
  EXPECT_EQ(totp_verify(kSeed20, code, now, 1, {}, *used), std::nullopt);
  EXPECT_EQ(totp_verify(kSeed20, code, now + 20, 1, {}, *used), std::nullopt);
  // An earlier step's code is refused too once a later one was used.
  EXPECT_EQ(totp_verify(kSeed20, totp_code(kSeed20, now - 30), now, 1, {}, *used), std::nullopt);
  // The next step's code still works.
  EXPECT_EQ(totp_verify(kSeed20, totp_code(kSeed20, now + 30), now + 30, 1, {}, *used), *used + 1);
}

TEST(Totp, VerifyRefusesMalformedInput) {
  const int64_t now = 1'700'000'015;
  std::string code = totp_code(kSeed20, now);
  EXPECT_EQ(totp_verify(kSeed20, code + "0", now), std::nullopt);
  EXPECT_EQ(totp_verify(kSeed20, code.substr(1), now), std::nullopt);
  EXPECT_EQ(totp_verify(kSeed20, " " + code.substr(1), now), std::nullopt);
  EXPECT_EQ(totp_verify(kSeed20, "", now), std::nullopt);
  EXPECT_EQ(totp_verify(kSeed20, code, -1), std::nullopt);
  EXPECT_EQ(totp_verify(kSeed20, code, now, 1, {TotpAlgorithm::kSha1, 5, 30}), std::nullopt);
  EXPECT_EQ(totp_verify(kSeed20, code, now, 1, {TotpAlgorithm::kSha1, 6, 0}), std::nullopt);
}

TEST(Totp, ParamsValidation) {
  EXPECT_TRUE(totp_params_valid({}));
  EXPECT_TRUE(totp_params_valid({TotpAlgorithm::kSha512, 8, 60}));
  EXPECT_FALSE(totp_params_valid({TotpAlgorithm::kSha1, 9, 30}));
  EXPECT_FALSE(totp_params_valid({TotpAlgorithm::kSha1, 6, -30}));
  EXPECT_FALSE(totp_params_valid({static_cast<TotpAlgorithm>(7), 6, 30}));
}

TEST(Totp, GeneratedSecretsMatchTheHashSizeAndSurviveBase32) {
  EXPECT_EQ(generate_totp_secret().size(), 20u);
  EXPECT_EQ(generate_totp_secret({TotpAlgorithm::kSha256, 6, 30}).size(), 32u);
  EXPECT_EQ(generate_totp_secret({TotpAlgorithm::kSha512, 6, 30}).size(), 64u);
  std::string a = generate_totp_secret();
  EXPECT_NE(a, generate_totp_secret());
  EXPECT_EQ(base32_decode(base32_encode(a)), a);
  // An app user typing the secret in lower case with padding still gets the same key.
  EXPECT_EQ(base32_decode("gezdgnbvgy3tqojqgezdgnbvgy3tqojq===="), kSeed20);
}

TEST(Totp, OtpauthUriEncodesLabelAndParameters) {
  EXPECT_EQ(otpauth_uri("ACME Co", "alice@example.com", kSeed20),
            "otpauth://totp/ACME%20Co:alice%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            "&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30");
  EXPECT_EQ(otpauth_uri("Bulwark", "a:b&c", "\x01", {TotpAlgorithm::kSha256, 8, 60}),
            "otpauth://totp/Bulwark:a%3Ab%26c?secret=AE&issuer=Bulwark&algorithm=SHA256&digits=8"
            "&period=60");
}

}  // namespace
}  // namespace bulwark::auth
