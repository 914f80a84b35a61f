// Rekor transparency-log entries as signatures carry them, and their offline verification:
//  - the `verificationMaterial.tlogEntries[]` objects of a Sigstore bundle (v0.1-v0.3), Rekor v1
//    (signed entry timestamp and/or inclusion proof + checkpoint) and Rekor v2 (inclusion proof +
//    checkpoint only, integratedTime 0: the signing time must then come from an RFC 3161
//    timestamp);
//  - cosign's legacy `dev.sigstore.cosign/bundle` annotation
//    {"SignedEntryTimestamp", "Payload": {"body", "integratedTime", "logIndex", "logID"}} (SET
//    only).
// The checks: the signed entry timestamp (the log's signature over the canonical JSON
// {"body","integratedTime","logID"(hex),"logIndex"}), the inclusion proof (RFC 6962 leaf hash of
// the canonicalized body up to the proof's root) with its checkpoint (signed by the same log, same
// size and root), and what the logged body commits to (TlogBodyClaims), which the caller compares
// with the signature it verifies (match_tlog_body).
//
// Failures carry a trust::Reason so a verdict can say which check failed:
//   kMalformed                entry or body cannot be parsed
//   kUnknownLog               no trusted log has the entry's log id (or none valid at its time)
//   kBadSignedEntryTimestamp  the SET does not verify under the log's key
//   kBadInclusionProof        the proof does not lead to its root hash (wrong root, truncated, ...)
//   kBadCheckpoint            checkpoint missing, unsigned by the log, or for another size/root
//   kTlogBodyMismatch         the body records another signature, key or digest, or another
//                             kind/version than the entry claims
//   kMissingTlogEntry         options require a SET or proof the entry does not have
//   kUnsupported              a body kind/version Bulwark cannot read
// Plain values and pure functions; thread-safe.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "common/result.h"
#include "trust/authorities.h"
#include "trust/checkpoint.h"
#include "trust/keys.h"
#include "trust/verdict.h"

namespace bulwark::trust {

struct InclusionProof {
  uint64_t log_index = 0;  // index of the entry in the proof's tree
  uint64_t tree_size = 0;
  std::string root_hash;            // raw bytes
  std::vector<std::string> hashes;  // raw bytes, leaf to root
  std::string checkpoint;           // signed-note envelope; empty when the bundle has none (v0.1)
};

// One transparency-log entry. Binary fields are raw bytes (decoded from base64/hex).
struct TlogEntry {
  int64_t log_index = 0;               // global index in the log (SET payload)
  std::string log_id;                  // raw; SHA-256 of the log key's SPKI for Rekor v1
  std::string kind;                    // kindVersion.kind ("hashedrekord", "dsse", "intoto")
  std::string version;                 // kindVersion.version ("0.0.1", "0.0.2")
  int64_t integrated_time = 0;         // Unix seconds; 0 for Rekor v2
  std::string signed_entry_timestamp;  // the SET (inclusionPromise); empty when absent
  std::optional<InclusionProof> inclusion_proof;
  std::string canonicalized_body;  // the logged entry (JSON bytes), the Merkle leaf
};

// Parses one element of a bundle's verificationMaterial.tlogEntries (proto3 JSON: int64 fields as
// strings or numbers, zero values may be omitted). kInvalidArgument naming the field.
Result<TlogEntry> parse_tlog_entry(const boost::json::value& entry);
Result<TlogEntry> parse_tlog_entry_json(std::string_view json);
// Parses cosign's `dev.sigstore.cosign/bundle` annotation value. kind/version are taken from the
// body (which must parse as a Rekor entry). No inclusion proof. kInvalidArgument naming the field.
Result<TlogEntry> parse_cosign_bundle_annotation(std::string_view json);

// Error of the verification functions below: why (see the table above) and a one-line message.
struct TlogError {
  Reason reason = Reason::kMalformed;
  std::string message;
};
template <class T>
using TlogResult = tl::expected<T, TlogError>;

// The exact bytes the SET signs: {"body":"<b64 body>","integratedTime":N,"logID":"<hex>",
// "logIndex":N} (keys sorted, no whitespace: RFC 8785 for this shape).
std::string signed_entry_timestamp_payload(const TlogEntry& entry);

// Verifies entry.signed_entry_timestamp under log.key. kMissingTlogEntry when the entry has no
// SET, kBadSignedEntryTimestamp when it does not verify.
TlogResult<void> verify_signed_entry_timestamp(const TlogEntry& entry, const TransparencyLog& log);

// Verifies the inclusion proof: leaf hash of the body, proof to root_hash (kBadInclusionProof),
// then the checkpoint: signed by `log`, with the proof's tree size and root hash (kBadCheckpoint).
// kMissingTlogEntry when the entry has no proof. Returns the verified checkpoint.
TlogResult<Checkpoint> verify_inclusion_proof(const TlogEntry& entry, const TransparencyLog& log);

struct TlogHash {
  HashAlgorithm algorithm = HashAlgorithm::kSha256;
  std::string digest;  // raw bytes
};

// Who the body says signed: a certificate or a public key, normalized to DER (Rekor v1 stores
// base64 PEM, Rekor v2 DER; both end up here as the DER bytes).
struct TlogVerifier {
  bool is_certificate = false;  // true: `der` is an X.509 certificate; false: a DER SPKI
  std::string der;
};

struct TlogSignatureClaim {
  std::string signature;  // raw signature bytes
  TlogVerifier verifier;
};

// What a Rekor entry body commits to, per kind:
//   hashedrekord 0.0.1/0.0.2  one signature; artifact_hash = digest of the signed artifact
//   dsse 0.0.1                signatures; payload_hash; envelope_hash (Rekor's hash of the
//                             envelope it canonicalized: informative, not comparable)
//   dsse 0.0.2                signatures; payload_hash
//   intoto 0.0.2              signatures (double base64 unwrapped); payload_hash; envelope_hash
//                             (content.hash, informative); payload_type
struct TlogBodyClaims {
  std::string kind;
  std::string version;
  std::vector<TlogSignatureClaim> signatures;
  std::optional<TlogHash> artifact_hash;
  std::optional<TlogHash> payload_hash;
  std::optional<TlogHash> envelope_hash;
  std::string payload_type;
};

// Parses entry.canonicalized_body. kTlogBodyMismatch when its kind/apiVersion differ from
// entry.kind/version (when those are set), kUnsupported for other kinds/versions, kMalformed when
// a field is missing or malformed (message names it).
TlogResult<TlogBodyClaims> parse_tlog_body(const TlogEntry& entry);

// What the verified signature is, to compare with the body (kTlogBodyMismatch on any difference).
struct TlogExpectation {
  std::string signature;  // raw signature bytes; must be one of the body's signatures
  // The signer, compared with that signature's verifier: a certificate verifier must equal
  // certificate_der, a public-key verifier public_key_der (for keyless signatures pass both the
  // certificate and its SPKI). Both empty: the verifier is not compared.
  std::string certificate_der;
  std::string public_key_der;
  // hashedrekord: the digest of the signed artifact; dsse/intoto: the digest of the DSSE payload.
  // nullopt: not compared. A body without the corresponding hash is a mismatch.
  std::optional<TlogHash> artifact_hash;
  std::optional<TlogHash> payload_hash;
};
TlogResult<void> match_tlog_body(const TlogBodyClaims& claims, const TlogExpectation& expected);

struct TlogVerifyOptions {
  bool require_signed_entry_timestamp = false;
  bool require_inclusion_proof = false;
};

struct VerifiedTlogEntry {
  const TransparencyLog* log = nullptr;  // points into the `logs` passed in
  // The integrated time, set only when the SET verified (then it is signed by the log). Rekor v2
  // entries and proof-only entries leave it empty: use an RFC 3161 timestamp.
  std::optional<int64_t> integrated_time;
  bool signed_entry_timestamp_verified = false;
  std::optional<Checkpoint> checkpoint;  // set when the inclusion proof verified
  TlogBodyClaims claims;
};

// Verifies one entry against the trusted logs: finds the log by id (kUnknownLog; when the entry has
// an integrated time the log must have been valid then), verifies the SET if present and the
// inclusion proof if present (at least one of the two is required: kMissingTlogEntry), then parses
// the body. The caller still compares the claims with its signature (match_tlog_body). An entry
// without integrated time (Rekor v2) is not checked against the log's validity period here: check
// result.log->validity against the time an RFC 3161 timestamp proves. A checkpoint-less proof
// (bundle v0.1) next to a verified SET is checked against its own root only (checkpoint stays
// empty) unless options.require_inclusion_proof, which then makes it kBadCheckpoint.
TlogResult<VerifiedTlogEntry> verify_tlog_entry(const TlogEntry& entry,
                                                std::span<const TransparencyLog> logs,
                                                const TlogVerifyOptions& options = {});

// Decodes a PEM text's first block to DER, reporting whether it is a CERTIFICATE or a PUBLIC KEY
// (the forms Rekor bodies store). kInvalidArgument otherwise.
Result<TlogVerifier> tlog_verifier_from_pem(std::string_view pem);

}  // namespace bulwark::trust
