#include "auth/password.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sodium.h>

#include <set>
#include <thread>
#include <vector>

#include "common/encoding.h"

namespace bulwark::auth {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// The cheapest argon2id libsodium allows, so most tests run fast; one test uses the defaults.
const PasswordParams kFast{crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};

TEST(Password, HashVerifiesOnlyTheSamePassword) {
  auto stored = hash_password("correct horse battery staple", kFast);
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_THAT(*stored, StartsWith("$argon2id$v=19$"));
  EXPECT_THAT(*stored, Not(HasSubstr("correct horse")));
  EXPECT_TRUE(verify_password(*stored, "correct horse battery staple"));
  EXPECT_FALSE(verify_password(*stored, "correct horse battery stapler"));
  EXPECT_FALSE(verify_password(*stored, "Correct horse battery staple"));
  EXPECT_FALSE(verify_password(*stored, ""));
}

TEST(Password, DefaultsAreArgon2idInteractive) {
  auto stored = hash_password("s3cret-Password");
  ASSERT_TRUE(stored);
  EXPECT_THAT(*stored, StartsWith("$argon2id$v=19$m=65536,t=2,p=1$"));
  EXPECT_TRUE(verify_password(*stored, "s3cret-Password"));
  EXPECT_FALSE(needs_rehash(*stored));
}

TEST(Password, SaltMakesEveryHashDifferent) {
  auto a = hash_password("same", kFast);
  auto b = hash_password("same", kFast);
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(verify_password(*a, "same"));
  EXPECT_TRUE(verify_password(*b, "same"));
}

TEST(Password, RefusesEmptyAndOverlongPasswordsWithoutEchoingThem) {
  auto empty = hash_password("", kFast);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);

  std::string longest(kMaxPasswordBytes, 'x');
  EXPECT_TRUE(hash_password(longest, kFast));
  std::string too_long = "SECRETMARKER" + std::string(kMaxPasswordBytes, 'x');
  auto refused = hash_password(too_long, kFast);
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message, Not(HasSubstr("SECRETMARKER")));

  auto stored = hash_password("x", kFast);
  ASSERT_TRUE(stored);
  EXPECT_FALSE(verify_password(*stored, too_long));
}

TEST(Password, RefusesOutOfBoundsParams) {
  auto r = hash_password("pw", PasswordParams{0, crypto_pwhash_MEMLIMIT_MIN});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST(Password, MalformedStoredHashesNeverVerify) {
  auto stored = hash_password("pw", kFast);
  ASSERT_TRUE(stored);
  std::string with_nul = *stored;
  with_nul.insert(with_nul.begin() + 5, '\0');
  std::string truncated = stored->substr(0, stored->size() - 4);
  for (const std::string& bad : {std::string(), std::string("pw"), std::string("$argon2id$"),
                                 with_nul, truncated, *stored + std::string(200, 'A')}) {
    EXPECT_FALSE(verify_password(bad, "pw")) << bad;
    EXPECT_TRUE(needs_rehash(bad)) << bad;
  }
}

TEST(Password, OnlyArgon2idHashesAreAccepted) {
  // argon2i is libsodium's other pwhash algorithm: a valid hash, but not one we issue.
  std::array<char, crypto_pwhash_STRBYTES> argon2i{};
  ASSERT_EQ(crypto_pwhash_argon2i_str(argon2i.data(), "pw", 2, 3, crypto_pwhash_MEMLIMIT_MIN), 0);
  EXPECT_FALSE(verify_password(argon2i.data(), "pw"));
  EXPECT_TRUE(needs_rehash(argon2i.data()));
}

TEST(Password, NeedsRehashWhenParamsChange) {
  auto stored = hash_password("pw", kFast);
  ASSERT_TRUE(stored);
  EXPECT_FALSE(needs_rehash(*stored, kFast));
  EXPECT_TRUE(needs_rehash(*stored));  // the defaults are stronger
  EXPECT_TRUE(needs_rehash(*stored, PasswordParams{kFast.opslimit + 1, kFast.memlimit}));
}

TEST(Password, GeneratedSecretsAreUrlSafeAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string s = generate_secret(32);
    EXPECT_EQ(s.size(), 43u);  // 32 bytes, unpadded base64
    EXPECT_EQ(
        s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos);
    auto raw = base64url_decode(s);
    ASSERT_TRUE(raw);
    EXPECT_EQ(raw->size(), 32u);
    seen.insert(s);
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_EQ(generate_secret(16).size(), 22u);
}

TEST(Password, ConcurrentUseIsSafe) {
  std::vector<std::thread> threads;
  std::atomic<int> verified{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::string pw = "pw" + std::to_string(t) + generate_secret(16);
      auto stored = hash_password(pw, kFast);
      if (stored && verify_password(*stored, pw) && !verify_password(*stored, pw + "x")) ++verified;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(verified, 4);
}

}  // namespace
}  // namespace bulwark::auth
