// Sigstore trusted roots: the keyless-mock root and the public-good root (production, from
// @sigstore/tuf) parse into the authorities the files list; expected values (dates, counts, ids)
// are read off the files and converted with `date -u -d ... +%s`, not taken from this parser.
// Malformed roots are refused with errors naming the field; unknown fields are ignored.
#include "trust/trusted_root.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <functional>
#include <sstream>

#include "common/encoding.h"
#include "trust/testing.h"

namespace bulwark::trust {
namespace {

using testing::read_file;


std::string mock_root_path() {
  return std::string(TRUST_SIGSTORE_DIR) + "/keyless-mock/trusted_root.json";
}
std::string public_good_path() {
  return std::string(TRUST_SIGSTORE_DIR) + "/public-good-trusted_root.json";
}

std::string b64d(std::string_view s) { return base64_decode(s).value(); }

TEST(TrustedRoot, KeylessMockRoot) {
  auto root = load_trusted_root(mock_root_path());
  ASSERT_TRUE(root) << root.error().message;
  EXPECT_EQ("application/vnd.dev.sigstore.trustedroot+json;version=0.1", root->media_type);
  ASSERT_EQ(1u, root->tlogs.size());
  ASSERT_EQ(1u, root->ctlogs.size());
  ASSERT_EQ(1u, root->certificate_authorities.size());
  ASSERT_EQ(1u, root->timestamp_authorities.size());

  const TransparencyLog& rekor = root->tlogs[0];
  EXPECT_EQ("http://127.0.0.1:38617", rekor.base_url);
  EXPECT_EQ(b64d("k3wgSZDbNacEElyYdowyj5Nl64PQ03MgCyY9DQdmMso="), rekor.log_id);
  EXPECT_EQ(KeyType::kEcdsaP256, rekor.key.type());
  EXPECT_EQ(rekor.log_id, rekor.key.key_id());  // Sigstore log ids are SHA-256 of the SPKI
  EXPECT_EQ(HashAlgorithm::kSha256, rekor.hash);
  EXPECT_EQ(1795805012, rekor.validity.start);  // 2026-11-27T18:43:32.936Z, fraction dropped
  EXPECT_FALSE(rekor.validity.end);

  EXPECT_EQ(b64d("2ko/IIcPRrkPRIM5m88K1URLykqoTcLoXy5noJQIXVk="), root->ctlogs[0].log_id);

  const CertificateAuthority& fulcio = root->certificate_authorities[0];
  EXPECT_EQ("http://127.0.0.1:38617", fulcio.uri);
  ASSERT_EQ(1u, fulcio.chain.size());
  EXPECT_EQ(1795805012, fulcio.validity.start);
  EXPECT_NE(std::string::npos, fulcio.chain[0].subject().find("CN=sigstore"));

  const CertificateAuthority& tsa = root->timestamp_authorities[0];
  ASSERT_EQ(2u, tsa.chain.size());
  // Listed signing certificate first, root last.
  EXPECT_NE(std::string::npos, tsa.chain.front().subject().find("CN=tsa signing"));
  EXPECT_NE(std::string::npos, tsa.chain.back().subject().find("CN=tsa"));
  EXPECT_EQ(tsa.chain.back().subject(), tsa.chain.back().issuer());

  EXPECT_EQ(&root->tlogs[0], root->find_tlog(rekor.log_id));
  EXPECT_EQ(nullptr, root->find_tlog(root->ctlogs[0].log_id));
  EXPECT_EQ(&root->ctlogs[0], root->find_ctlog(root->ctlogs[0].log_id));
  EXPECT_EQ(nullptr, root->find_tlog(std::string(32, '\0')));
}

TEST(TrustedRoot, PublicGoodRoot) {
  auto root = load_trusted_root(public_good_path());
  ASSERT_TRUE(root) << root.error().message;
  ASSERT_EQ(2u, root->tlogs.size());
  ASSERT_EQ(2u, root->certificate_authorities.size());
  ASSERT_EQ(2u, root->ctlogs.size());
  ASSERT_EQ(1u, root->timestamp_authorities.size());

  const TransparencyLog& v1 = root->tlogs[0];
  EXPECT_EQ("https://rekor.sigstore.dev", v1.base_url);
  EXPECT_EQ(KeyType::kEcdsaP256, v1.key.type());
  EXPECT_EQ(1610452407, v1.validity.start);
  EXPECT_EQ(b64d("wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0="), v1.log_id);

  const TransparencyLog& v2 = root->tlogs[1];
  EXPECT_EQ("https://log2025-1.rekor.sigstore.dev", v2.base_url);
  EXPECT_EQ(KeyType::kEd25519, v2.key.type());
  EXPECT_EQ(1758585600, v2.validity.start);
  EXPECT_EQ(b64d("zxGZFVvd0FEmjR8WrFwMdcAJ9vtaY/QXf44Y1wUeP6A="), v2.log_id);
  EXPECT_EQ(&root->tlogs[1], root->find_tlog(v2.log_id));

  const CertificateAuthority& old_fulcio = root->certificate_authorities[0];
  ASSERT_TRUE(old_fulcio.validity.end);
  EXPECT_EQ(1672531199, *old_fulcio.validity.end);  // 2022-12-31T23:59:59.999Z
  EXPECT_TRUE(old_fulcio.validity.contains(1672531199));
  EXPECT_FALSE(old_fulcio.validity.contains(1672531200));

  const CertificateAuthority& fulcio = root->certificate_authorities[1];
  EXPECT_EQ("https://fulcio.sigstore.dev", fulcio.uri);
  EXPECT_EQ(1649880375, fulcio.validity.start);
  ASSERT_EQ(2u, fulcio.chain.size());
  // The file lists the intermediate first and the root last.
  EXPECT_NE(std::string::npos, fulcio.chain.front().subject().find("sigstore-intermediate"));
  EXPECT_EQ(fulcio.chain.back().subject(), fulcio.chain.back().issuer());

  ASSERT_TRUE(root->ctlogs[0].validity.end);
  EXPECT_EQ(1667260799, *root->ctlogs[0].validity.end);
  EXPECT_EQ("https://ctfe.sigstore.dev/2022", root->ctlogs[1].base_url);

  // The mock's log is not in the public-good root.
  EXPECT_EQ(nullptr, root->find_tlog(b64d("k3wgSZDbNacEElyYdowyj5Nl64PQ03MgCyY9DQdmMso=")));
}

// Edits the mock root and expects parse_trusted_root to fail with `code` and `needle`.
void expect_refused(const std::function<void(boost::json::object&)>& edit, ErrorCode code,
                    std::string_view needle) {
  boost::json::value doc = boost::json::parse(read_file(mock_root_path()));
  edit(doc.as_object());
  auto root = parse_trusted_root(boost::json::serialize(doc));
  ASSERT_FALSE(root) << "accepted; expected " << needle;
  EXPECT_EQ(code, root.error().code) << root.error().message;
  EXPECT_NE(std::string::npos, root.error().message.find(needle)) << root.error().message;
}

boost::json::object& tlog0(boost::json::object& root) {
  return root["tlogs"].as_array()[0].as_object();
}

TEST(TrustedRoot, RefusesMalformedRootsNamingTheField) {
  expect_refused([](auto& r) { r.erase("mediaType"); }, ErrorCode::kInvalidArgument, "mediaType");
  expect_refused([](auto& r) { r["mediaType"] = "application/json"; }, ErrorCode::kUnsupported,
                 "mediaType");
  expect_refused([](auto& r) { tlog0(r)["publicKey"].as_object()["rawBytes"] = "@@@"; },
                 ErrorCode::kInvalidArgument, "tlogs[0].publicKey.rawBytes: not valid base64");
  expect_refused([](auto& r) { tlog0(r)["publicKey"].as_object()["rawBytes"] = "AAAA"; },
                 ErrorCode::kInvalidArgument, "tlogs[0].publicKey.rawBytes");
  expect_refused([](auto& r) { tlog0(r)["publicKey"].as_object()["keyDetails"] = "PKIX_ED25519"; },
                 ErrorCode::kInvalidArgument, "tlogs[0].publicKey.keyDetails");
  expect_refused(
      [](auto& r) { tlog0(r)["publicKey"].as_object()["keyDetails"] = "PKIX_ECDSA_P521_SHA_512"; },
      ErrorCode::kUnsupported, "tlogs[0].publicKey.keyDetails");
  expect_refused([](auto& r) { tlog0(r).erase("logId"); }, ErrorCode::kInvalidArgument,
                 "tlogs[0].logId: missing");
  expect_refused([](auto& r) { tlog0(r)["hashAlgorithm"] = "MD5"; }, ErrorCode::kUnsupported,
                 "tlogs[0].hashAlgorithm");
  expect_refused(
      [](auto& r) {
        tlog0(r)["publicKey"].as_object()["validFor"].as_object()["start"] = "2026-13-01T00:00:00Z";
      },
      ErrorCode::kInvalidArgument, "tlogs[0].publicKey.validFor.start");
  expect_refused(
      [](auto& r) {
        tlog0(r)["publicKey"].as_object()["validFor"].as_object()["end"] = "2020-01-01T00:00:00Z";
      },
      ErrorCode::kInvalidArgument, "validFor.end: before start");
  expect_refused(
      [](auto& r) {
        r["certificateAuthorities"]
            .as_array()[0]
            .as_object()["certChain"]
            .as_object()["certificates"] = boost::json::array();
      },
      ErrorCode::kInvalidArgument, "certificateAuthorities[0].certChain.certificates: empty");
  expect_refused(
      [](auto& r) {
        r["timestampAuthorities"]
            .as_array()[0]
            .as_object()["certChain"]
            .as_object()["certificates"]
            .as_array()[1]
            .as_object()["rawBytes"] = "AAAA";
      },
      ErrorCode::kInvalidArgument, "timestampAuthorities[0].certChain.certificates[1].rawBytes");
  expect_refused([](auto& r) { r["ctlogs"] = "none"; }, ErrorCode::kInvalidArgument,
                 "ctlogs: not an array");
}

TEST(TrustedRoot, RefusesDuplicateKeysAndNonJson) {
  EXPECT_FALSE(parse_trusted_root("not json"));
  EXPECT_FALSE(parse_trusted_root("[]"));
  auto dup = parse_trusted_root(
      R"({"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1",)"
      R"("mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"})");
  ASSERT_FALSE(dup);
  EXPECT_NE(std::string::npos, dup.error().message.find("duplicate")) << dup.error().message;
  EXPECT_FALSE(load_trusted_root("/nonexistent/trusted_root.json"));
}

TEST(TrustedRoot, IgnoresUnknownFieldsAndAcceptsV02) {
  boost::json::value doc = boost::json::parse(read_file(mock_root_path()));
  doc.as_object()["mediaType"] = "application/vnd.dev.sigstore.trustedroot.v0.2+json";
  doc.as_object()["futureField"] = boost::json::object{{"x", 1}};
  tlog0(doc.as_object())["operator"] = "example";
  tlog0(doc.as_object())["checkpointKeyId"] = boost::json::object{{"keyId", "AAAA"}};
  auto root = parse_trusted_root(boost::json::serialize(doc));
  ASSERT_TRUE(root) << root.error().message;
  EXPECT_EQ(1u, root->tlogs.size());
  // Empty lists may be omitted (proto3 JSON).
  auto empty = parse_trusted_root(
      R"({"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"})");
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_TRUE(empty->tlogs.empty());
}

}  // namespace
}  // namespace bulwark::trust
