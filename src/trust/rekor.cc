#include "trust/rekor.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>

#include "common/digest.h"
#include "common/encoding.h"
#include "common/strict_json.h"
#include "trust/merkle.h"
#include "trust/tlog_json.h"

namespace bulwark::trust {
namespace {

using namespace tlog_json;  // NOLINT(google-build-using-namespace): internal field helpers

tl::unexpected<TlogError> tlog_fail(Reason reason, std::string message) {
  return tl::unexpected<TlogError>(TlogError{reason, std::move(message)});
}

std::string hex(std::string_view bytes) {
  return to_hex({reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()});
}

std::optional<std::string> unhex(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size() / 2);
  for (size_t i = 0; i < text.size(); i += 2) {
    int hi = nibble(text[i]), lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

Result<boost::json::value> parse_json(std::string_view bytes, std::string_view what) {
  auto doc = parse_strict_json(bytes);
  if (!doc) return fail(doc.error().code, std::string(what) + ": " + doc.error().message);
  if (!doc->is_object())
    return fail(ErrorCode::kInvalidArgument, std::string(what) + ": not an object");
  return doc;
}

// ---- entry parsing ----------------------------------------------------------------------------

Result<InclusionProof> parse_inclusion_proof(const boost::json::object& o, std::string_view path) {
  InclusionProof proof;
  BULWARK_ASSIGN_OR_RETURN(int64_t index, int64_field(o, "logIndex", path, 0));
  BULWARK_ASSIGN_OR_RETURN(int64_t size, int64_field(o, "treeSize", path, std::nullopt));
  proof.log_index = static_cast<uint64_t>(index);
  proof.tree_size = static_cast<uint64_t>(size);
  BULWARK_ASSIGN_OR_RETURN(proof.root_hash, base64_field(o, "rootHash", path));
  BULWARK_ASSIGN_OR_RETURN(const boost::json::array* hashes, array_field(o, "hashes", path, false));
  if (hashes != nullptr) {
    for (size_t i = 0; i < hashes->size(); ++i) {
      std::string item_path = join(path, "hashes") + "[" + std::to_string(i) + "]";
      const boost::json::value& h = (*hashes)[i];
      if (!h.is_string()) return field_error(item_path, "not a string");
      auto raw = base64_decode(h.as_string());
      if (!raw) return field_error(item_path, "not valid base64");
      proof.hashes.push_back(std::move(*raw));
    }
  }
  BULWARK_ASSIGN_OR_RETURN(const boost::json::object* checkpoint,
                           object_field(o, "checkpoint", path, false));
  if (checkpoint != nullptr) {
    BULWARK_ASSIGN_OR_RETURN(proof.checkpoint,
                             string_field(*checkpoint, "envelope", join(path, "checkpoint")));
  }
  return proof;
}

// kind and apiVersion of a Rekor entry body.
Result<std::pair<std::string, std::string>> body_kind(std::string_view body) {
  BULWARK_ASSIGN_OR_RETURN(boost::json::value doc, parse_json(body, "rekor body"));
  const boost::json::object& o = doc.as_object();
  BULWARK_ASSIGN_OR_RETURN(std::string kind, string_field(o, "kind", "rekor body"));
  BULWARK_ASSIGN_OR_RETURN(std::string version, string_field(o, "apiVersion", "rekor body"));
  return std::make_pair(std::move(kind), std::move(version));
}

// ---- body parsing -------------------------------------------------------------------------------

struct HashName {
  std::string_view name;
  HashAlgorithm algorithm;
  size_t size;
};
// Rekor v1 bodies use the lower-case names, v2 bodies protobuf-specs' HashAlgorithm names.
constexpr std::array<HashName, 6> kHashNames = {{
    {"sha256", HashAlgorithm::kSha256, 32},
    {"sha384", HashAlgorithm::kSha384, 48},
    {"sha512", HashAlgorithm::kSha512, 64},
    {"SHA2_256", HashAlgorithm::kSha256, 32},
    {"SHA2_384", HashAlgorithm::kSha384, 48},
    {"SHA2_512", HashAlgorithm::kSha512, 64},
}};

enum class DigestEncoding { kHex, kBase64 };

// {"algorithm": ..., "value": hex} (v1) or {"algorithm": ..., "digest": base64} (v2).
Result<TlogHash> parse_hash(const boost::json::object& o, std::string_view key,
                            std::string_view path, DigestEncoding encoding) {
  BULWARK_ASSIGN_OR_RETURN(const boost::json::object* h, object_field(o, key, path));
  std::string hash_path = join(path, key);
  BULWARK_ASSIGN_OR_RETURN(std::string algorithm, string_field(*h, "algorithm", hash_path));
  auto it = std::find_if(kHashNames.begin(), kHashNames.end(),
                         [&](const HashName& n) { return n.name == algorithm; });
  if (it == kHashNames.end()) {
    return field_error(join(hash_path, "algorithm"), "unsupported " + quote_untrusted(algorithm));
  }
  TlogHash out{.algorithm = it->algorithm, .digest = {}};
  if (encoding == DigestEncoding::kHex) {
    BULWARK_ASSIGN_OR_RETURN(std::string value, string_field(*h, "value", hash_path));
    auto raw = unhex(value);
    if (!raw) return field_error(join(hash_path, "value"), "not hex");
    out.digest = std::move(*raw);
  } else {
    BULWARK_ASSIGN_OR_RETURN(out.digest, base64_field(*h, "digest", hash_path));
  }
  if (out.digest.size() != it->size) {
    return field_error(hash_path, "digest is not " + std::to_string(it->size) + " bytes");
  }
  return out;
}

// A base64-encoded PEM (Rekor v1's publicKey.content, verifier, publicKey).
Result<TlogVerifier> parse_pem_verifier(const boost::json::object& o, std::string_view key,
                                        std::string_view path) {
  BULWARK_ASSIGN_OR_RETURN(std::string pem, base64_field(o, key, path));
  auto verifier = tlog_verifier_from_pem(pem);
  if (!verifier) return field_error(join(path, key), verifier.error().message);
  return verifier;
}

// Rekor v2's Verifier message: {"publicKey": {"rawBytes"}} or {"x509Certificate": {"rawBytes"}}.
Result<TlogVerifier> parse_v2_verifier(const boost::json::object& o, std::string_view path) {
  BULWARK_ASSIGN_OR_RETURN(const boost::json::object* v, object_field(o, "verifier", path));
  std::string v_path = join(path, "verifier");
  BULWARK_ASSIGN_OR_RETURN(const boost::json::object* cert,
                           object_field(*v, "x509Certificate", v_path, false));
  BULWARK_ASSIGN_OR_RETURN(const boost::json::object* key,
                           object_field(*v, "publicKey", v_path, false));
  if ((cert == nullptr) == (key == nullptr)) {
    return field_error(v_path, "needs exactly one of x509Certificate and publicKey");
  }
  TlogVerifier out;
  out.is_certificate = cert != nullptr;
  BULWARK_ASSIGN_OR_RETURN(out.der,
                           base64_field(cert ? *cert : *key, "rawBytes",
                                        join(v_path, cert ? "x509Certificate" : "publicKey")));
  return out;
}

Result<const boost::json::array*> signatures_of(const boost::json::object& o,
                                                std::string_view path) {
  BULWARK_ASSIGN_OR_RETURN(const boost::json::array* sigs, array_field(o, "signatures", path));
  if (sigs->empty()) return field_error(join(path, "signatures"), "empty");
  return sigs;
}

std::string indexed(std::string_view path, size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

Result<void> parse_hashedrekord_001(const boost::json::object& spec, TlogBodyClaims& out) {
  BULWARK_ASSIGN_OR_RETURN(const boost::json::object* sig, object_field(spec, "signature", "spec"));
  TlogSignatureClaim claim;
  BULWARK_ASSIGN_OR_RETURN(claim.signature, base64_field(*sig, "content", "spec.signature"));
  BULWARK_ASSIGN_OR_RETURN(const boost::json::object* pk,
                           object_field(*sig, "publicKey", "spec.signature"));
  BULWARK_ASSIGN_OR_RETURN(claim.verifier,
                           parse_pem_verifier(*pk, "content", "spec.signature.publicKey"));
  out.signatures.push_back(std::move(claim));
  BULWARK_ASSIGN_OR_RETURN(const boost::json::object* data, object_field(spec, "data", "spec"));
  BULWARK_ASSIGN_OR_RETURN(out.artifact_hash,
                           parse_hash(*data, "hash", "spec.data", DigestEncoding::kHex));
  return ok();
}

Result<void> parse_hashedrekord_002(const boost::json::object& spec, TlogBodyClaims& out) {
  constexpr std::string_view kPath = "spec.hashedRekordV002";
  BULWARK_ASSIGN_OR_RETURN(const boost::json::object* hr,
                           object_field(spec, "hashedRekordV002", "spec"));
  BULWARK_ASSIGN_OR_RETURN(const boost::json::object* sig, object_field(*hr, "signature", kPath));
  std::string sig_path = join(kPath, "signature");
  TlogSignatureClaim claim;
  BULWARK_ASSIGN_OR_RETURN(claim.signature, base64_field(*sig, "content", sig_path));
  BULWARK_ASSIGN_OR_RETURN(claim.verifier, parse_v2_verifier(*sig, sig_path));
  out.signatures.push_back(std::move(claim));
  BULWARK_ASSIGN_OR_RETURN(out.artifact_hash,
                           parse_hash(*hr, "data", kPath, DigestEncoding::kBase64));
  return ok();
}

Result<void> parse_dsse_001(const boost::json::object& spec, TlogBodyClaims& out) {
  BULWARK_ASSIGN_OR_RETURN(const boost::json::array* sigs, signatures_of(spec, "spec"));
  for (size_t i = 0; i < sigs->size(); ++i) {
    std::string path = indexed("spec.signatures", i);
    BULWARK_ASSIGN_OR_RETURN(const boost::json::object* s, as_object((*sigs)[i], path));
    TlogSignatureClaim claim;
    BULWARK_ASSIGN_OR_RETURN(claim.signature, base64_field(*s, "signature", path));
    BULWARK_ASSIGN_OR_RETURN(claim.verifier, parse_pem_verifier(*s, "verifier", path));
    out.signatures.push_back(std::move(claim));
  }
  BULWARK_ASSIGN_OR_RETURN(out.payload_hash,
                           parse_hash(spec, "payloadHash", "spec", DigestEncoding::kHex));
  BULWARK_ASSIGN_OR_RETURN(out.envelope_hash,
                           parse_hash(spec, "envelopeHash", "spec", DigestEncoding::kHex));
  return ok();
}

Result<void> parse_dsse_002(const boost::json::object& spec, TlogBodyClaims& out) {
  constexpr std::string_view kPath = "spec.dsseV002";
  BULWARK_ASSIGN_OR_RETURN(const boost::json::object* d, object_field(spec, "dsseV002", "spec"));
  BULWARK_ASSIGN_OR_RETURN(const boost::json::array* sigs, signatures_of(*d, kPath));
  for (size_t i = 0; i < sigs->size(); ++i) {
    std::string path = indexed(join(kPath, "signatures"), i);
    BULWARK_ASSIGN_OR_RETURN(const boost::json::object* s, as_object((*sigs)[i], path));
    TlogSignatureClaim claim;
    BULWARK_ASSIGN_OR_RETURN(claim.signature, base64_field(*s, "content", path));
    BULWARK_ASSIGN_OR_RETURN(claim.verifier, parse_v2_verifier(*s, path));
    out.signatures.push_back(std::move(claim));
  }
  BULWARK_ASSIGN_OR_RETURN(out.payload_hash,
                           parse_hash(*d, "payloadHash", kPath, DigestEncoding::kBase64));
  return ok();
}

Result<void> parse_intoto_002(const boost::json::object& spec, TlogBodyClaims& out) {
  BULWARK_ASSIGN_OR_RETURN(const boost::json::object* content,
                           object_field(spec, "content", "spec"));
  BULWARK_ASSIGN_OR_RETURN(const boost::json::object* env,
                           object_field(*content, "envelope", "spec.content"));
  constexpr std::string_view kEnvPath = "spec.content.envelope";
  BULWARK_ASSIGN_OR_RETURN(auto payload_type, optional_string(*env, "payloadType", kEnvPath));
  out.payload_type = payload_type.value_or("");
  BULWARK_ASSIGN_OR_RETURN(const boost::json::array* sigs, signatures_of(*env, kEnvPath));
  for (size_t i = 0; i < sigs->size(); ++i) {
    std::string path = indexed(join(kEnvPath, "signatures"), i);
    BULWARK_ASSIGN_OR_RETURN(const boost::json::object* s, as_object((*sigs)[i], path));
    TlogSignatureClaim claim;
    // The envelope's sig is base64 already; Rekor base64-encodes it once more.
    BULWARK_ASSIGN_OR_RETURN(std::string inner, base64_field(*s, "sig", path));
    auto raw = base64_decode(inner);
    if (!raw || raw->empty()) return field_error(join(path, "sig"), "not double base64");
    claim.signature = std::move(*raw);
    BULWARK_ASSIGN_OR_RETURN(claim.verifier, parse_pem_verifier(*s, "publicKey", path));
    out.signatures.push_back(std::move(claim));
  }
  BULWARK_ASSIGN_OR_RETURN(
      out.payload_hash, parse_hash(*content, "payloadHash", "spec.content", DigestEncoding::kHex));
  BULWARK_ASSIGN_OR_RETURN(out.envelope_hash,
                           parse_hash(*content, "hash", "spec.content", DigestEncoding::kHex));
  return ok();
}

struct BodyKind {
  std::string_view kind;
  std::string_view version;
  Result<void> (*parse)(const boost::json::object& spec, TlogBodyClaims& out);
};
constexpr std::array<BodyKind, 5> kBodyKinds = {{
    {"hashedrekord", "0.0.1", parse_hashedrekord_001},
    {"hashedrekord", "0.0.2", parse_hashedrekord_002},
    {"dsse", "0.0.1", parse_dsse_001},
    {"dsse", "0.0.2", parse_dsse_002},
    {"intoto", "0.0.2", parse_intoto_002},
}};

const TransparencyLog* pick_log(const TlogEntry& entry, std::span<const TransparencyLog> logs,
                                bool& id_known) {
  id_known = false;
  for (const TransparencyLog& log : logs) {
    if (log.log_id != entry.log_id) continue;
    id_known = true;
    // Rekor v2 entries carry no integrated time: the caller checks the log's validity against
    // the timestamp it trusts.
    if (entry.integrated_time == 0 || log.validity.contains(entry.integrated_time)) return &log;
  }
  return nullptr;
}

}  // namespace

Result<TlogEntry> parse_tlog_entry(const boost::json::value& v) {
  constexpr std::string_view kPath = "tlog entry";
  BULWARK_ASSIGN_OR_RETURN(const boost::json::object* o, as_object(v, kPath));
  TlogEntry entry;
  BULWARK_ASSIGN_OR_RETURN(entry.log_index, int64_field(*o, "logIndex", kPath, 0));
  BULWARK_ASSIGN_OR_RETURN(const boost::json::object* id, object_field(*o, "logId", kPath));
  BULWARK_ASSIGN_OR_RETURN(entry.log_id, base64_field(*id, "keyId", join(kPath, "logId")));
  BULWARK_ASSIGN_OR_RETURN(const boost::json::object* kv, object_field(*o, "kindVersion", kPath));
  BULWARK_ASSIGN_OR_RETURN(entry.kind, string_field(*kv, "kind", join(kPath, "kindVersion")));
  BULWARK_ASSIGN_OR_RETURN(entry.version, string_field(*kv, "version", join(kPath, "kindVersion")));
  BULWARK_ASSIGN_OR_RETURN(entry.integrated_time, int64_field(*o, "integratedTime", kPath, 0));
  BULWARK_ASSIGN_OR_RETURN(const boost::json::object* promise,
                           object_field(*o, "inclusionPromise", kPath, false));
  if (promise != nullptr) {
    BULWARK_ASSIGN_OR_RETURN(
        entry.signed_entry_timestamp,
        base64_field(*promise, "signedEntryTimestamp", join(kPath, "inclusionPromise")));
  }
  BULWARK_ASSIGN_OR_RETURN(const boost::json::object* proof,
                           object_field(*o, "inclusionProof", kPath, false));
  if (proof != nullptr) {
    BULWARK_ASSIGN_OR_RETURN(InclusionProof p,
                             parse_inclusion_proof(*proof, join(kPath, "inclusionProof")));
    entry.inclusion_proof = std::move(p);
  }
  BULWARK_ASSIGN_OR_RETURN(entry.canonicalized_body, base64_field(*o, "canonicalizedBody", kPath));
  return entry;
}

Result<TlogEntry> parse_tlog_entry_json(std::string_view json) {
  BULWARK_ASSIGN_OR_RETURN(boost::json::value doc, parse_json(json, "tlog entry"));
  return parse_tlog_entry(doc);
}

Result<TlogEntry> parse_cosign_bundle_annotation(std::string_view json) {
  constexpr std::string_view kPath = "cosign bundle";
  BULWARK_ASSIGN_OR_RETURN(boost::json::value doc, parse_json(json, kPath));
  const boost::json::object& o = doc.as_object();
  TlogEntry entry;
  BULWARK_ASSIGN_OR_RETURN(entry.signed_entry_timestamp,
                           base64_field(o, "SignedEntryTimestamp", kPath));
  BULWARK_ASSIGN_OR_RETURN(const boost::json::object* payload, object_field(o, "Payload", kPath));
  std::string payload_path = join(kPath, "Payload");
  BULWARK_ASSIGN_OR_RETURN(entry.canonicalized_body, base64_field(*payload, "body", payload_path));
  BULWARK_ASSIGN_OR_RETURN(entry.integrated_time,
                           int64_field(*payload, "integratedTime", payload_path, std::nullopt));
  BULWARK_ASSIGN_OR_RETURN(entry.log_index,
                           int64_field(*payload, "logIndex", payload_path, std::nullopt));
  BULWARK_ASSIGN_OR_RETURN(std::string log_id, string_field(*payload, "logID", payload_path));
  auto raw_id = unhex(log_id);
  if (!raw_id) return field_error(join(payload_path, "logID"), "not hex");
  entry.log_id = std::move(*raw_id);
  auto kind = body_kind(entry.canonicalized_body);
  if (!kind)
    return fail(kind.error().code, join(payload_path, "body") + ": " + kind.error().message);
  entry.kind = std::move(kind->first);
  entry.version = std::move(kind->second);
  return entry;
}

std::string signed_entry_timestamp_payload(const TlogEntry& entry) {
  // Every value is base64, hex or a number: nothing to escape, so this is the canonical form.
  return "{\"body\":\"" + base64_encode(entry.canonicalized_body) +
         "\",\"integratedTime\":" + std::to_string(entry.integrated_time) + ",\"logID\":\"" +
         hex(entry.log_id) + "\",\"logIndex\":" + std::to_string(entry.log_index) + "}";
}

TlogResult<void> verify_signed_entry_timestamp(const TlogEntry& entry, const TransparencyLog& log) {
  if (entry.signed_entry_timestamp.empty()) {
    return tlog_fail(Reason::kMissingTlogEntry, "the log entry has no signed entry timestamp");
  }
  auto r = log.key.verify(signed_entry_timestamp_payload(entry), entry.signed_entry_timestamp);
  if (!r) {
    return tlog_fail(Reason::kBadSignedEntryTimestamp, "signed entry timestamp of log entry " +
                                                           std::to_string(entry.log_index) +
                                                           " does not verify under the key of " +
                                                           log.base_url + ": " + r.error().message);
  }
  return {};
}

TlogResult<Checkpoint> verify_inclusion_proof(const TlogEntry& entry, const TransparencyLog& log) {
  if (!entry.inclusion_proof) {
    return tlog_fail(Reason::kMissingTlogEntry, "the log entry has no inclusion proof");
  }
  const InclusionProof& proof = *entry.inclusion_proof;
  auto merkle = verify_inclusion(merkle_leaf_hash(entry.canonicalized_body), proof.log_index,
                                 proof.tree_size, proof.hashes, proof.root_hash);
  if (!merkle) return tlog_fail(Reason::kBadInclusionProof, merkle.error().message);
  if (proof.checkpoint.empty()) {
    return tlog_fail(Reason::kBadCheckpoint, "the inclusion proof has no checkpoint");
  }
  auto checkpoint = verify_checkpoint(proof.checkpoint, log);
  if (!checkpoint) return tlog_fail(Reason::kBadCheckpoint, checkpoint.error().message);
  if (checkpoint->size != proof.tree_size) {
    return tlog_fail(Reason::kBadCheckpoint,
                     "checkpoint is for a tree of " + std::to_string(checkpoint->size) +
                         " entries, the inclusion proof for " + std::to_string(proof.tree_size));
  }
  if (checkpoint->root_hash != proof.root_hash) {
    return tlog_fail(Reason::kBadCheckpoint, "checkpoint root hash " + hex(checkpoint->root_hash) +
                                                 " is not the inclusion proof's " +
                                                 hex(proof.root_hash));
  }
  return std::move(*checkpoint);
}

Result<TlogVerifier> tlog_verifier_from_pem(std::string_view pem) {
  constexpr std::string_view kBegin = "-----BEGIN ";
  constexpr std::string_view kDashes = "-----";
  size_t begin = pem.find(kBegin);
  if (begin == std::string_view::npos) {
    return fail(ErrorCode::kInvalidArgument, "not PEM: no BEGIN line");
  }
  size_t label_start = begin + kBegin.size();
  size_t label_end = pem.find(kDashes, label_start);
  if (label_end == std::string_view::npos)
    return fail(ErrorCode::kInvalidArgument, "bad PEM header");
  std::string_view label = pem.substr(label_start, label_end - label_start);
  std::string end_line = "-----END " + std::string(label) + "-----";
  size_t body_start = label_end + kDashes.size();
  size_t end = pem.find(end_line, body_start);
  if (end == std::string_view::npos)
    return fail(ErrorCode::kInvalidArgument, "PEM has no END line");
  std::string b64;
  for (char c : pem.substr(body_start, end - body_start)) {
    if (c == '\n' || c == '\r' || c == ' ' || c == '\t') continue;
    b64.push_back(c);
  }
  auto der = base64_decode(b64);
  if (!der || der->empty()) return fail(ErrorCode::kInvalidArgument, "PEM body is not base64");
  TlogVerifier out;
  if (label == "CERTIFICATE") {
    out.is_certificate = true;
  } else if (label != "PUBLIC KEY") {
    return fail(ErrorCode::kInvalidArgument,
                "PEM holds a " + quote_untrusted(label) + ", not a CERTIFICATE or PUBLIC KEY");
  }
  out.der = std::move(*der);
  return out;
}

TlogResult<TlogBodyClaims> parse_tlog_body(const TlogEntry& entry) {
  auto doc = parse_json(entry.canonicalized_body, "rekor body");
  if (!doc) return tlog_fail(Reason::kMalformed, doc.error().message);
  const boost::json::object& o = doc->as_object();
  auto kind = string_field(o, "kind", "");
  auto version = string_field(o, "apiVersion", "");
  if (!kind || !version) {
    return tlog_fail(Reason::kMalformed,
                     "rekor body: " + (kind ? version.error() : kind.error()).message);
  }
  if ((!entry.kind.empty() && entry.kind != *kind) ||
      (!entry.version.empty() && entry.version != *version)) {
    return tlog_fail(Reason::kTlogBodyMismatch, "the log entry says " + entry.kind + " " +
                                                    entry.version + " but its body is " +
                                                    quote_untrusted(*kind) + " " +
                                                    quote_untrusted(*version));
  }
  auto it = std::find_if(kBodyKinds.begin(), kBodyKinds.end(), [&](const BodyKind& k) {
    return k.kind == *kind && k.version == *version;
  });
  if (it == kBodyKinds.end()) {
    return tlog_fail(Reason::kUnsupported, "rekor entries of kind " + quote_untrusted(*kind) + " " +
                                               quote_untrusted(*version) + " are not supported");
  }
  TlogBodyClaims claims;
  claims.kind = *kind;
  claims.version = *version;
  auto spec = object_field(o, "spec", "");
  if (!spec) return tlog_fail(Reason::kMalformed, "rekor body: " + spec.error().message);
  auto parsed = it->parse(**spec, claims);
  if (!parsed) return tlog_fail(Reason::kMalformed, "rekor body: " + parsed.error().message);
  return claims;
}

TlogResult<void> match_tlog_body(const TlogBodyClaims& claims, const TlogExpectation& expected) {
  std::string what = "the " + claims.kind + " log entry";
  auto sig =
      std::find_if(claims.signatures.begin(), claims.signatures.end(),
                   [&](const TlogSignatureClaim& c) { return c.signature == expected.signature; });
  if (sig == claims.signatures.end()) {
    return tlog_fail(Reason::kTlogBodyMismatch, what + " records another signature");
  }
  if (!expected.certificate_der.empty() || !expected.public_key_der.empty()) {
    const std::string& want =
        sig->verifier.is_certificate ? expected.certificate_der : expected.public_key_der;
    if (sig->verifier.der != want) {
      return tlog_fail(Reason::kTlogBodyMismatch,
                       what + " records another " +
                           (sig->verifier.is_certificate ? "certificate" : "public key") +
                           " as the signer");
    }
  }
  auto same_hash = [&](const std::optional<TlogHash>& have, const std::optional<TlogHash>& want,
                       std::string_view name) -> TlogResult<void> {
    if (!want) return {};
    if (!have)
      return tlog_fail(Reason::kTlogBodyMismatch, what + " records no " + std::string(name));
    if (have->algorithm != want->algorithm || have->digest != want->digest) {
      return tlog_fail(Reason::kTlogBodyMismatch,
                       what + " records " + std::string(name) + " " +
                           std::string(hash_algorithm_name(have->algorithm)) + ":" +
                           hex(have->digest) + ", expected " +
                           std::string(hash_algorithm_name(want->algorithm)) + ":" +
                           hex(want->digest));
    }
    return {};
  };
  auto artifact = same_hash(claims.artifact_hash, expected.artifact_hash, "artifact digest");
  if (!artifact) return artifact;
  return same_hash(claims.payload_hash, expected.payload_hash, "payload digest");
}

TlogResult<VerifiedTlogEntry> verify_tlog_entry(const TlogEntry& entry,
                                                std::span<const TransparencyLog> logs,
                                                const TlogVerifyOptions& options) {
  bool id_known = false;
  const TransparencyLog* log = pick_log(entry, logs, id_known);
  if (log == nullptr) {
    return tlog_fail(
        Reason::kUnknownLog,
        id_known ? "the trusted log " + hex(entry.log_id) + " was not valid at " +
                       std::to_string(entry.integrated_time)
                 : "the entry names log " + hex(entry.log_id) + ", which is not a trusted log");
  }
  bool has_set = !entry.signed_entry_timestamp.empty();
  bool has_proof = entry.inclusion_proof.has_value();
  if (!has_set && !has_proof) {
    return tlog_fail(Reason::kMissingTlogEntry,
                     "the log entry has neither a signed entry timestamp nor an inclusion proof");
  }
  if (options.require_signed_entry_timestamp && !has_set) {
    return tlog_fail(Reason::kMissingTlogEntry, "the log entry has no signed entry timestamp");
  }
  if (options.require_inclusion_proof && !has_proof) {
    return tlog_fail(Reason::kMissingTlogEntry, "the log entry has no inclusion proof");
  }
  VerifiedTlogEntry out;
  out.log = log;
  if (has_set) {
    auto set = verify_signed_entry_timestamp(entry, *log);
    if (!set) return tl::unexpected(std::move(set.error()));
    out.signed_entry_timestamp_verified = true;
    out.integrated_time = entry.integrated_time;
  }
  if (has_proof) {
    bool checkpointless = entry.inclusion_proof->checkpoint.empty();
    if (checkpointless && has_set && !options.require_inclusion_proof) {
      // A v0.1 bundle: the proof's root is unsigned, the SET is what the log vouched for. The
      // proof must still be consistent with its own root.
      const InclusionProof& p = *entry.inclusion_proof;
      auto merkle = verify_inclusion(merkle_leaf_hash(entry.canonicalized_body), p.log_index,
                                     p.tree_size, p.hashes, p.root_hash);
      if (!merkle) return tlog_fail(Reason::kBadInclusionProof, merkle.error().message);
    } else {
      auto checkpoint = verify_inclusion_proof(entry, *log);
      if (!checkpoint) return tl::unexpected(std::move(checkpoint.error()));
      out.checkpoint = std::move(*checkpoint);
    }
  }
  auto claims = parse_tlog_body(entry);
  if (!claims) return tl::unexpected(std::move(claims.error()));
  out.claims = std::move(*claims);
  return out;
}

}  // namespace bulwark::trust
