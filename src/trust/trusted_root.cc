#include "trust/trusted_root.h"

#include <array>
#include <boost/json.hpp>
#include <fstream>
#include <iterator>

#include "common/clock.h"
#include "common/strict_json.h"
#include "trust/tlog_json.h"

namespace bulwark::trust {
namespace {

using namespace tlog_json;  // NOLINT(google-build-using-namespace): internal field helpers

constexpr size_t kMaxTrustedRootBytes = 4 << 20;

constexpr std::array<std::string_view, 4> kMediaTypes = {
    "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
    "application/vnd.dev.sigstore.trustedroot+json;version=0.2",
    "application/vnd.dev.sigstore.trustedroot.v0.1+json",
    "application/vnd.dev.sigstore.trustedroot.v0.2+json",
};

// protobuf-specs PublicKeyDetails names → the key type the key must be. nullopt: a well-known
// kind Bulwark does not verify with.
struct KeyDetails {
  std::string_view name;
  std::optional<KeyType> type;
};
constexpr std::array<KeyDetails, 22> kKeyDetails = {{
    {"PKIX_ECDSA_P256_SHA_256", KeyType::kEcdsaP256},
    {"PKIX_ECDSA_P384_SHA_384", KeyType::kEcdsaP384},
    {"PKIX_ED25519", KeyType::kEd25519},
    {"PKIX_RSA_PKCS1V15_2048_SHA256", KeyType::kRsa},
    {"PKIX_RSA_PKCS1V15_3072_SHA256", KeyType::kRsa},
    {"PKIX_RSA_PKCS1V15_4096_SHA256", KeyType::kRsa},
    {"PKIX_RSA_PSS_2048_SHA256", KeyType::kRsa},
    {"PKIX_RSA_PSS_3072_SHA256", KeyType::kRsa},
    {"PKIX_RSA_PSS_4096_SHA256", KeyType::kRsa},
    // Deprecated names still found in older roots.
    {"PKIX_ECDSA_P256_HMAC_SHA_256", KeyType::kEcdsaP256},
    {"PKCS1_RSA_PKCS1V5", KeyType::kRsa},
    {"PKCS1_RSA_PSS", KeyType::kRsa},
    {"PKIX_RSA_PKCS1V5", KeyType::kRsa},
    {"PKIX_RSA_PSS", KeyType::kRsa},
    {"ECDSA_P256_SHA_256", KeyType::kEcdsaP256},
    // Known, not supported.
    {"PKIX_ECDSA_P521_SHA_512", std::nullopt},
    {"PKIX_ED25519_PH", std::nullopt},
    {"PKIX_ECDSA_P256_SHA_256_PH", std::nullopt},
    {"PKIX_ECDSA_P384_SHA_384_PH", std::nullopt},
    {"PKIX_ECDSA_P521_SHA_512_PH", std::nullopt},
    {"LMS_SHA256", std::nullopt},
    {"LMOTS_SHA256", std::nullopt},
}};

struct HashName {
  std::string_view name;
  HashAlgorithm hash;
};
constexpr std::array<HashName, 3> kHashNames = {{
    {"SHA2_256", HashAlgorithm::kSha256},
    {"SHA2_384", HashAlgorithm::kSha384},
    {"SHA2_512", HashAlgorithm::kSha512},
}};

std::string indexed(std::string_view path, size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

Result<ValidityPeriod> parse_validity(const boost::json::object& o, std::string_view path) {
  ValidityPeriod out;
  BULWARK_ASSIGN_OR_RETURN(const boost::json::object* range,
                           object_field(o, "validFor", path, false));
  if (range == nullptr) return out;  // no window given: valid from the epoch on
  std::string range_path = join(path, "validFor");
  BULWARK_ASSIGN_OR_RETURN(auto start, optional_string(*range, "start", range_path));
  if (start) {
    auto t = parse_rfc3339(*start);
    if (!t) return field_error(join(range_path, "start"), t.error().message);
    out.start = *t;
  }
  BULWARK_ASSIGN_OR_RETURN(auto end, optional_string(*range, "end", range_path));
  if (end) {
    auto t = parse_rfc3339(*end);
    if (!t) return field_error(join(range_path, "end"), t.error().message);
    if (*t < out.start) return field_error(join(range_path, "end"), "before start");
    out.end = *t;
  }
  return out;
}

Result<TransparencyLog> parse_log(const boost::json::value& v, const std::string& path) {
  BULWARK_ASSIGN_OR_RETURN(const boost::json::object* o, as_object(v, path));
  BULWARK_ASSIGN_OR_RETURN(auto base_url, optional_string(*o, "baseUrl", path));
  HashAlgorithm log_hash = HashAlgorithm::kSha256;
  BULWARK_ASSIGN_OR_RETURN(auto hash, optional_string(*o, "hashAlgorithm", path));
  if (hash) {
    auto it = std::find_if(kHashNames.begin(), kHashNames.end(),
                           [&](const HashName& h) { return h.name == *hash; });
    if (it == kHashNames.end()) {
      return fail(ErrorCode::kUnsupported,
                  join(path, "hashAlgorithm") + ": unsupported " + quote_untrusted(*hash));
    }
    log_hash = it->hash;
  }
  BULWARK_ASSIGN_OR_RETURN(const boost::json::object* pk, object_field(*o, "publicKey", path));
  std::string pk_path = join(path, "publicKey");
  BULWARK_ASSIGN_OR_RETURN(std::string der, base64_field(*pk, "rawBytes", pk_path));
  BULWARK_ASSIGN_OR_RETURN(std::string details, string_field(*pk, "keyDetails", pk_path));
  auto kd = std::find_if(kKeyDetails.begin(), kKeyDetails.end(),
                         [&](const KeyDetails& k) { return k.name == details; });
  if (kd == kKeyDetails.end() || !kd->type) {
    return fail(ErrorCode::kUnsupported,
                join(pk_path, "keyDetails") + ": unsupported key " + quote_untrusted(details));
  }
  auto key = PublicKey::from_der(der);
  if (!key) {
    return fail(key.error().code, join(pk_path, "rawBytes") + ": " + key.error().message);
  }
  if (key->type() != *kd->type) {
    return field_error(join(pk_path, "keyDetails"), "says " + details + " but the key is " +
                                                        std::string(key_type_name(key->type())));
  }
  BULWARK_ASSIGN_OR_RETURN(ValidityPeriod validity, parse_validity(*pk, pk_path));
  BULWARK_ASSIGN_OR_RETURN(const boost::json::object* id, object_field(*o, "logId", path));
  BULWARK_ASSIGN_OR_RETURN(std::string log_id, base64_field(*id, "keyId", join(path, "logId")));
  return TransparencyLog{.base_url = base_url.value_or(""),
                         .log_id = std::move(log_id),
                         .key = std::move(*key),
                         .hash = log_hash,
                         .validity = validity,
                         .checkpoint_origin = {}};
}

Result<CertificateAuthority> parse_ca(const boost::json::value& v, const std::string& path) {
  BULWARK_ASSIGN_OR_RETURN(const boost::json::object* o, as_object(v, path));
  CertificateAuthority ca;
  BULWARK_ASSIGN_OR_RETURN(auto uri, optional_string(*o, "uri", path));
  ca.uri = uri.value_or("");
  BULWARK_ASSIGN_OR_RETURN(const boost::json::object* chain, object_field(*o, "certChain", path));
  std::string chain_path = join(path, "certChain");
  BULWARK_ASSIGN_OR_RETURN(const boost::json::array* certs,
                           array_field(*chain, "certificates", chain_path));
  if (certs->empty()) return field_error(join(chain_path, "certificates"), "empty");
  for (size_t i = 0; i < certs->size(); ++i) {
    std::string cert_path = indexed(join(chain_path, "certificates"), i);
    BULWARK_ASSIGN_OR_RETURN(const boost::json::object* c, as_object((*certs)[i], cert_path));
    BULWARK_ASSIGN_OR_RETURN(std::string der, base64_field(*c, "rawBytes", cert_path));
    auto cert = Certificate::from_der(der);
    if (!cert) return field_error(join(cert_path, "rawBytes"), cert.error().message);
    ca.chain.push_back(std::move(*cert));
  }
  BULWARK_ASSIGN_OR_RETURN(ca.validity, parse_validity(*o, path));
  return ca;
}

template <class T, class Parse>
Result<std::vector<T>> parse_list(const boost::json::object& root, std::string_view key,
                                  Parse parse) {
  std::vector<T> out;
  BULWARK_ASSIGN_OR_RETURN(const boost::json::array* items, array_field(root, key, "", false));
  if (items == nullptr) return out;
  for (size_t i = 0; i < items->size(); ++i) {
    BULWARK_ASSIGN_OR_RETURN(T item, parse((*items)[i], indexed(key, i)));
    out.push_back(std::move(item));
  }
  return out;
}

const TransparencyLog* find_log(const std::vector<TransparencyLog>& logs, std::string_view id) {
  for (const TransparencyLog& log : logs) {
    if (log.log_id == id) return &log;
  }
  return nullptr;
}

}  // namespace

const TransparencyLog* TrustedRoot::find_tlog(std::string_view log_id) const {
  return find_log(tlogs, log_id);
}

const TransparencyLog* TrustedRoot::find_ctlog(std::string_view log_id) const {
  return find_log(ctlogs, log_id);
}

Result<TrustedRoot> parse_trusted_root(std::string_view json) {
  auto prefixed = [](const Error& e) { return fail(e.code, "trusted root: " + e.message); };
  auto doc = parse_strict_json(json);
  if (!doc) return prefixed(doc.error());
  if (!doc->is_object()) return fail(ErrorCode::kInvalidArgument, "trusted root: not an object");
  const boost::json::object& root = doc->as_object();
  TrustedRoot out;
  auto media_type = string_field(root, "mediaType", "");
  if (!media_type) return prefixed(media_type.error());
  if (std::find(kMediaTypes.begin(), kMediaTypes.end(), *media_type) == kMediaTypes.end()) {
    return fail(ErrorCode::kUnsupported,
                "trusted root: unsupported mediaType " + quote_untrusted(*media_type));
  }
  out.media_type = *media_type;
  auto tlogs = parse_list<TransparencyLog>(root, "tlogs", parse_log);
  if (!tlogs) return prefixed(tlogs.error());
  out.tlogs = std::move(*tlogs);
  auto ctlogs = parse_list<TransparencyLog>(root, "ctlogs", parse_log);
  if (!ctlogs) return prefixed(ctlogs.error());
  out.ctlogs = std::move(*ctlogs);
  auto cas = parse_list<CertificateAuthority>(root, "certificateAuthorities", parse_ca);
  if (!cas) return prefixed(cas.error());
  out.certificate_authorities = std::move(*cas);
  auto tsas = parse_list<CertificateAuthority>(root, "timestampAuthorities", parse_ca);
  if (!tsas) return prefixed(tsas.error());
  out.timestamp_authorities = std::move(*tsas);
  return out;
}

Result<TrustedRoot> load_trusted_root(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(ErrorCode::kNotFound, "cannot open " + file.string());
  std::string text;
  text.resize(kMaxTrustedRootBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return fail(ErrorCode::kIo, "cannot read " + file.string());
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxTrustedRootBytes) {
    return fail(ErrorCode::kTooLarge, file.string() + " is larger than 4 MiB");
  }
  auto root = parse_trusted_root(text);
  if (!root) return fail(root.error().code, file.string() + ": " + root.error().message);
  return root;
}

}  // namespace bulwark::trust
