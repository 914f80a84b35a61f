#include "trust/notation/test_support.h"

#include <openssl/ecdsa.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "common/encoding.h"

namespace bulwark::trust::notation::testing {

namespace json = boost::json;

std::filesystem::path vectors_dir() {
  return std::filesystem::path(TRUST_SIGSTORE_DIR) / "notation-synthetic";
}

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_file(const std::filesystem::path& file, std::string_view bytes) {
  std::filesystem::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

Digest image_digest() {
  std::string text =
      read_file(std::filesystem::path(TRUST_SIGSTORE_DIR) / "oci-image/manifest.digest");
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return *Digest::parse(text);
}

int64_t vector_signing_time() {
  std::tm tm{};
  tm.tm_year = 2026 - 1900;
  tm.tm_mon = 10;
  tm.tm_mday = 27;
  tm.tm_hour = 18;
  tm.tm_min = 49;
  tm.tm_sec = 55;
  return static_cast<int64_t>(timegm(&tm));
}

int run(const std::string& command) {
  const int rc = std::system((command + " >/dev/null 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::vector<std::string> pem_to_der(std::string_view pem) {
  std::vector<std::string> out;
  constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
  constexpr std::string_view kEnd = "-----END CERTIFICATE-----";
  size_t pos = 0;
  while ((pos = pem.find(kBegin, pos)) != std::string_view::npos) {
    const size_t start = pos + kBegin.size();
    const size_t end = pem.find(kEnd, start);
    if (end == std::string_view::npos) break;
    std::string b64;
    for (char c : pem.substr(start, end - start)) {
      if (c != '\n' && c != '\r') b64.push_back(c);
    }
    out.push_back(*base64_decode(b64));
    pos = end;
  }
  return out;
}

std::string rfc3339(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string make_jws(const json::object& header, std::string_view payload, const PrivateKey& key,
                     const std::vector<std::string>& chain_der) {
  const std::string protected_b64 = base64url_encode(json::serialize(header));
  const std::string payload_b64 = base64url_encode(payload);
  const std::string signing_input = protected_b64 + "." + payload_b64;
  auto der = key.sign(signing_input);
  if (!der) throw std::runtime_error(der.error().message);
  const auto* p = reinterpret_cast<const unsigned char*>(der->data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der->size()));
  if (sig == nullptr) throw std::runtime_error("not a DER ECDSA signature");
  unsigned char raw[64];
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + 32, 32);
  ECDSA_SIG_free(sig);
  json::array x5c;
  for (const std::string& c : chain_der) x5c.emplace_back(base64_encode(c));
  json::object envelope{
      {"payload", payload_b64},
      {"protected", protected_b64},
      {"header", json::object{{"x5c", x5c}}},
      {"signature", base64url_encode(std::string_view(reinterpret_cast<char*>(raw), 64))}};
  return json::serialize(envelope);
}

json::object notation_header(int64_t signing_time) {
  return json::object{{"alg", "ES256"},
                      {"crit", json::array{"io.cncf.notary.signingScheme"}},
                      {"cty", "application/vnd.cncf.notary.payload.v1+json"},
                      {"io.cncf.notary.signingScheme", "notary.x509"},
                      {"io.cncf.notary.signingTime", rfc3339(signing_time)}};
}

std::string payload_for(const Digest& digest, uint64_t size) {
  json::object target{{"digest", digest.str()},
                      {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                      {"size", size}};
  return json::serialize(json::object{{"targetArtifact", target}});
}

}  // namespace bulwark::trust::notation::testing
