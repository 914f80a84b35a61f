#include "trust/notation/envelope.h"

#include <gtest/gtest.h>
#include <openssl/ecdsa.h>

#include <boost/json.hpp>
#include <functional>

#include "common/encoding.h"
#include "trust/cbor.h"
#include "trust/notation/test_support.h"

namespace bulwark::trust::notation {
namespace {

namespace json = boost::json;
using namespace testing;

std::string jws_vector() { return read_file(vectors_dir() / "jws/envelope.jws"); }
std::string cose_vector() { return read_file(vectors_dir() / "cose/envelope.cose"); }

// The hex SHA-256 thumbprints the signature manifest carries for the chain.
std::vector<std::string> manifest_thumbprints() {
  auto m = json::parse(read_file(vectors_dir() / "jws/manifest.json"));
  auto list = json::parse(m.at("annotations").at(kThumbprintAnnotation).as_string());
  std::vector<std::string> out;
  for (const auto& t : list.as_array()) out.emplace_back(t.as_string());
  return out;
}

std::string hex_of(std::string_view raw) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out.push_back(d[c >> 4]);
    out.push_back(d[c & 15]);
  }
  return out;
}

void expect_vector_fields(const NotationSignature& sig) {
  EXPECT_EQ(sig.algorithm->jws_name, "ES256");
  EXPECT_EQ(sig.scheme, SigningScheme::kX509);
  EXPECT_FALSE(sig.authentic_signing_time);
  EXPECT_EQ(sig.signing_time, vector_signing_time());
  EXPECT_FALSE(sig.expiry);
  EXPECT_EQ(sig.target.digest, image_digest());
  EXPECT_EQ(sig.target.size, 401u);
  EXPECT_EQ(sig.target.media_type, "application/vnd.oci.image.manifest.v1+json");
  EXPECT_EQ(sig.signing_agent, "synthetic-openssl/1.0 (not notation)");
  ASSERT_EQ(sig.chain.size(), 2u);
  const auto thumbs = manifest_thumbprints();
  ASSERT_EQ(thumbs.size(), 2u);
  EXPECT_EQ(hex_of(sig.chain[0].sha256_fingerprint()), thumbs[0]);
  EXPECT_EQ(hex_of(sig.chain[1].sha256_fingerprint()), thumbs[1]);
  EXPECT_FALSE(sig.timestamp_token);
}

TEST(NotationEnvelopeTest, ParsesAndVerifiesTheJwsVector) {
  auto sig = parse_envelope(kJwsMediaType, jws_vector());
  ASSERT_TRUE(sig) << sig.error().message;
  EXPECT_EQ(sig->media_type, kJwsMediaType);
  expect_vector_fields(*sig);
  EXPECT_TRUE(sig->verify()) << sig->verify().error().message;
}

TEST(NotationEnvelopeTest, ParsesAndVerifiesTheCoseVector) {
  auto sig = parse_envelope(kCoseMediaType, cose_vector());
  ASSERT_TRUE(sig) << sig.error().message;
  EXPECT_EQ(sig->media_type, kCoseMediaType);
  expect_vector_fields(*sig);
  EXPECT_TRUE(sig->verify()) << sig->verify().error().message;
}

TEST(NotationEnvelopeTest, FlippedJwsSignatureByteFailsIntegrity) {
  auto env = json::parse(jws_vector()).as_object();
  std::string sig = *base64url_decode(std::string_view(env["signature"].as_string()));
  sig[10] ^= 0x01;
  env["signature"] = base64url_encode(sig);
  auto parsed = parse_jws(json::serialize(env));
  ASSERT_TRUE(parsed);
  EXPECT_FALSE(parsed->verify());
}

TEST(NotationEnvelopeTest, FlippedCoseSignatureOrProtectedByteFailsIntegrity) {
  std::string bytes = cose_vector();
  bytes.back() ^= 0x01;  // the last byte of the signature bstr
  auto parsed = parse_cose(bytes);
  ASSERT_TRUE(parsed);
  EXPECT_FALSE(parsed->verify());

  // The signing agent is unprotected: changing it leaves the signature valid ...
  std::string agent = cose_vector();
  const size_t at = agent.find("synthetic-openssl");
  ASSERT_NE(at, std::string::npos);
  agent[at] = 'S';
  auto unprotected = parse_cose(agent);
  ASSERT_TRUE(unprotected);
  EXPECT_TRUE(unprotected->verify());
  // ... the signing time is protected: changing it breaks the signature.
  std::string prot = cose_vector();
  const size_t t = prot.find("io.cncf.notary.signingTime");
  ASSERT_NE(t, std::string::npos);
  prot[t + 31] ^= 0x01;  // last byte of the tag-1 integer after the 26-byte label
  auto changed = parse_cose(prot);
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_NE(changed->signing_time, vector_signing_time());
  EXPECT_FALSE(changed->verify());
}

TEST(NotationEnvelopeTest, CoseWithoutTagAndWithSingleX5ChainCertificate) {
  auto v = cbor::decode(cose_vector());
  ASSERT_TRUE(v);
  cbor::Value msg = v->tagged();
  // x5chain as a single bstr (the leaf) is allowed by RFC 9360.
  for (auto& [k, val] : msg.items[1].entries) {
    if (k.as_int() == 33) val = cbor::Value::byte_string(val.items[0].bytes);
  }
  auto sig = parse_cose(cbor::encode(msg));
  ASSERT_TRUE(sig) << sig.error().message;
  EXPECT_EQ(sig->chain.size(), 1u);
  EXPECT_TRUE(sig->verify());
  // Another tag is refused.
  EXPECT_FALSE(parse_cose(cbor::encode(cbor::Value::tag(98, msg))));
}

// A JWS vector with its protected header replaced (signature no longer matters for parsing).
std::string with_protected(const json::object& header) {
  auto env = json::parse(jws_vector()).as_object();
  env["protected"] = base64url_encode(json::serialize(header));
  return json::serialize(env);
}

json::object vector_header() {
  auto env = json::parse(jws_vector()).as_object();
  return json::parse(*base64url_decode(std::string_view(env["protected"].as_string()))).as_object();
}

TEST(NotationEnvelopeTest, RefusesBadProtectedHeaders) {
  struct Case {
    const char* what;
    std::function<void(json::object&)> change;
    ErrorCode code;
  };
  const std::vector<Case> cases = {
      {"unknown critical header",
       [](json::object& h) {
         h["crit"].as_array().emplace_back("io.cncf.notary.verificationPlugin");
         h["io.cncf.notary.verificationPlugin"] = "com.example.plugin";
       },
       ErrorCode::kUnsupported},
      {"critical header absent",
       [](json::object& h) { h["crit"].as_array().emplace_back("io.cncf.notary.expiry"); },
       ErrorCode::kInvalidArgument},
      {"signingScheme not critical",
       [](json::object& h) {
         h["crit"] = json::array{"io.cncf.notary.expiry"};
         h["io.cncf.notary.expiry"] = "2030-01-01T00:00:00Z";
       },
       ErrorCode::kInvalidArgument},
      {"expiry not critical",
       [](json::object& h) { h["io.cncf.notary.expiry"] = "2030-01-01T00:00:00Z"; },
       ErrorCode::kInvalidArgument},
      {"no crit", [](json::object& h) { h.erase("crit"); }, ErrorCode::kInvalidArgument},
      {"alg none", [](json::object& h) { h["alg"] = "none"; }, ErrorCode::kUnsupported},
      {"alg HS256", [](json::object& h) { h["alg"] = "HS256"; }, ErrorCode::kUnsupported},
      {"wrong cty", [](json::object& h) { h["cty"] = "application/json"; },
       ErrorCode::kInvalidArgument},
      {"unknown scheme", [](json::object& h) { h["io.cncf.notary.signingScheme"] = "notary.v2"; },
       ErrorCode::kUnsupported},
      {"no signing time", [](json::object& h) { h.erase("io.cncf.notary.signingTime"); },
       ErrorCode::kInvalidArgument},
      {"bad signing time", [](json::object& h) { h["io.cncf.notary.signingTime"] = "yesterday"; },
       ErrorCode::kInvalidArgument},
      {"authentic time with notary.x509",
       [](json::object& h) {
         h["io.cncf.notary.authenticSigningTime"] = "2026-11-27T18:49:55Z";
         h["crit"].as_array().emplace_back("io.cncf.notary.authenticSigningTime");
       },
       ErrorCode::kInvalidArgument},
      {"signingAuthority without authentic time",
       [](json::object& h) { h["io.cncf.notary.signingScheme"] = "notary.x509.signingAuthority"; },
       ErrorCode::kInvalidArgument},
      {"expiry before signing time",
       [](json::object& h) {
         h["io.cncf.notary.expiry"] = "2020-01-01T00:00:00Z";
         h["crit"].as_array().emplace_back("io.cncf.notary.expiry");
       },
       ErrorCode::kInvalidArgument},
  };
  for (const Case& c : cases) {
    json::object h = vector_header();
    c.change(h);
    auto sig = parse_jws(with_protected(h));
    ASSERT_FALSE(sig) << c.what;
    EXPECT_EQ(sig.error().code, c.code) << c.what << ": " << sig.error().message;
  }
  // The unchanged header still parses (so the cases above fail for their change).
  EXPECT_TRUE(parse_jws(with_protected(vector_header())));
}

TEST(NotationEnvelopeTest, ParsesRfc3339Variants) {
  json::object h = vector_header();
  h["io.cncf.notary.signingTime"] = "2026-11-27T20:49:55.123+02:00";
  auto sig = parse_jws(with_protected(h));
  ASSERT_TRUE(sig) << sig.error().message;
  EXPECT_EQ(sig->signing_time, vector_signing_time());
}

TEST(NotationEnvelopeTest, RefusesMalformedJwsEnvelopes) {
  auto env = json::parse(jws_vector()).as_object();
  auto without = [&](const char* key) {
    json::object e = env;
    e.erase(key);
    return json::serialize(e);
  };
  EXPECT_FALSE(parse_jws(without("payload")));
  EXPECT_FALSE(parse_jws(without("protected")));
  EXPECT_FALSE(parse_jws(without("signature")));
  EXPECT_FALSE(parse_jws(without("header")));
  json::object general = env;
  general["signatures"] = json::array{};
  EXPECT_FALSE(parse_jws(json::serialize(general)));
  json::object no_x5c = env;
  no_x5c["header"].as_object().erase("x5c");
  EXPECT_FALSE(parse_jws(json::serialize(no_x5c)));
  json::object bad_cert = env;
  bad_cert["header"].as_object()["x5c"] = json::array{"AAAA"};
  EXPECT_FALSE(parse_jws(json::serialize(bad_cert)));
  json::object padded = env;
  padded["payload"] = std::string(env["payload"].as_string()) + "=";
  EXPECT_FALSE(parse_jws(json::serialize(padded)));
  json::object other_payload = env;
  other_payload["payload"] = base64url_encode(std::string_view(R"({"subject":{}})"));
  EXPECT_FALSE(parse_jws(json::serialize(other_payload)));
  EXPECT_FALSE(parse_jws("not json"));
  EXPECT_FALSE(parse_jws(R"({"payload":"e30","payload":"e30"})"));  // duplicate key
  EXPECT_FALSE(parse_cose(jws_vector()));
  EXPECT_FALSE(parse_jws(cose_vector()));
  auto unknown = parse_envelope("application/vnd.example", jws_vector());
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kUnsupported);
}

TEST(NotationEnvelopeTest, EcdsaRawToDerMatchesOpenssl) {
  std::string raw(64, '\0');
  raw[0] = static_cast<char>(0x80);  // r needs a leading zero in DER
  raw[31] = 0x05;
  raw[63] = 0x07;  // s = 7 after 31 zero bytes
  auto der = ecdsa_raw_to_der(raw, 32);
  ASSERT_TRUE(der);
  const auto* p = reinterpret_cast<const unsigned char*>(der->data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der->size()));
  ASSERT_NE(sig, nullptr);
  unsigned char back[64];
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), back, 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), back + 32, 32);
  ECDSA_SIG_free(sig);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(back), 64), raw);
  EXPECT_FALSE(ecdsa_raw_to_der(raw.substr(1), 32));
}

TEST(NotationEnvelopeTest, AlgorithmTables) {
  EXPECT_EQ(algorithm_by_cose_id(-7), algorithm_by_jws_name("ES256"));
  EXPECT_EQ(algorithm_by_cose_id(-35), algorithm_by_jws_name("ES384"));
  EXPECT_EQ(algorithm_by_cose_id(-37), algorithm_by_jws_name("PS256"));
  EXPECT_EQ(algorithm_by_cose_id(-37)->scheme.rsa_padding, RsaPadding::kPss);
  EXPECT_EQ(algorithm_by_jws_name("RS256"), nullptr);
  EXPECT_EQ(algorithm_by_cose_id(-36), nullptr);  // ES512: P-521 unsupported
}

}  // namespace
}  // namespace bulwark::trust::notation
