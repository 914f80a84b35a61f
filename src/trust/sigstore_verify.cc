#include "trust/sigstore_verify.h"

#include <algorithm>
#include <chrono>
#include <regex>

#include "common/encoding.h"
#include "common/strict_json.h"
#include "trust/dsse.h"
#include "trust/intoto.h"
#include "trust/rekor.h"
#include "trust/rfc3161.h"
#include "trust/sct.h"
#include "trust/simple_signing.h"
#include "trust/x509.h"

namespace bulwark::trust {
namespace {

std::string hex_of(std::string_view raw) {
  return to_hex(std::span<const unsigned char>(reinterpret_cast<const unsigned char*>(raw.data()),
                                               raw.size()));
}

// Quotes text from a signature for a message: printable ASCII, at most 200 characters (SANs are
// longer than quote_untrusted's 64).
std::string quote_text(std::string_view text) {
  std::string out = "\"";
  for (char c : text.substr(0, 200)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (text.size() > 200) out += "...";
  return out + "\"";
}

std::string key_name(const PublicKey& key) { return "sha256:" + hex_of(key.key_id()); }

std::optional<std::string> unhex(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < text.size(); i += 2) {
    auto nib = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    const int hi = nib(text[i]), lo = nib(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

// The raw key id a bundle's key hint names: base64 (as sigstore-js and cosign write it) or hex of
// the SHA-256 of the key's SPKI. nullopt when the hint is neither.
std::optional<std::string> key_id_from_hint(std::string_view hint) {
  if (auto raw = decode_base64_any_padding(hint); raw && raw->size() == 32) return raw;
  if (auto raw = unhex(hint); raw && raw->size() == 32) return raw;
  return std::nullopt;
}

std::optional<DigestAlgorithm> digest_algorithm_for(HashAlgorithm hash) {
  if (hash == HashAlgorithm::kSha256) return DigestAlgorithm::kSha256;
  if (hash == HashAlgorithm::kSha512) return DigestAlgorithm::kSha512;
  return std::nullopt;
}

// One signature in whichever form it came, normalised for the pipeline.
struct Material {
  std::vector<Certificate> certs;  // leaf first; empty for key-based material
  std::string key_hint;            // as written (bundles with publicKey material)
  std::vector<TlogEntry> tlog_entries;
  std::vector<std::string> timestamps;  // DER

  // Message signatures: the signed bytes when known (legacy payloads), and the digest the bundle
  // says was signed.
  std::optional<std::string> message;
  std::optional<HashAlgorithm> message_digest_algorithm;
  std::string message_digest;
  std::string signature;  // the message signature, or the DSSE envelope's signature

  std::optional<DsseEnvelope> envelope;
  // The payload is a cosign simple-signing document that must name the artifact's digest.
  bool simple_signing = false;
  // Other bytes an RFC 3161 timestamp may cover (cosign .att layers: the envelope).
  std::string alternate_timestamped;
};

// libstdc++'s std::regex recurses per character: texts from certificates are bounded before
// matching so a huge SAN cannot exhaust the stack.
constexpr size_t kMaxRegexSubject = 4096;

bool full_match(const std::string& pattern, const std::string& text, std::string* error) {
  if (text.size() > kMaxRegexSubject) {
    *error = "identity longer than " + std::to_string(kMaxRegexSubject) + " characters";
    return false;
  }
  try {
    return std::regex_match(text, std::regex(pattern, std::regex::ECMAScript));
  } catch (const std::regex_error& e) {
    *error = "bad regular expression " + quote_untrusted(pattern);
    return false;
  }
}

class Pipeline {
 public:
  Pipeline(Material m, const Artifact& artifact, const TrustedRoot& root,
           const SigstorePolicy& policy, Verdict& verdict)
      : m_(std::move(m)), artifact_(artifact), root_(root), policy_(policy), v_(verdict) {}

  void run() {
    if (!signer() || !signature() || !tlog() || !timestamps() || !certificate()) return;
    v_.reason = Reason::kNone;
    v_.message.clear();
    if (!times_.empty()) v_.signed_at = *std::min_element(times_.begin(), times_.end());
  }

 private:
  bool keyless() const { return policy_.keys.empty(); }

  bool fail(Reason why, std::string name, std::string detail) {
    v_.fail(why, std::move(name), std::move(detail));
    return false;
  }

  // The key id a Rekor body records for key-based signatures (a hint when the material has none).
  std::optional<std::string> tlog_key_id() const {
    for (const TlogEntry& e : m_.tlog_entries) {
      auto claims = parse_tlog_body(e);
      if (!claims) continue;
      for (const TlogSignatureClaim& s : claims->signatures) {
        if (!s.verifier.is_certificate && !s.verifier.der.empty()) {
          return hash_bytes(HashAlgorithm::kSha256, s.verifier.der);
        }
      }
    }
    return std::nullopt;
  }

  // Step 1: who may have signed.
  bool signer() {
    if (keyless()) {
      if (policy_.identities.empty()) {
        return fail(Reason::kPolicyNotMet, "policy", "the policy trusts no keys and no identities");
      }
      if (m_.certs.empty()) {
        return fail(Reason::kUntrustedChain, "signer",
                    "signed with a key, but the policy trusts certificate identities");
      }
      auto key = m_.certs.front().public_key();
      if (!key)
        return fail(Reason::kMalformed, "signer", "certificate key: " + key.error().message);
      candidates_.push_back(*key);
      v_.pass("signer", "certificate issued by " + m_.certs.front().issuer());
      return true;
    }
    if (!m_.certs.empty()) {
      auto key = m_.certs.front().public_key();
      if (!key)
        return fail(Reason::kMalformed, "signer", "certificate key: " + key.error().message);
      for (const PublicKey& k : policy_.keys) {
        if (k.spki_der() == key->spki_der()) candidates_.push_back(k);
      }
      if (candidates_.empty()) {
        return fail(Reason::kWrongKey, "signer",
                    "the certificate's key " + key_name(*key) + " is not a trusted key");
      }
      v_.pass("signer", "certificate key " + key_name(candidates_.front()));
      return true;
    }
    std::optional<std::string> claimed;
    std::string claimed_by;
    if (!m_.key_hint.empty()) {
      claimed = key_id_from_hint(m_.key_hint);
      claimed_by = "key hint";
      if (!claimed) {
        return fail(Reason::kWrongKey, "signer",
                    "key hint " + quote_untrusted(m_.key_hint) + " names no trusted key");
      }
    } else if ((claimed = tlog_key_id())) {
      claimed_by = "transparency log entry";
    }
    if (claimed) {
      for (const PublicKey& k : policy_.keys) {
        if (k.key_id() == *claimed) candidates_.push_back(k);
      }
      if (candidates_.empty()) {
        return fail(
            Reason::kWrongKey, "signer",
            "the " + claimed_by + " names key sha256:" + hex_of(*claimed) + ", not a trusted key");
      }
      v_.pass("signer", claimed_by + " names trusted key " + key_name(candidates_.front()));
      return true;
    }
    candidates_ = policy_.keys;
    unnamed_signer_ = true;
    v_.pass("signer",
            "no key named; trying " + std::to_string(candidates_.size()) + " trusted key(s)");
    return true;
  }

  // Verifies `message` (or its digest when only that is known) under the candidates; sets key_.
  bool verify_under_candidates(const std::optional<std::string>& message, std::string_view digest,
                               std::optional<HashAlgorithm> hash, std::string_view sig,
                               const std::string& check) {
    std::string last_error;
    for (const PublicKey& k : candidates_) {
      SignatureScheme scheme = default_scheme(k.type());
      if (hash) scheme.hash = *hash;
      auto r = message ? k.verify(*message, sig, scheme) : k.verify_digest(digest, sig, scheme);
      if (r) {
        key_ = k;
        v_.pass(check, "verifies under " + key_name(k));
        return true;
      }
      last_error = r.error().message;
    }
    // Nothing named the signer and no trusted key verifies: as far as anyone can tell, another
    // key signed (a damaged signature looks the same). A named trusted key that does not verify
    // is a bad signature.
    return fail(
        unnamed_signer_ ? Reason::kWrongKey : Reason::kBadSignature, check,
        candidates_.size() == 1
            ? "does not verify under " + key_name(candidates_.front()) + " (" + last_error + ")"
            : "verifies under none of the " + std::to_string(candidates_.size()) + " trusted keys");
  }

  std::optional<Digest> artifact_digest() const {
    if (artifact_.digest) return artifact_.digest;
    if (artifact_.bytes) return Digest::of(*artifact_.bytes);
    return std::nullopt;
  }

  // Step 2: the signature and what it is about.
  bool signature() { return m_.envelope ? dsse_signature() : message_signature(); }

  bool message_signature() {
    std::optional<std::string> message = m_.message ? m_.message : artifact_.bytes;
    std::string digest = m_.message_digest;
    std::optional<HashAlgorithm> hash = m_.message_digest_algorithm;
    if (!m_.message && m_.message_digest_algorithm) {
      // The bundle says which digest was signed: it must be the artifact's.
      if (artifact_.bytes) {
        if (hash_bytes(*hash, *artifact_.bytes) != m_.message_digest) {
          return fail(Reason::kTamperedPayload, "artifact digest",
                      "the bundle signs " + std::string(hash_algorithm_name(*hash)) + ":" +
                          hex_of(m_.message_digest) + ", not the artifact presented");
        }
      } else if (artifact_.digest) {
        auto alg = digest_algorithm_for(*hash);
        if (!alg || *alg != artifact_.digest->algorithm() ||
            hex_of(m_.message_digest) != artifact_.digest->hex()) {
          return fail(Reason::kTamperedPayload, "artifact digest",
                      "the bundle signs " + std::string(hash_algorithm_name(*hash)) + ":" +
                          hex_of(m_.message_digest) + ", not " + artifact_.digest->str());
        }
      } else {
        return fail(Reason::kMalformed, "artifact digest", "no artifact to verify against");
      }
      v_.pass("artifact digest",
              std::string(hash_algorithm_name(*hash)) + ":" + hex_of(m_.message_digest));
    } else if (!message) {
      return fail(Reason::kMalformed, "artifact digest",
                  "the bundle names no digest and no artifact bytes were given");
    }
    if (message) {
      signed_hash_ = TlogHash{HashAlgorithm::kSha256, hash_bytes(HashAlgorithm::kSha256, *message)};
    } else {
      signed_hash_ = TlogHash{*hash, digest};
    }
    if (!verify_under_candidates(message, digest, hash, m_.signature, "signature")) return false;
    if (m_.simple_signing) return simple_signing_subject(*message);
    return true;
  }

  bool simple_signing_subject(const std::string& payload) {
    auto parsed = parse_simple_signing(payload);
    if (!parsed) return fail(Reason::kMalformed, "payload", parsed.error().message);
    auto image = artifact_digest();
    if (!image || parsed->manifest_digest != *image) {
      return fail(Reason::kDigestMismatch, "payload",
                  "signs image " + parsed->manifest_digest.str() + ", not " +
                      (image ? image->str() : std::string("(none given)")));
    }
    v_.pass("payload", "cosign simple signing for " + parsed->docker_reference + "@" +
                           parsed->manifest_digest.str());
    return true;
  }

  bool dsse_signature() {
    const DsseEnvelope& env = *m_.envelope;
    if (env.signatures.size() != 1) {
      return fail(Reason::kUnsupported, "signature",
                  "DSSE envelope with " + std::to_string(env.signatures.size()) + " signatures");
    }
    m_.signature = env.signatures.front().sig;
    if (!verify_under_candidates(dsse_pae(env.payload_type, env.payload), {}, std::nullopt,
                                 m_.signature, "signature")) {
      return false;
    }
    payload_hash_ =
        TlogHash{HashAlgorithm::kSha256, hash_bytes(HashAlgorithm::kSha256, env.payload)};
    if (env.payload_type != kInTotoPayloadType) {
      return fail(Reason::kUnsupported, "statement",
                  "DSSE payload type " + quote_untrusted(env.payload_type) + " is not in-toto");
    }
    auto st = parse_statement(env.payload);
    if (!st) return fail(Reason::kMalformed, "statement", st.error().message);
    auto digest = artifact_digest();
    if (!digest)
      return fail(Reason::kMalformed, "statement", "no subject digest to verify against");
    if (!subject_matches(*st, *digest)) {
      return fail(Reason::kDigestMismatch, "statement", "no subject has digest " + digest->str());
    }
    if (policy_.predicate_type && st->predicate_type != *policy_.predicate_type) {
      return fail(Reason::kWrongPredicateType, "statement",
                  "predicate type " + quote_untrusted(st->predicate_type) + ", required " +
                      *policy_.predicate_type);
    }
    v_.pass("statement",
            "in-toto statement about " + digest->str() + ", predicate " + st->predicate_type);
    return true;
  }

  // Step 3: transparency-log entries.
  bool tlog() {
    size_t verified = 0;
    for (size_t i = 0; i < m_.tlog_entries.size(); ++i) {
      const TlogEntry& entry = m_.tlog_entries[i];
      const std::string check = "rekor entry " + std::to_string(entry.log_index);
      auto ve = verify_tlog_entry(entry, root_.tlogs);
      if (!ve) return fail(ve.error().reason, check, ve.error().message);
      TlogExpectation expect;
      expect.signature = m_.signature;
      if (!m_.certs.empty()) {
        expect.certificate_der = m_.certs.front().der();
        if (auto k = m_.certs.front().public_key()) expect.public_key_der = k->spki_der();
      } else if (key_) {
        expect.public_key_der = key_->spki_der();
      }
      if (ve->claims.kind == "hashedrekord") {
        expect.artifact_hash = signed_hash_;
        if (!signed_hash_) {
          return fail(Reason::kTlogBodyMismatch, check, "a hashedrekord entry for a DSSE envelope");
        }
      } else {
        expect.payload_hash = payload_hash_;
        if (!payload_hash_) {
          return fail(Reason::kTlogBodyMismatch, check,
                      "a " + ve->claims.kind + " entry for a message signature");
        }
      }
      auto match = match_tlog_body(ve->claims, expect);
      if (!match) return fail(match.error().reason, check, match.error().message);
      std::string detail = "in " + ve->log->base_url;
      if (ve->signed_entry_timestamp_verified) detail += ", signed entry timestamp";
      if (ve->checkpoint)
        detail += ", inclusion proof to tree size " + std::to_string(ve->checkpoint->size);
      if (ve->integrated_time) times_.push_back(*ve->integrated_time);
      v_.pass(check, detail);
      ++verified;
    }
    if (verified < policy_.tlog_threshold) {
      return fail(Reason::kMissingTlogEntry, "transparency log",
                  std::to_string(verified) + " verified entries, " +
                      std::to_string(policy_.tlog_threshold) + " required");
    }
    return true;
  }

  // Step 4: RFC 3161 timestamps over the signature.
  bool timestamps() {
    size_t verified = 0;
    for (size_t i = 0; i < m_.timestamps.size(); ++i) {
      const std::string check = "timestamp " + std::to_string(i);
      auto ts = verify_rfc3161(m_.timestamps[i], m_.signature, root_.timestamp_authorities);
      if (!ts && !m_.alternate_timestamped.empty()) {
        ts =
            verify_rfc3161(m_.timestamps[i], m_.alternate_timestamped, root_.timestamp_authorities);
      }
      if (!ts) return fail(Reason::kBadTimestamp, check, ts.error().message);
      times_.push_back(ts->gen_time);
      v_.pass(check, "by " + ts->signer + " at " + std::to_string(ts->gen_time));
      ++verified;
    }
    if (verified < policy_.timestamp_threshold) {
      return fail(Reason::kPolicyNotMet, "timestamps",
                  std::to_string(verified) + " verified timestamps, " +
                      std::to_string(policy_.timestamp_threshold) + " required");
    }
    return true;
  }

  // The chain from the leaf to a trusted Fulcio CA at `at`; nullopt when there is none.
  std::optional<std::vector<Certificate>> chain_at(int64_t at) const {
    const Certificate& leaf = m_.certs.front();
    for (const CertificateAuthority& ca : root_.certificate_authorities) {
      if (ca.chain.empty() || !ca.validity.contains(at)) continue;
      std::vector<Certificate> intermediates(m_.certs.begin() + 1, m_.certs.end());
      intermediates.insert(intermediates.end(), ca.chain.begin(), ca.chain.end() - 1);
      const Certificate& anchor = ca.chain.back();
      ChainOptions options;
      options.at = at;
      auto chain =
          verify_chain(leaf, intermediates, std::span<const Certificate>(&anchor, 1), options);
      if (chain) return std::move(*chain);
    }
    return std::nullopt;
  }

  // Whether every certificate of a verified `chain` and the CA it ends in are valid at `t`.
  bool chain_valid_at(const std::vector<Certificate>& chain, int64_t t) const {
    for (const Certificate& c : chain) {
      if (!c.valid_at(t)) return false;
    }
    for (const CertificateAuthority& ca : root_.certificate_authorities) {
      if (!ca.chain.empty() && ca.chain.back().der() == chain.back().der() &&
          ca.validity.contains(t)) {
        return true;
      }
    }
    return false;
  }

  // Step 5: the Fulcio certificate (keyless only).
  bool certificate() {
    if (!keyless()) {
      v_.signer = key_ ? key_name(*key_) : std::string();
      return true;
    }
    const Certificate& leaf = m_.certs.front();
    std::vector<int64_t> at = times_;
    if (at.empty()) {
      at.push_back(policy_.now ? *policy_.now
                               : std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
    }
    std::optional<std::vector<Certificate>> chain;
    for (int64_t t : at) {
      // Certificate signatures do not depend on time, only validity does: a chain verified at
      // one trusted time needs only its validity windows checked at the others.
      if (chain && chain_valid_at(*chain, t)) continue;
      chain = chain_at(t);
      if (!chain) {
        const bool trusted_otherwise = chain_at(leaf.not_before()).has_value();
        if (!trusted_otherwise) {
          return fail(Reason::kUntrustedChain, "certificate chain",
                      "the certificate does not chain to a trusted Fulcio CA (issuer " +
                          leaf.issuer() + ")");
        }
        if (times_.empty()) {
          return fail(Reason::kExpiredWithoutTimestamp, "certificate chain",
                      "the certificate is not valid now and no verified transparency-log time or "
                      "timestamp shows it was signed while it was");
        }
        return fail(Reason::kCertificateExpired, "certificate chain",
                    "the certificate was not valid at the signing time " + std::to_string(t));
      }
    }
    v_.pass("certificate chain",
            "issued by " + chain->at(std::min<size_t>(1, chain->size() - 1)).subject());
    if (policy_.sct_threshold > 0) {
      if (chain->size() < 2) return fail(Reason::kUntrustedChain, "sct", "no issuer certificate");
      auto scts = verify_embedded_scts(leaf, (*chain)[1], root_.ctlogs, policy_.sct_threshold);
      if (!scts) {
        const bool missing = scts.error().message.find("no embedded SCT") != std::string::npos;
        return fail(missing ? Reason::kMissingSct : Reason::kBadSct, "sct", scts.error().message);
      }
      v_.pass("sct", std::to_string(*scts) + " verified embedded SCT(s)");
    }
    return identity(leaf);
  }

  bool identity(const Certificate& leaf) {
    auto id = fulcio_identity(leaf);
    if (!id) return fail(Reason::kIdentityMismatch, "identity", id.error().message);
    std::string error;
    bool san_matched = false;
    for (const KeylessIdentity& want : policy_.identities) {
      for (const std::string& san : id->identities) {
        const bool san_ok = (!want.san.empty() || !want.san_regex.empty()) &&
                            (want.san.empty() || want.san == san) &&
                            (want.san_regex.empty() || full_match(want.san_regex, san, &error));
        if (!san_ok) continue;
        san_matched = true;
        const bool issuer_ok =
            (!want.issuer.empty() || !want.issuer_regex.empty()) &&
            (want.issuer.empty() || want.issuer == id->issuer) &&
            (want.issuer_regex.empty() || full_match(want.issuer_regex, id->issuer, &error));
        if (issuer_ok) {
          v_.pass("identity", san);
          v_.pass("issuer", id->issuer);
          v_.signer = san;
          v_.issuer = id->issuer;
          return true;
        }
      }
    }
    const std::string sans =
        id->identities.empty() ? std::string("(none)") : id->identities.front();
    if (!san_matched) {
      return fail(Reason::kIdentityMismatch, "identity",
                  "certificate identity " + quote_text(sans) + " is not trusted" +
                      (error.empty() ? "" : " (" + error + ")"));
    }
    v_.pass("identity", sans);
    return fail(Reason::kIssuerMismatch, "issuer",
                "OIDC issuer " + quote_text(id->issuer) + " is not trusted for " +
                    quote_text(sans) + (error.empty() ? "" : " (" + error + ")"));
  }

  Material m_;
  const Artifact& artifact_;
  const TrustedRoot& root_;
  const SigstorePolicy& policy_;
  Verdict& v_;
  std::vector<PublicKey> candidates_;
  bool unnamed_signer_ = false;  // candidates_ are all trusted keys, none named by the material
  std::optional<PublicKey> key_;
  std::optional<TlogHash> signed_hash_;   // message signatures: what a hashedrekord must record
  std::optional<TlogHash> payload_hash_;  // DSSE: what a dsse/intoto entry must record
  std::vector<int64_t> times_;            // trusted signing times
};

// Step 1 for bundles: the bundle's pieces as Material.
bool material_from_bundle(const Bundle& b, Material& m, Verdict& v) {
  for (const std::string& der : b.certificates) {
    auto cert = Certificate::from_der(der);
    if (!cert) {
      v.fail(Reason::kMalformed, "material", "certificate: " + cert.error().message);
      return false;
    }
    m.certs.push_back(std::move(*cert));
  }
  m.key_hint = b.public_key_hint;
  for (const boost::json::object& raw : b.tlog_entries) {
    auto entry = parse_tlog_entry(raw);
    if (!entry) {
      v.fail(Reason::kMalformed, "material", "tlog entry: " + entry.error().message);
      return false;
    }
    m.tlog_entries.push_back(std::move(*entry));
  }
  m.timestamps = b.rfc3161_timestamps;
  if (b.message_signature) {
    m.message_digest_algorithm = b.message_signature->digest_algorithm;
    m.message_digest = b.message_signature->digest;
    m.signature = b.message_signature->signature;
  } else if (b.dsse_envelope) {
    m.envelope = b.dsse_envelope;
  } else {
    v.fail(Reason::kNoSignature, "material", "the bundle holds no signature");
    return false;
  }
  v.pass("material", std::string(bundle_media_type(b.version)));
  return true;
}

// Step 1 for cosign layers.
bool material_from_layer(const cosign::CosignLayer& layer, std::string_view blob, Material& m,
                         Verdict& v) {
  if (Digest::of(blob, layer.digest.algorithm()) != layer.digest) {
    v.fail(Reason::kTamperedPayload, "material",
           "the layer blob does not hash to the layer digest " + layer.digest.str());
    return false;
  }
  auto bad = [&](const std::string& detail) {
    v.fail(Reason::kMalformed, "material", detail);
    return false;
  };
  if (!layer.certificate_pem.empty()) {
    auto cert = Certificate::from_pem(layer.certificate_pem);
    if (!cert) return bad("certificate annotation: " + cert.error().message);
    m.certs.push_back(std::move(*cert));
    if (!layer.chain_pem.empty()) {
      auto chain = Certificate::all_from_pem(layer.chain_pem);
      if (!chain) return bad("chain annotation: " + chain.error().message);
      m.certs.insert(m.certs.end(), chain->begin(), chain->end());
    }
  }
  if (!layer.rekor_bundle_json.empty()) {
    auto entry = parse_cosign_bundle_annotation(layer.rekor_bundle_json);
    if (!entry) return bad("bundle annotation: " + entry.error().message);
    m.tlog_entries.push_back(std::move(*entry));
  }
  if (!layer.rfc3161_timestamp.empty()) m.timestamps.push_back(layer.rfc3161_timestamp);
  if (layer.media_type == cosign::kSimpleSigningMediaType) {
    auto sig = base64_decode(layer.signature_b64);
    if (!sig || sig->empty()) {
      v.fail(layer.signature_b64.empty() ? Reason::kNoSignature : Reason::kMalformed, "material",
             "the signature annotation is missing or not base64");
      return false;
    }
    m.signature = std::move(*sig);
    m.message = std::string(blob);
    m.simple_signing = true;
  } else if (layer.media_type == cosign::kDsseMediaType) {
    auto env = parse_dsse_envelope(blob);
    if (!env) return bad(env.error().message);
    m.envelope = std::move(*env);
    m.alternate_timestamped = std::string(blob);
  } else {
    v.fail(Reason::kUnsupported, "material",
           "layer media type " + quote_untrusted(layer.media_type));
    return false;
  }
  v.pass("material", "cosign layer " + layer.media_type);
  return true;
}

}  // namespace

Verdict verify_bundle(const Bundle& bundle, const Artifact& artifact, const TrustedRoot& root,
                      const SigstorePolicy& policy) {
  Verdict v;
  Material m;
  if (!material_from_bundle(bundle, m, v)) return v;
  Pipeline(std::move(m), artifact, root, policy, v).run();
  return v;
}

Verdict verify_bundle_json(std::string_view bundle_json, const Artifact& artifact,
                           const TrustedRoot& root, const SigstorePolicy& policy) {
  auto bundle = parse_bundle(bundle_json);
  if (!bundle) {
    Verdict v;
    v.fail(
        bundle.error().code == ErrorCode::kUnsupported ? Reason::kUnsupported : Reason::kMalformed,
        "bundle", bundle.error().message);
    return v;
  }
  return verify_bundle(*bundle, artifact, root, policy);
}

Verdict verify_cosign_signature(const cosign::CosignLayer& layer, std::string_view layer_blob,
                                const Digest& image, const TrustedRoot& root,
                                const SigstorePolicy& policy) {
  Verdict v;
  Material m;
  if (!material_from_layer(layer, layer_blob, m, v)) return v;
  const Artifact artifact = Artifact::from_digest(image);
  Pipeline(std::move(m), artifact, root, policy, v).run();
  return v;
}

}  // namespace bulwark::trust
