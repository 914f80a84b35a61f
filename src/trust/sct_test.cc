// Embedded SCTs: the SCT of every mock Fulcio leaf verifies against the mock trusted root's CT
// log, and is refused against the public-good CT logs (unknown log), with a flipped byte in its
// signature, timestamp or the certificate it vouches for, with the wrong issuer, and outside the
// log's validity period. A certificate without SCTs says so.
#include "trust/sct.h"

#include <gtest/gtest.h>

#include "trust/pki_test_support.h"

namespace bulwark::trust {
namespace {

using testing::authorities;
using testing::bundle_parts;
using testing::ct_logs;
using testing::vector_file;

constexpr std::string_view kMockRoot = "keyless-mock/trusted_root.json";
constexpr std::string_view kPublicGoodRoot = "public-good-trusted_root.json";
// DER of the OID 1.3.6.1.4.1.11129.2.4.2 (the embedded SCT list extension).
const std::string kSctOid("\x06\x0a\x2b\x06\x01\x04\x01\xd6\x79\x02\x04\x02", 12);

Certificate fulcio_root() {
  auto cas = authorities(kMockRoot, "certificateAuthorities");
  EXPECT_EQ(cas.size(), 1u);
  return cas.at(0).chain.back();
}

Certificate leaf() {
  auto cert =
      Certificate::from_der(bundle_parts("keyless-mock/blob/artifact.txt.sigstore.json").leaf_der);
  EXPECT_TRUE(cert);
  return *cert;
}

// [start, end) of the SCT list extension (a SEQUENCE with a short or one-byte long length) in
// `der`; the SCT's signature is its last bytes, its timestamp sits 2+2+1+32 bytes after the
// inner OCTET STRING headers.
std::pair<size_t, size_t> sct_extension(const std::string& der) {
  size_t oid = der.find(kSctOid);
  EXPECT_NE(oid, std::string::npos);
  auto u = [&](size_t i) { return static_cast<unsigned char>(der[i]); };
  if (u(oid - 2) == 0x30) return {oid - 2, oid + u(oid - 1)};
  EXPECT_EQ(u(oid - 3), 0x30);
  EXPECT_EQ(u(oid - 2), 0x81);
  return {oid - 3, oid + u(oid - 1)};
}

Result<size_t> verify_der(const std::string& leaf_der, const Certificate& issuer,
                          std::string_view root) {
  auto cert = Certificate::from_der(leaf_der);
  EXPECT_TRUE(cert) << cert.error().message;
  auto logs = ct_logs(root);
  return verify_embedded_scts(*cert, issuer, logs);
}

TEST(Sct, EveryMockLeafHasAnSctThatVerifies) {
  for (std::string_view bundle : testing::kKeylessBundles) {
    SCOPED_TRACE(std::string(bundle));
    auto n = verify_der(bundle_parts(bundle).leaf_der, fulcio_root(), kMockRoot);
    ASSERT_TRUE(n) << n.error().message;
    EXPECT_EQ(*n, 1u);
  }
}

TEST(Sct, OutcomeNamesTheLogAndTime) {
  auto logs = ct_logs(kMockRoot);
  auto outcomes = check_embedded_scts(leaf(), fulcio_root(), logs);
  ASSERT_TRUE(outcomes) << outcomes.error().message;
  ASSERT_EQ(outcomes->size(), 1u);
  const SctOutcome& sct = (*outcomes)[0];
  EXPECT_TRUE(sct.status);
  // The trusted root files the log under the SHA-256 of its key.
  EXPECT_EQ(sct.log_id, logs[0].log_id);
  EXPECT_EQ(sct.log_id, logs[0].key.key_id());
  // Logged while the leaf was valid (it lives ten minutes).
  EXPECT_GE(sct.timestamp_ms / 1000, leaf().not_before() - 60);
  EXPECT_LE(sct.timestamp_ms / 1000, leaf().not_after());
}

TEST(Sct, PublicGoodLogsDoNotKnowTheMockLog) {
  auto n = verify_der(leaf().der(), fulcio_root(), kPublicGoodRoot);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(n.error().message.find("SCT from unknown log"), std::string::npos) << n.error().message;
  EXPECT_FALSE(verify_embedded_scts(leaf(), fulcio_root(), {}));
}

TEST(Sct, FlippedSignatureByteIsRefused) {
  std::string der = leaf().der();
  auto [start, end] = sct_extension(der);
  der[end - 1] ^= 0x01;  // the last byte of the ECDSA s value
  auto n = verify_der(der, fulcio_root(), kMockRoot);
  ASSERT_FALSE(n);
  EXPECT_NE(n.error().message.find("SCT signature does not verify"), std::string::npos)
      << n.error().message;
}

TEST(Sct, FlippedTimestampIsRefused) {
  std::string der = leaf().der();
  auto [start, end] = sct_extension(der);
  // extnValue OCTET STRING (2-byte header for these sizes) > inner OCTET STRING (2) > list
  // length (2) > SCT length (2) > version (1) > log id (32) > timestamp (8).
  size_t value = der.find('\x04', start + 2 + kSctOid.size());
  size_t timestamp = value + 2 + 2 + 2 + 2 + 1 + 32;
  der[timestamp + 7] ^= 0x01;
  auto n = verify_der(der, fulcio_root(), kMockRoot);
  ASSERT_FALSE(n);
  EXPECT_NE(n.error().message.find("SCT signature does not verify"), std::string::npos);
}

TEST(Sct, ChangedCertificateIsRefused) {
  std::string der = leaf().der();
  size_t at = der.find("example-repo");
  ASSERT_NE(at, std::string::npos);
  der[at] = 'E';  // another identity: the precertificate the log signed differs
  auto n = verify_der(der, fulcio_root(), kMockRoot);
  ASSERT_FALSE(n);
  EXPECT_NE(n.error().message.find("SCT signature does not verify"), std::string::npos);
}

TEST(Sct, WrongIssuerIsRefused) {
  auto other = Certificate::from_pem(vector_file("notation-synthetic/pki/root.crt"));
  ASSERT_TRUE(other);
  auto n = verify_der(leaf().der(), *other, kMockRoot);
  ASSERT_FALSE(n);
  EXPECT_NE(n.error().message.find("SCT signature does not verify"), std::string::npos);
}

TEST(Sct, SctOutsideTheLogValidityIsRefused) {
  auto logs = ct_logs(kMockRoot);
  logs[0].validity.start = leaf().not_after() + 3600;
  auto n = verify_embedded_scts(leaf(), fulcio_root(), logs);
  ASSERT_FALSE(n);
  EXPECT_NE(n.error().message.find("validity"), std::string::npos) << n.error().message;
  logs = ct_logs(kMockRoot);
  logs[0].validity.end = leaf().not_before() - 3600;
  EXPECT_FALSE(verify_embedded_scts(leaf(), fulcio_root(), logs));
}

TEST(Sct, ThresholdAboveTheNumberOfSctsFails) {
  auto logs = ct_logs(kMockRoot);
  EXPECT_TRUE(verify_embedded_scts(leaf(), fulcio_root(), logs, 1));
  EXPECT_FALSE(verify_embedded_scts(leaf(), fulcio_root(), logs, 2));
}

TEST(Sct, CertificateWithoutSctsSaysSo) {
  auto logs = ct_logs(kMockRoot);
  auto n = verify_embedded_scts(fulcio_root(), fulcio_root(), logs);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().message, "no embedded SCT");
  auto outcomes = check_embedded_scts(fulcio_root(), fulcio_root(), logs);
  ASSERT_FALSE(outcomes);
  EXPECT_EQ(outcomes.error().message, "no embedded SCT");
}

}  // namespace
}  // namespace bulwark::trust
