// Test helpers shared by the PKI tests (keys_test.cc, x509_test.cc, sct_test.cc, rfc3161_test.cc):
// reading the shared Sigstore vectors, running the openssl CLI as an independent oracle, and the
// few trusted_root.json fields those tests need (parsed here with Boost.JSON so the tests do not
// depend on trusted_root.h, the code under test of another part). Tests only.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "common/encoding.h"
#include "trust/authorities.h"
#include "trust/testing.h"

namespace bulwark::trust::testing {

inline void write_file(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

// Runs `command` through the shell with its output discarded; true when it exits 0.
inline bool run(const std::string& command) {
  return std::system((command + " >/dev/null 2>&1").c_str()) == 0;
}

inline std::string b64(std::string_view text) {
  auto decoded = base64_decode(text);
  EXPECT_TRUE(decoded.has_value()) << "bad base64 in a vector";
  return decoded.value_or("");
}

inline boost::json::value json_vector(std::string_view relative) {
  return boost::json::parse(vector_file(relative));
}

// "2026-11-27T18:43:32.936Z" -> Unix seconds (fractions dropped).
inline int64_t rfc3339(std::string_view text) {
  std::tm tm{};
  std::istringstream in{std::string(text)};
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  EXPECT_FALSE(in.fail()) << text;
  return static_cast<int64_t>(timegm(&tm));
}

inline ValidityPeriod validity_of(const boost::json::value& valid_for) {
  ValidityPeriod period;
  period.start = rfc3339(valid_for.at("start").as_string());
  if (const auto* end = valid_for.as_object().if_contains("end")) {
    period.end = rfc3339(end->as_string());
  }
  return period;
}

// The CT logs ("ctlogs") of a trusted_root.json among the vectors.
inline std::vector<TransparencyLog> ct_logs(std::string_view trusted_root) {
  std::vector<TransparencyLog> logs;
  const boost::json::value doc = json_vector(trusted_root);
  for (const auto& log : doc.at("ctlogs").as_array()) {
    const auto& key = log.at("publicKey");
    auto public_key = PublicKey::from_der(b64(key.at("rawBytes").as_string()));
    EXPECT_TRUE(public_key) << public_key.error().message;
    if (!public_key) continue;
    logs.push_back(TransparencyLog{std::string(log.at("baseUrl").as_string()),
                                   b64(log.at("logId").at("keyId").as_string()), *public_key,
                                   HashAlgorithm::kSha256, validity_of(key.at("validFor")), ""});
  }
  return logs;
}

// The certificate authorities of a trusted_root.json: `kind` is "certificateAuthorities" (Fulcio)
// or "timestampAuthorities".
inline std::vector<CertificateAuthority> authorities(std::string_view trusted_root,
                                                     std::string_view kind) {
  std::vector<CertificateAuthority> out;
  const boost::json::value doc = json_vector(trusted_root);
  for (const auto& ca : doc.at(kind).as_array()) {
    CertificateAuthority authority;
    authority.uri = ca.at("uri").as_string();
    for (const auto& cert : ca.at("certChain").at("certificates").as_array()) {
      auto c = Certificate::from_der(b64(cert.at("rawBytes").as_string()));
      EXPECT_TRUE(c) << c.error().message;
      if (c) authority.chain.push_back(*c);
    }
    authority.validity = validity_of(ca.at("validFor"));
    out.push_back(std::move(authority));
  }
  return out;
}

// What the PKI tests need of a Sigstore bundle among the vectors: the signing certificate, the
// signature bytes (messageSignature or the DSSE envelope's) and the RFC 3161 timestamps.
struct BundleParts {
  std::string leaf_der;
  std::string signature;
  std::vector<std::string> timestamps;
  int64_t integrated_time = 0;
};
inline BundleParts bundle_parts(std::string_view relative) {
  BundleParts parts;
  auto bundle = json_vector(relative);
  const auto& material = bundle.at("verificationMaterial").as_object();
  if (const auto* cert = material.if_contains("certificate")) {
    parts.leaf_der = b64(cert->at("rawBytes").as_string());
  } else {
    parts.leaf_der = b64(
        material.at("x509CertificateChain").at("certificates").at(0).at("rawBytes").as_string());
  }
  const auto& doc = bundle.as_object();
  if (const auto* message = doc.if_contains("messageSignature")) {
    parts.signature = b64(message->at("signature").as_string());
  } else {
    parts.signature = b64(doc.at("dsseEnvelope").at("signatures").at(0).at("sig").as_string());
  }
  if (const auto* data = material.if_contains("timestampVerificationData")) {
    for (const auto& ts : data->at("rfc3161Timestamps").as_array()) {
      parts.timestamps.push_back(b64(ts.at("signedTimestamp").as_string()));
    }
  }
  parts.integrated_time =
      std::stoll(std::string(material.at("tlogEntries").at(0).at("integratedTime").as_string()));
  return parts;
}

// The keyless bundles among the vectors.
inline constexpr std::string_view kKeylessBundles[] = {
    "keyless-mock/blob/artifact.txt.sigstore.json",
    "keyless-mock/image-sig-legacy/payload.sigstore.json",
    "keyless-mock/image-sig-bundle/bundle.sigstore.json",
    "keyless-mock/image-att-cyclonedx/bundle.sigstore.json",
    "keyless-mock/image-att-cyclonedx/bundle-intoto-entry.sigstore.json",
};

}  // namespace bulwark::trust::testing
