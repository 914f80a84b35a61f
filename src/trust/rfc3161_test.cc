// RFC 3161 timestamps: every mock bundle's timestamp verifies over the bundle's signature bytes
// against the mock TSA (as a TimeStampResp and as the bare token openssl extracts from it), and is
// refused over other bytes, against the public-good TSA, with a flipped signature byte, outside the
// authority's validity window, and when it is not a timestamp at all.
#include "trust/rfc3161.h"

#include <gtest/gtest.h>

#include "common/temp_dir.h"
#include "trust/pki_test_support.h"

namespace bulwark::trust {
namespace {

using testing::authorities;
using testing::bundle_parts;
using testing::read_file;
using testing::rfc3339;
using testing::run;
using testing::write_file;

constexpr std::string_view kBlob = "keyless-mock/blob/artifact.txt.sigstore.json";

std::vector<CertificateAuthority> mock_tsas() {
  return authorities("keyless-mock/trusted_root.json", "timestampAuthorities");
}

TEST(Rfc3161, BlobTimestampVerifiesOverTheSignature) {
  auto parts = bundle_parts(kBlob);
  ASSERT_EQ(parts.timestamps.size(), 1u);
  auto tsas = mock_tsas();
  auto ts = verify_rfc3161(parts.timestamps[0], parts.signature, tsas);
  ASSERT_TRUE(ts) << ts.error().message;
  // `openssl ts -reply -text` prints "Time stamp: Nov 27 18:44:35.814 2026 GMT".
  EXPECT_EQ(ts->gen_time, rfc3339("2026-11-27T18:44:35Z"));
  EXPECT_EQ(ts->authority_uri, "http://127.0.0.1:38617");
  EXPECT_EQ(ts->signer, "O=sigstore.mock,CN=tsa signing");
  // Close to the Rekor entry's time.
  EXPECT_LE(std::abs(ts->gen_time - parts.integrated_time), 60);
}

TEST(Rfc3161, EveryMockBundleTimestampVerifies) {
  auto tsas = mock_tsas();
  for (std::string_view bundle : testing::kKeylessBundles) {
    SCOPED_TRACE(std::string(bundle));
    auto parts = bundle_parts(bundle);
    ASSERT_FALSE(parts.timestamps.empty());
    for (const auto& der : parts.timestamps) {
      auto ts = verify_rfc3161(der, parts.signature, tsas);
      ASSERT_TRUE(ts) << ts.error().message;
      // And not over another bundle's signature.
      auto other = bundle_parts(bundle == kBlob ? testing::kKeylessBundles[1] : kBlob);
      EXPECT_FALSE(verify_rfc3161(der, other.signature, tsas));
    }
  }
}

TEST(Rfc3161, BareTokenVerifiesToo) {
  auto parts = bundle_parts(kBlob);
  TempDir dir("pki-tsa");
  write_file(dir.file("resp.der"), parts.timestamps[0]);
  ASSERT_TRUE(run("openssl ts -reply -in " + dir.file("resp.der") + " -token_out -out " +
                  dir.file("token.der")));
  std::string token = read_file(dir.file("token.der"));
  ASSERT_FALSE(token.empty());
  ASSERT_NE(token, parts.timestamps[0]);
  auto tsas = mock_tsas();
  auto ts = verify_rfc3161(token, parts.signature, tsas);
  ASSERT_TRUE(ts) << ts.error().message;
  EXPECT_EQ(ts->gen_time, rfc3339("2026-11-27T18:44:35Z"));
  EXPECT_FALSE(verify_rfc3161(token, parts.signature + "x", tsas));
}

TEST(Rfc3161, OtherBytesAreRefused) {
  auto parts = bundle_parts(kBlob);
  auto tsas = mock_tsas();
  std::string other = parts.signature;
  other[5] ^= 0x01;
  auto ts = verify_rfc3161(parts.timestamps[0], other, tsas);
  ASSERT_FALSE(ts);
  EXPECT_EQ(ts.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(ts.error().message, "imprint is over other bytes");
}

TEST(Rfc3161, AnotherTsaIsRefused) {
  auto parts = bundle_parts(kBlob);
  auto public_good = authorities("public-good-trusted_root.json", "timestampAuthorities");
  ASSERT_FALSE(public_good.empty());
  auto ts = verify_rfc3161(parts.timestamps[0], parts.signature, public_good);
  ASSERT_FALSE(ts);
  EXPECT_NE(ts.error().message.find("no trusted TSA"), std::string::npos) << ts.error().message;
  EXPECT_FALSE(verify_rfc3161(parts.timestamps[0], parts.signature, {}));
  // The Fulcio CA is no TSA either.
  auto fulcio = authorities("keyless-mock/trusted_root.json", "certificateAuthorities");
  EXPECT_FALSE(verify_rfc3161(parts.timestamps[0], parts.signature, fulcio));
}

TEST(Rfc3161, FlippedSignatureByteIsRefused) {
  auto parts = bundle_parts(kBlob);
  std::string der = parts.timestamps[0];
  der[der.size() - 1] ^= 0x01;  // the last byte of the SignerInfo's ECDSA signature
  auto tsas = mock_tsas();
  auto ts = verify_rfc3161(der, parts.signature, tsas);
  ASSERT_FALSE(ts);
  EXPECT_NE(ts.error().message.find("signature does not verify"), std::string::npos)
      << ts.error().message;
}

TEST(Rfc3161, AuthorityValidityWindowIsEnforced) {
  auto parts = bundle_parts(kBlob);
  auto tsas = mock_tsas();
  tsas[0].validity.start = rfc3339("2026-11-28T00:00:00Z");
  auto ts = verify_rfc3161(parts.timestamps[0], parts.signature, tsas);
  ASSERT_FALSE(ts);
  EXPECT_NE(ts.error().message.find("validity"), std::string::npos) << ts.error().message;
  tsas = mock_tsas();
  tsas[0].validity.end = rfc3339("2026-11-27T00:00:00Z");
  EXPECT_FALSE(verify_rfc3161(parts.timestamps[0], parts.signature, tsas));
}

TEST(Rfc3161, GarbageIsRefused) {
  auto tsas = mock_tsas();
  for (std::string_view der : {std::string_view(""), std::string_view("\x30\x03\x02\x01\x00"),
                               std::string_view("not der at all")}) {
    auto ts = verify_rfc3161(der, "x", tsas);
    ASSERT_FALSE(ts);
    EXPECT_EQ(ts.error().code, ErrorCode::kInvalidArgument);
  }
  auto parts = bundle_parts(kBlob);
  EXPECT_FALSE(verify_rfc3161(parts.timestamps[0] + std::string(1, '\0'), parts.signature, tsas));
  EXPECT_FALSE(verify_rfc3161(parts.timestamps[0].substr(0, 100), parts.signature, tsas));
}

}  // namespace
}  // namespace bulwark::trust
