#include "trust/keyless_signer.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <utility>

#include "common/digest.h"
#include "common/encoding.h"
#include "common/http_client.h"
#include "common/strict_json.h"
#include "trust/bundle.h"
#include "trust/intoto.h"
#include "trust/simple_signing.h"

namespace bulwark::trust {
namespace {

namespace json = boost::json;

constexpr std::string_view kFulcioPath = "/api/v2/signingCert";
constexpr std::string_view kRekorPath = "/api/v1/log/entries";
constexpr std::string_view kTsaPath = "/api/v1/timestamp";
constexpr size_t kMaxErrorSnippet = 200;

std::string trim_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// sigstore-js: a TSA URL without a path gets the API path; one with a path is the full URL.
std::string tsa_timestamp_url(const std::string& base) {
  const size_t scheme = base.find("://");
  const size_t path = scheme == std::string::npos ? std::string::npos : base.find('/', scheme + 3);
  if (path == std::string::npos || base.substr(path) == "/") {
    return trim_slash(base) + std::string(kTsaPath);
  }
  return base;
}

void blot(std::string& text, std::string_view secret) {
  for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
    text.replace(at, secret.size(), "<token>");
  }
}

// A printable, bounded excerpt of an error body with `secret` (a JWT) blotted out, whole and each
// of its parts (services may echo the token or its claims).
std::string error_snippet(std::string body, std::string_view secret) {
  if (!secret.empty()) blot(body, secret);
  for (size_t start = 0; start < secret.size();) {
    const size_t dot = std::min(secret.find('.', start), secret.size());
    if (dot - start >= 8) blot(body, secret.substr(start, dot - start));
    start = dot + 1;
  }
  std::string out;
  for (char c : body) {
    if (out.size() >= kMaxErrorSnippet) {
      out += "...";
      break;
    }
    out += std::isprint(static_cast<unsigned char>(c)) ? c : ' ';
  }
  return out;
}

// POSTs `body` and returns the response body of a 2xx answer; anything else is kUnavailable
// naming `service`. `secret` (the identity token) is never part of an error.
Result<std::string> post(std::string_view service, const std::string& url, std::string body,
                         const SigstoreEndpoints& endpoints, std::string_view secret = {}) {
  HttpClientRequest request;
  request.method = "POST";
  request.url = url;
  request.headers = {{"Content-Type", "application/json"},
                     {"Accept", "application/json"},
                     {"User-Agent", "bulwark"}};
  request.body = std::move(body);
  request.timeout_seconds = endpoints.timeout_seconds;
  auto response = http_fetch(request);
  if (!response) {
    return fail(response.error().code,
                std::string(service) + ": " + error_snippet(response.error().message, secret));
  }
  if (response->status < 200 || response->status > 299) {
    // The URL is not repeated (it may carry credentials); the service names the endpoint.
    return fail(ErrorCode::kUnavailable, std::string(service) + " answered HTTP " +
                                             std::to_string(response->status) + ": " +
                                             error_snippet(response->body, secret));
  }
  return std::move(response->body);
}

Result<json::object> parse_object(std::string_view service, std::string_view text) {
  auto doc = parse_strict_json(text, 64);
  if (!doc || !doc->is_object()) {
    return fail(ErrorCode::kUnavailable, std::string(service) + " answered with no JSON object");
  }
  return std::move(doc->as_object());
}

// The claim Fulcio's proof of possession signs: the token's verified email, else its subject
// (as sigstore-js and cosign choose it).
Result<std::string> token_subject(std::string_view token) {
  const size_t first = token.find('.');
  const size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos) {
    return fail(ErrorCode::kInvalidArgument, "the identity token is not a JWT");
  }
  std::string_view payload = token.substr(first + 1, second - first - 1);
  while (!payload.empty() && payload.back() == '=') payload.remove_suffix(1);
  auto decoded = base64url_decode(payload);
  if (!decoded)
    return fail(ErrorCode::kInvalidArgument, "the identity token's claims are not base64url");
  auto claims = parse_strict_json(*decoded, 32);
  if (!claims || !claims->is_object()) {
    return fail(ErrorCode::kInvalidArgument, "the identity token's claims are not a JSON object");
  }
  const json::object& c = claims->as_object();
  if (const json::value* email = c.if_contains("email"); email && email->is_string()) {
    const json::value* verified = c.if_contains("email_verified");
    if (verified == nullptr || !verified->is_bool() || !verified->as_bool()) {
      return fail(ErrorCode::kInvalidArgument, "the identity token's email is not verified");
    }
    return std::string(email->as_string());
  }
  if (const json::value* sub = c.if_contains("sub");
      sub && sub->is_string() && !sub->as_string().empty()) {
    return std::string(sub->as_string());
  }
  return fail(ErrorCode::kInvalidArgument, "the identity token has no subject (sub or email)");
}

// Fulcio's chain for `key`, leaf first, from a v2 signingCert answer.
Result<std::vector<Certificate>> fulcio_chain(const json::object& answer, const PublicKey& key) {
  const json::value* signed_cert = answer.if_contains("signedCertificateEmbeddedSct");
  if (signed_cert == nullptr) signed_cert = answer.if_contains("signedCertificateDetachedSct");
  const json::value* certs = nullptr;
  if (signed_cert && signed_cert->is_object()) {
    if (const json::value* chain = signed_cert->as_object().if_contains("chain");
        chain && chain->is_object()) {
      certs = chain->as_object().if_contains("certificates");
    }
  }
  if (certs == nullptr || !certs->is_array() || certs->as_array().empty()) {
    return fail(ErrorCode::kUnavailable, "fulcio answered without a certificate chain");
  }
  std::vector<Certificate> chain;
  for (const json::value& pem : certs->as_array()) {
    if (!pem.is_string())
      return fail(ErrorCode::kUnavailable, "fulcio: a certificate is not a string");
    auto cert = Certificate::from_pem(pem.as_string());
    if (!cert) return fail(ErrorCode::kUnavailable, "fulcio: " + cert.error().message);
    chain.push_back(std::move(*cert));
  }
  auto leaf_key = chain.front().public_key();
  if (!leaf_key || leaf_key->spki_der() != key.spki_der()) {
    return fail(ErrorCode::kUnavailable, "fulcio certified another key than the one sent");
  }
  return chain;
}

std::optional<std::string> hex_decode(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    int v = 0;
    for (char c : hex.substr(i, 2)) {
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= c - '0';
      else if (c >= 'a' && c <= 'f')
        v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        v |= c - 'A' + 10;
      else
        return std::nullopt;
    }
    out.push_back(static_cast<char>(v));
  }
  return out;
}

std::string hex_of(std::string_view bytes) {
  return to_hex(std::span(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()));
}

const json::value* member(const json::object& o, std::string_view key) {
  return o.if_contains(key);
}

std::optional<int64_t> integer(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= INT64_MAX) return static_cast<int64_t>(v->as_uint64());
  return std::nullopt;
}

std::optional<std::string> string_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

Result<KeylessSignature> bad_rekor(const std::string& what) {
  return fail(ErrorCode::kUnavailable, "rekor answered with " + what);
}

// The bundle's TransparencyLogEntry for a Rekor v1 entry (sigstore-js toTransparencyLogEntry:
// hex log id and root hash become base64, numbers become strings, empty lists are omitted).
Result<KeylessSignature> entry_from_rekor(const json::object& answer, std::string signature) {
  if (answer.size() != 1 || !answer.begin()->value().is_object()) {
    return bad_rekor("not exactly one entry");
  }
  const json::object& entry = answer.begin()->value().as_object();
  auto body_b64 = string_of(entry, "body");
  auto integrated = integer(entry, "integratedTime");
  auto log_index = integer(entry, "logIndex");
  auto log_id_hex = string_of(entry, "logID");
  if (!body_b64 || !integrated || !log_index || !log_id_hex) {
    return bad_rekor("an entry without body, integratedTime, logIndex or logID");
  }
  auto body = base64_decode(*body_b64);
  auto log_id = hex_decode(*log_id_hex);
  if (!body || !log_id) return bad_rekor("a body or log id that does not decode");
  auto body_json = parse_strict_json(*body, 64);
  if (!body_json || !body_json->is_object()) return bad_rekor("a body that is not JSON");
  auto kind = string_of(body_json->as_object(), "kind");
  auto version = string_of(body_json->as_object(), "apiVersion");
  if (!kind || !version) return bad_rekor("a body without kind or apiVersion");
  // The logged body must record this signature (base64 in every entry kind Bulwark writes).
  if (body->find(base64_encode(signature)) == std::string::npos) {
    return bad_rekor("an entry that does not record this signature");
  }

  const json::value* verification = member(entry, "verification");
  if (verification == nullptr || !verification->is_object()) {
    return bad_rekor("no verification (signed entry timestamp, inclusion proof)");
  }
  const json::object& v = verification->as_object();
  auto set_b64 = string_of(v, "signedEntryTimestamp");
  auto set = set_b64 ? base64_decode(*set_b64) : std::nullopt;
  if (!set) return bad_rekor("no valid signedEntryTimestamp");

  json::object tlog;
  tlog["logIndex"] = std::to_string(*log_index);
  tlog["logId"] = json::object{{"keyId", base64_encode(*log_id)}};
  tlog["kindVersion"] = json::object{{"kind", *kind}, {"version", *version}};
  tlog["integratedTime"] = std::to_string(*integrated);
  tlog["inclusionPromise"] = json::object{{"signedEntryTimestamp", *set_b64}};
  if (const json::value* p = member(v, "inclusionProof"); p && p->is_object()) {
    const json::object& proof = p->as_object();
    auto index = integer(proof, "logIndex");
    auto size = integer(proof, "treeSize");
    auto root = string_of(proof, "rootHash");
    auto root_bytes = root ? hex_decode(*root) : std::nullopt;
    auto checkpoint = string_of(proof, "checkpoint");
    if (!index || !size || !root_bytes || !checkpoint) {
      return bad_rekor("an incomplete inclusion proof");
    }
    json::object out;
    out["logIndex"] = std::to_string(*index);
    out["rootHash"] = base64_encode(*root_bytes);
    out["treeSize"] = std::to_string(*size);
    json::array hashes;
    if (const json::value* h = member(proof, "hashes"); h && h->is_array()) {
      for (const json::value& x : h->as_array()) {
        auto bytes = x.is_string() ? hex_decode(x.as_string()) : std::nullopt;
        if (!bytes) return bad_rekor("an inclusion proof hash that is not hex");
        hashes.push_back(json::string(base64_encode(*bytes)));
      }
    }
    if (!hashes.empty()) out["hashes"] = std::move(hashes);
    out["checkpoint"] = json::object{{"envelope", *checkpoint}};
    tlog["inclusionProof"] = std::move(out);
  }
  tlog["canonicalizedBody"] = *body_b64;

  KeylessSignature result;
  result.signature = std::move(signature);
  result.tlog_entry = std::move(tlog);
  result.rekor_bundle.signed_entry_timestamp = std::move(*set);
  result.rekor_bundle.body = std::move(*body);
  result.rekor_bundle.integrated_time = *integrated;
  result.rekor_bundle.log_index = *log_index;
  result.rekor_bundle.log_id_hex = *log_id_hex;
  return result;
}

Bundle keyless_bundle(const KeylessSigner& signer, const KeylessSignature& signature) {
  Bundle bundle;
  bundle.version = BundleVersion::kV03;
  bundle.material = MaterialKind::kCertificate;
  bundle.certificates = {signer.leaf().der()};
  bundle.tlog_entries = {signature.tlog_entry};
  if (!signature.rfc3161_timestamp.empty()) {
    bundle.rfc3161_timestamps = {signature.rfc3161_timestamp};
  }
  return bundle;
}

// The certificate, chain, Rekor bundle and timestamp annotations of a cosign legacy layer.
void add_keyless_material(cosign::CosignLayer& layer, const KeylessSigner& signer,
                          const KeylessSignature& signed_) {
  layer.certificate_pem = signer.leaf().pem();
  for (size_t i = 1; i < signer.chain().size(); ++i) layer.chain_pem += signer.chain()[i].pem();
  layer.rekor_bundle = signed_.rekor_bundle;
  layer.rfc3161_timestamp = signed_.rfc3161_timestamp;
}

}  // namespace

Result<KeylessSigner> KeylessSigner::create(const SigstoreEndpoints& endpoints,
                                            std::string identity_token) {
  if (endpoints.fulcio_url.empty() || endpoints.rekor_url.empty()) {
    return fail(ErrorCode::kInvalidArgument, "keyless signing needs a Fulcio and a Rekor URL");
  }
  while (!identity_token.empty() &&
         std::isspace(static_cast<unsigned char>(identity_token.back()))) {
    identity_token.pop_back();
  }
  BULWARK_ASSIGN_OR_RETURN(std::string subject, token_subject(identity_token));
  BULWARK_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::generate(KeyType::kEcdsaP256));
  BULWARK_ASSIGN_OR_RETURN(std::string proof, key.sign(subject));
  json::object request{
      {"credentials", json::object{{"oidcIdentityToken", identity_token}}},
      {"publicKeyRequest",
       json::object{
           {"publicKey", json::object{{"algorithm", "ECDSA"}, {"content", key.public_key().pem()}}},
           {"proofOfPossession", base64_encode(proof)}}}};
  BULWARK_ASSIGN_OR_RETURN(
      std::string answer,
      post("fulcio", trim_slash(endpoints.fulcio_url) + std::string(kFulcioPath),
           json::serialize(request), endpoints, identity_token));
  BULWARK_ASSIGN_OR_RETURN(json::object parsed, parse_object("fulcio", answer));
  BULWARK_ASSIGN_OR_RETURN(std::vector<Certificate> chain, fulcio_chain(parsed, key.public_key()));
  return KeylessSigner(endpoints, std::move(key), std::move(chain));
}

Result<KeylessSignature> KeylessSigner::witness(std::string signature,
                                                const json::object& proposed) {
  BULWARK_ASSIGN_OR_RETURN(std::string answer,
                           post("rekor", trim_slash(endpoints_.rekor_url) + std::string(kRekorPath),
                                json::serialize(proposed), endpoints_));
  BULWARK_ASSIGN_OR_RETURN(json::object parsed, parse_object("rekor", answer));
  BULWARK_ASSIGN_OR_RETURN(KeylessSignature result, entry_from_rekor(parsed, std::move(signature)));
  if (!endpoints_.tsa_url.empty()) {
    json::object request{
        {"artifactHash", base64_encode(hash_bytes(HashAlgorithm::kSha256, result.signature))},
        {"hashAlgorithm", "sha256"}};
    BULWARK_ASSIGN_OR_RETURN(result.rfc3161_timestamp,
                             post("timestamp authority", tsa_timestamp_url(endpoints_.tsa_url),
                                  json::serialize(request), endpoints_));
    if (result.rfc3161_timestamp.empty() || result.rfc3161_timestamp[0] != 0x30) {
      return fail(ErrorCode::kUnavailable, "the timestamp authority answered with no DER response");
    }
  }
  return result;
}

Result<KeylessSignature> KeylessSigner::sign_message(std::string_view message) {
  BULWARK_ASSIGN_OR_RETURN(std::string signature, key_.sign(message));
  const std::string digest = hash_bytes(HashAlgorithm::kSha256, message);
  json::object proposed{
      {"apiVersion", "0.0.1"},
      {"kind", "hashedrekord"},
      {"spec",
       json::object{
           {"data", json::object{{"hash", json::object{{"algorithm", "sha256"},
                                                       {"value", hex_of(digest)}}}}},
           {"signature",
            json::object{{"content", base64_encode(signature)},
                         {"publicKey", json::object{{"content", base64_encode(leaf().pem())}}}}}}}};
  return witness(std::move(signature), proposed);
}

Result<KeylessSignature> KeylessSigner::sign_envelope(DsseEnvelope& envelope) {
  if (!envelope.signatures.empty()) {
    return fail(ErrorCode::kInvalidArgument, "the envelope is already signed");
  }
  BULWARK_ASSIGN_OR_RETURN(std::string signature,
                           key_.sign(dsse_pae(envelope.payload_type, envelope.payload)));
  envelope.signatures.push_back(DsseSignature{"", signature});
  json::object proposed{
      {"apiVersion", "0.0.1"},
      {"kind", "dsse"},
      {"spec",
       json::object{
           {"proposedContent",
            json::object{{"envelope", json::serialize(dsse_envelope_to_bundle_json(envelope))},
                         {"verifiers", json::array{json::string(base64_encode(leaf().pem()))}}}}}}};
  return witness(std::move(signature), proposed);
}

Result<std::string> keyless_sign_blob_bundle(KeylessSigner& signer, std::string_view artifact) {
  BULWARK_ASSIGN_OR_RETURN(KeylessSignature signed_, signer.sign_message(artifact));
  Bundle bundle = keyless_bundle(signer, signed_);
  MessageSignature m;
  m.digest_algorithm = HashAlgorithm::kSha256;
  m.digest = hash_bytes(HashAlgorithm::kSha256, artifact);
  m.signature = signed_.signature;
  bundle.message_signature = std::move(m);
  return serialize_bundle(bundle);
}

Result<std::string> keyless_statement_bundle(KeylessSigner& signer, std::string statement) {
  DsseEnvelope envelope;
  envelope.payload_type = std::string(kInTotoPayloadType);
  envelope.payload = std::move(statement);
  BULWARK_ASSIGN_OR_RETURN(KeylessSignature signed_, signer.sign_envelope(envelope));
  Bundle bundle = keyless_bundle(signer, signed_);
  bundle.dsse_envelope = std::move(envelope);
  return serialize_bundle(bundle);
}

Result<Written> sign_image_keyless(ArtifactStore& store, const ImageSubject& image,
                                   KeylessSigner& signer, const SigningOptions& options) {
  Written written;
  if (options.layout != SignatureLayout::kBundle) {
    SimpleSigningPayload payload;
    payload.docker_reference = image.repository;
    payload.manifest_digest = image.digest;
    const std::string bytes = make_simple_signing(payload);
    BULWARK_ASSIGN_OR_RETURN(KeylessSignature signed_, signer.sign_message(bytes));
    cosign::CosignLayer layer;
    layer.media_type = std::string(cosign::kSimpleSigningMediaType);
    layer.digest = Digest::of(bytes);
    layer.size = bytes.size();
    layer.signature_b64 = base64_encode(signed_.signature);
    add_keyless_material(layer, signer, signed_);
    BULWARK_ASSIGN_OR_RETURN(
        std::string line,
        append_to_cosign_tag(store, image, cosign::TagKind::kSignature, std::move(layer), bytes));
    written.push_back(std::move(line));
  }
  if (options.layout != SignatureLayout::kLegacy) {
    BULWARK_ASSIGN_OR_RETURN(std::string bundle,
                             keyless_statement_bundle(signer, cosign_sign_statement(image)));
    BULWARK_ASSIGN_OR_RETURN(
        Written pushed,
        push_bundle_referrer(store, image, bundle, kCosignSignPredicateType, options));
    written.insert(written.end(), pushed.begin(), pushed.end());
  }
  return written;
}

Result<Written> attest_image_keyless(ArtifactStore& store, const ImageSubject& image,
                                     KeylessSigner& signer, std::string_view predicate_type,
                                     std::string_view predicate, const SigningOptions& options) {
  BULWARK_ASSIGN_OR_RETURN(AttestationStatements statements,
                           attestation_statements(image, predicate_type, predicate));
  Written written;
  if (options.layout != SignatureLayout::kBundle) {
    DsseEnvelope envelope;
    envelope.payload_type = std::string(kInTotoPayloadType);
    envelope.payload = std::move(statements.legacy);
    BULWARK_ASSIGN_OR_RETURN(KeylessSignature signed_, signer.sign_envelope(envelope));
    // The layer holds exactly the envelope text Rekor logged (its envelopeHash is over it).
    const std::string bytes = json::serialize(dsse_envelope_to_bundle_json(envelope));
    cosign::CosignLayer layer;
    layer.media_type = std::string(cosign::kDsseMediaType);
    layer.digest = Digest::of(bytes);
    layer.size = bytes.size();
    layer.predicate_type = std::string(predicate_type);
    add_keyless_material(layer, signer, signed_);
    BULWARK_ASSIGN_OR_RETURN(
        std::string line,
        append_to_cosign_tag(store, image, cosign::TagKind::kAttestation, std::move(layer), bytes));
    written.push_back(std::move(line));
  }
  if (options.layout != SignatureLayout::kLegacy) {
    BULWARK_ASSIGN_OR_RETURN(std::string bundle,
                             keyless_statement_bundle(signer, std::move(statements.bundle)));
    BULWARK_ASSIGN_OR_RETURN(Written pushed,
                             push_bundle_referrer(store, image, bundle, predicate_type, options));
    written.insert(written.end(), pushed.begin(), pushed.end());
  }
  return written;
}

}  // namespace bulwark::trust
