#include "trust/bundle.h"

#include <array>
#include <boost/json/serialize.hpp>

#include "common/encoding.h"
#include "common/strict_json.h"

namespace bulwark::trust {
namespace {

namespace json = boost::json;

struct VersionName {
  BundleVersion version;
  std::string_view media_type;
};
constexpr std::array<VersionName, 3> kVersions = {{
    {BundleVersion::kV01, kBundleMediaTypeV01},
    {BundleVersion::kV02, kBundleMediaTypeV02},
    {BundleVersion::kV03, kBundleMediaTypeV03},
}};

struct HashName {
  HashAlgorithm hash;
  std::string_view name;
};
constexpr std::array<HashName, 3> kHashNames = {{
    {HashAlgorithm::kSha256, "SHA2_256"},
    {HashAlgorithm::kSha384, "SHA2_384"},
    {HashAlgorithm::kSha512, "SHA2_512"},
}};

tl::unexpected<Error> bad(std::string msg) {
  return fail(ErrorCode::kInvalidArgument, "sigstore bundle: " + std::move(msg));
}

Result<const json::object*> get_object(const json::object& obj, std::string_view key,
                                       std::string_view where) {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr || !v->is_object()) {
    return bad(std::string(where) + "." + std::string(key) + " must be an object");
  }
  return &v->get_object();
}

Result<std::string> get_b64(const json::object& obj, std::string_view key, std::string_view where) {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr || !v->is_string()) {
    return bad(std::string(where) + "." + std::string(key) + " must be a base64 string");
  }
  auto decoded = decode_base64_any_padding(v->get_string());
  if (!decoded) return bad(std::string(where) + "." + std::string(key) + " is not valid base64");
  return *decoded;
}

Result<void> only_keys(const json::object& obj, std::initializer_list<std::string_view> keys,
                       std::string_view where) {
  for (const auto& kv : obj) {
    bool known = false;
    for (std::string_view k : keys) known = known || kv.key() == k;
    if (!known) return bad("unknown field " + std::string(where) + "." + quote_untrusted(kv.key()));
  }
  return ok();
}

Result<void> parse_material(const json::object& vm, Bundle& b) {
  int kinds = 0;
  if (const json::value* chain = vm.if_contains("x509CertificateChain")) {
    ++kinds;
    b.material = MaterialKind::kCertificateChain;
    if (b.version == BundleVersion::kV03) {
      return bad("v0.3 bundles carry a single \"certificate\", not an x509CertificateChain");
    }
    const json::value* certs =
        chain->is_object() ? chain->get_object().if_contains("certificates") : nullptr;
    if (certs == nullptr || !certs->is_array() || certs->get_array().empty()) {
      return bad("x509CertificateChain.certificates must be a non-empty array");
    }
    for (const json::value& c : certs->get_array()) {
      if (!c.is_object()) return bad("x509CertificateChain.certificates[] must be objects");
      BULWARK_ASSIGN_OR_RETURN(std::string der, get_b64(c.get_object(), "rawBytes", "certificate"));
      if (der.empty()) return bad("empty certificate");
      b.certificates.push_back(std::move(der));
    }
  }
  if (const json::value* cert = vm.if_contains("certificate")) {
    ++kinds;
    b.material = MaterialKind::kCertificate;
    if (b.version != BundleVersion::kV03) {
      return bad("\"certificate\" verification material needs bundle v0.3");
    }
    if (!cert->is_object()) return bad("verificationMaterial.certificate must be an object");
    BULWARK_ASSIGN_OR_RETURN(std::string der,
                             get_b64(cert->get_object(), "rawBytes", "certificate"));
    if (der.empty()) return bad("empty certificate");
    b.certificates.push_back(std::move(der));
  }
  if (const json::value* key = vm.if_contains("publicKey")) {
    ++kinds;
    b.material = MaterialKind::kPublicKey;
    if (!key->is_object()) return bad("verificationMaterial.publicKey must be an object");
    if (const json::value* hint = key->get_object().if_contains("hint")) {
      if (!hint->is_string()) return bad("publicKey.hint must be a string");
      b.public_key_hint = std::string(hint->get_string());
    }
  }
  if (kinds != 1) {
    return bad(kinds == 0 ? "no verification material (certificate, chain or public key)"
                          : "more than one kind of verification material");
  }
  return ok();
}

Result<void> parse_tlog_entries(const json::object& vm, Bundle& b) {
  const json::value* entries = vm.if_contains("tlogEntries");
  if (entries == nullptr) return ok();
  if (!entries->is_array()) return bad("verificationMaterial.tlogEntries must be an array");
  for (const json::value& e : entries->get_array()) {
    if (!e.is_object()) return bad("tlogEntries[] must be objects");
    const json::object& entry = e.get_object();
    const json::value* promise = entry.if_contains("inclusionPromise");
    const json::value* proof = entry.if_contains("inclusionProof");
    if (b.version == BundleVersion::kV01 && (promise == nullptr || !promise->is_object())) {
      return bad("v0.1 bundles need an inclusionPromise in every tlog entry");
    }
    if (b.version != BundleVersion::kV01 && (proof == nullptr || !proof->is_object())) {
      return bad("v0.2+ bundles need an inclusionProof in every tlog entry");
    }
    b.tlog_entries.push_back(entry);
  }
  return ok();
}

Result<void> parse_timestamps(const json::object& vm, Bundle& b) {
  const json::value* tvd = vm.if_contains("timestampVerificationData");
  if (tvd == nullptr) return ok();
  if (!tvd->is_object()) return bad("timestampVerificationData must be an object");
  BULWARK_TRY_VOID(
      only_keys(tvd->get_object(), {"rfc3161Timestamps"}, "timestampVerificationData"));
  const json::value* list = tvd->get_object().if_contains("rfc3161Timestamps");
  if (list == nullptr) return ok();
  if (!list->is_array()) return bad("rfc3161Timestamps must be an array");
  for (const json::value& t : list->get_array()) {
    if (!t.is_object()) return bad("rfc3161Timestamps[] must be objects");
    BULWARK_ASSIGN_OR_RETURN(std::string der,
                             get_b64(t.get_object(), "signedTimestamp", "rfc3161Timestamps[]"));
    if (der.empty()) return bad("empty RFC 3161 timestamp");
    b.rfc3161_timestamps.push_back(std::move(der));
  }
  return ok();
}

Result<MessageSignature> parse_message_signature(const json::value& v) {
  if (!v.is_object()) return bad("messageSignature must be an object");
  const json::object& ms = v.get_object();
  BULWARK_TRY_VOID(only_keys(ms, {"messageDigest", "signature"}, "messageSignature"));
  MessageSignature out;
  if (ms.contains("messageDigest")) {
    BULWARK_ASSIGN_OR_RETURN(const json::object* md,
                             get_object(ms, "messageDigest", "messageSignature"));
    const json::value* alg = md->if_contains("algorithm");
    if (alg == nullptr || !alg->is_string()) return bad("messageDigest.algorithm must be a string");
    out.digest_algorithm = parse_bundle_hash_name(alg->get_string());
    if (!out.digest_algorithm) {
      return fail(ErrorCode::kUnsupported, "sigstore bundle: unsupported messageDigest.algorithm " +
                                               quote_untrusted(alg->get_string()));
    }
    BULWARK_ASSIGN_OR_RETURN(out.digest, get_b64(*md, "digest", "messageDigest"));
  }
  BULWARK_ASSIGN_OR_RETURN(out.signature, get_b64(ms, "signature", "messageSignature"));
  if (out.signature.empty()) return bad("empty messageSignature.signature");
  return out;
}

}  // namespace

std::string_view bundle_media_type(BundleVersion version) {
  for (const VersionName& v : kVersions) {
    if (v.version == version) return v.media_type;
  }
  return kBundleMediaTypeV03;
}

std::string_view bundle_hash_name(HashAlgorithm hash) {
  for (const HashName& h : kHashNames) {
    if (h.hash == hash) return h.name;
  }
  return "HASH_ALGORITHM_UNSPECIFIED";
}

std::optional<HashAlgorithm> parse_bundle_hash_name(std::string_view name) {
  for (const HashName& h : kHashNames) {
    if (h.name == name) return h.hash;
  }
  return std::nullopt;
}

Result<Bundle> parse_bundle(std::string_view text) {
  auto doc = parse_strict_json(text);
  if (!doc) return bad(doc.error().message);
  const json::object* root = doc->if_object();
  if (root == nullptr) return bad("not a JSON object");
  BULWARK_TRY_VOID(only_keys(
      *root, {"mediaType", "verificationMaterial", "messageSignature", "dsseEnvelope"}, "bundle"));
  Bundle b;
  const json::value* mt = root->if_contains("mediaType");
  if (mt == nullptr || !mt->is_string()) return bad("\"mediaType\" missing");
  bool known = false;
  for (const VersionName& v : kVersions) {
    if (v.media_type == mt->get_string()) {
      b.version = v.version;
      known = true;
    }
  }
  if (!known) {
    return fail(ErrorCode::kUnsupported,
                "sigstore bundle: unknown mediaType " + quote_untrusted(mt->get_string()));
  }
  BULWARK_ASSIGN_OR_RETURN(const json::object* vm,
                           get_object(*root, "verificationMaterial", "bundle"));
  BULWARK_TRY_VOID(only_keys(*vm,
                             {"x509CertificateChain", "certificate", "publicKey", "tlogEntries",
                              "timestampVerificationData"},
                             "verificationMaterial"));
  BULWARK_TRY_VOID(parse_material(*vm, b));
  BULWARK_TRY_VOID(parse_tlog_entries(*vm, b));
  BULWARK_TRY_VOID(parse_timestamps(*vm, b));

  const json::value* ms = root->if_contains("messageSignature");
  const json::value* dsse = root->if_contains("dsseEnvelope");
  if ((ms == nullptr) == (dsse == nullptr)) {
    return bad(ms ? "both messageSignature and dsseEnvelope"
                  : "neither messageSignature nor dsseEnvelope");
  }
  if (ms != nullptr) {
    BULWARK_ASSIGN_OR_RETURN(b.message_signature, parse_message_signature(*ms));
  } else {
    auto env = dsse_envelope_from_json(*dsse);
    if (!env) return bad(env.error().message);
    b.dsse_envelope = std::move(*env);
  }
  return b;
}

std::string serialize_bundle(const Bundle& b) {
  json::object root;
  root["mediaType"] = bundle_media_type(b.version);
  json::object vm;
  switch (b.material) {
    case MaterialKind::kCertificateChain: {
      json::array certs;
      for (const std::string& der : b.certificates) {
        certs.push_back(json::object{{"rawBytes", base64_encode(der)}});
      }
      vm["x509CertificateChain"] = json::object{{"certificates", std::move(certs)}};
      break;
    }
    case MaterialKind::kCertificate:
      vm["certificate"] = json::object{
          {"rawBytes", b.certificates.empty() ? std::string() : base64_encode(b.certificates[0])}};
      break;
    case MaterialKind::kPublicKey:
      vm["publicKey"] = json::object{{"hint", b.public_key_hint}};
      break;
  }
  json::array entries;
  for (const json::object& e : b.tlog_entries) entries.push_back(e);
  vm["tlogEntries"] = std::move(entries);
  json::array stamps;
  for (const std::string& der : b.rfc3161_timestamps) {
    stamps.push_back(json::object{{"signedTimestamp", base64_encode(der)}});
  }
  vm["timestampVerificationData"] = json::object{{"rfc3161Timestamps", std::move(stamps)}};
  root["verificationMaterial"] = std::move(vm);
  if (b.message_signature) {
    json::object ms;
    if (b.message_signature->digest_algorithm) {
      ms["messageDigest"] =
          json::object{{"algorithm", bundle_hash_name(*b.message_signature->digest_algorithm)},
                       {"digest", base64_encode(b.message_signature->digest)}};
    }
    ms["signature"] = base64_encode(b.message_signature->signature);
    root["messageSignature"] = std::move(ms);
  } else if (b.dsse_envelope) {
    root["dsseEnvelope"] = dsse_envelope_to_bundle_json(*b.dsse_envelope);
  }
  return json::serialize(root);
}

}  // namespace bulwark::trust
