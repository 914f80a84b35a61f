// Rekor entries: every bundle of keyless-mock and keybased-openssl carries a tlog entry whose SET
// and inclusion proof + checkpoint verify under the keyless-mock root, and whose body records the
// bundle's own signature, signer and digest (compared with the bundle's fields, decoded here, not
// with this parser's output). The cosign legacy annotation form verifies the same way. Tampered
// variants (flipped SET byte, other root, truncated/extended proof, wrong root, altered
// checkpoint, other signature/signer/digest) are refused with the reason the engine reports.
// Multi-leaf proofs and Rekor v2 entries are built here: trees from the RFC 6962 definition,
// checkpoints signed with the mock Rekor private key or a fresh Ed25519 key.
#include "trust/rekor.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <functional>
#include <sstream>

#include "common/encoding.h"
#include "trust/merkle.h"
#include "trust/trusted_root.h"
#include "trust/testing.h"

namespace bulwark::trust {
namespace {

using testing::read_file;

std::string b64d(std::string_view s) { return base64_decode(s).value(); }

using testing::mock_root;
using testing::public_good;

boost::json::value bundle_json(const std::string& rel) {
  return boost::json::parse(read_file(testing::sigstore_path(rel)));
}

boost::json::value& entry_json(boost::json::value& bundle) {
  return bundle.at("verificationMaterial").at("tlogEntries").at(0);
}

TlogEntry entry_of(const std::string& rel) {
  boost::json::value b = bundle_json(rel);
  auto entry = parse_tlog_entry(entry_json(b));
  EXPECT_TRUE(entry) << rel << ": " << entry.error().message;
  return *entry;
}

// What the bundle itself says was signed, read straight from its JSON.
TlogExpectation expectation_of(const std::string& rel) {
  boost::json::value b = bundle_json(rel);
  const auto& vm = b.at("verificationMaterial").as_object();
  TlogExpectation want;
  if (vm.contains("certificate")) {
    want.certificate_der = b64d(vm.at("certificate").at("rawBytes").as_string());
  } else if (vm.contains("x509CertificateChain")) {
    want.certificate_der =
        b64d(vm.at("x509CertificateChain").at("certificates").at(0).at("rawBytes").as_string());
  } else {
    want.public_key_der =
        PublicKey::load(testing::sigstore_path("keybased-openssl/cosign.pub")).value().spki_der();
  }
  if (b.as_object().contains("messageSignature")) {
    const auto& ms = b.at("messageSignature");
    want.signature = b64d(ms.at("signature").as_string());
    want.artifact_hash =
        TlogHash{HashAlgorithm::kSha256, b64d(ms.at("messageDigest").at("digest").as_string())};
  } else {
    const auto& env = b.at("dsseEnvelope");
    want.signature = b64d(env.at("signatures").at(0).at("sig").as_string());
    want.payload_hash =
        TlogHash{HashAlgorithm::kSha256,
                 hash_bytes(HashAlgorithm::kSha256, b64d(env.at("payload").as_string()))};
  }
  return want;
}

Reason reason_of(const TlogEntry& entry, std::span<const TransparencyLog> logs) {
  auto r = verify_tlog_entry(entry, logs);
  return r ? Reason::kNone : r.error().reason;
}

TEST(Rekor, EveryBundleEntryVerifies) {
  for (const char* rel : testing::kBundlesWithTlogEntries) {
    SCOPED_TRACE(rel);
    TlogEntry entry = entry_of(rel);
    EXPECT_EQ(b64d("k3wgSZDbNacEElyYdowyj5Nl64PQ03MgCyY9DQdmMso="), entry.log_id);
    auto v = verify_tlog_entry(entry, mock_root().tlogs);
    ASSERT_TRUE(v) << v.error().message;
    EXPECT_EQ(&mock_root().tlogs[0], v->log);
    EXPECT_TRUE(v->signed_entry_timestamp_verified);
    ASSERT_TRUE(v->integrated_time);
    EXPECT_EQ(entry.integrated_time, *v->integrated_time);
    EXPECT_GE(entry.integrated_time, 1795805012);  // after the mock log came up
    ASSERT_TRUE(v->checkpoint);
    EXPECT_EQ(1u, v->checkpoint->size);  // the mock's 1-leaf trees
    EXPECT_EQ(merkle_leaf_hash(entry.canonicalized_body), v->checkpoint->root_hash);
    EXPECT_EQ(entry.kind, v->claims.kind);
    EXPECT_EQ(entry.version, v->claims.version);
    auto match = match_tlog_body(v->claims, expectation_of(rel));
    EXPECT_TRUE(match) << match.error().message;
    // Both halves also verify on their own.
    EXPECT_TRUE(verify_signed_entry_timestamp(entry, mock_root().tlogs[0]));
    EXPECT_TRUE(verify_inclusion_proof(entry, mock_root().tlogs[0]));
  }
}

TEST(Rekor, BodyClaimsPerKind) {
  auto hashed = verify_tlog_entry(entry_of(testing::kBundlesWithTlogEntries[0]), mock_root().tlogs).value().claims;
  EXPECT_EQ("hashedrekord", hashed.kind);
  ASSERT_EQ(1u, hashed.signatures.size());
  EXPECT_TRUE(hashed.signatures[0].verifier.is_certificate);
  ASSERT_TRUE(hashed.artifact_hash);
  // sha256 of blob/artifact.txt, from the body: 7aab8c39...
  EXPECT_EQ(
      hash_bytes(HashAlgorithm::kSha256, read_file(testing::sigstore_path("keyless-mock/blob/artifact.txt"))),
      hashed.artifact_hash->digest);
  EXPECT_FALSE(hashed.payload_hash);

  auto dsse = verify_tlog_entry(entry_of(testing::kBundlesWithTlogEntries[2]), mock_root().tlogs).value().claims;
  EXPECT_EQ("dsse", dsse.kind);
  ASSERT_TRUE(dsse.payload_hash);
  ASSERT_TRUE(dsse.envelope_hash);
  EXPECT_FALSE(dsse.artifact_hash);

  auto intoto = verify_tlog_entry(entry_of(testing::kBundlesWithTlogEntries[4]), mock_root().tlogs).value().claims;
  EXPECT_EQ("intoto", intoto.kind);
  EXPECT_EQ("0.0.2", intoto.version);
  EXPECT_EQ("application/vnd.in-toto+json", intoto.payload_type);
  ASSERT_EQ(1u, intoto.signatures.size());
  // The double base64 is unwrapped: a DER ECDSA signature starts with SEQUENCE (0x30).
  EXPECT_EQ('\x30', intoto.signatures[0].signature[0]);

  auto keyed = verify_tlog_entry(entry_of(testing::kBundlesWithTlogEntries[5]), mock_root().tlogs).value().claims;
  ASSERT_EQ(1u, keyed.signatures.size());
  EXPECT_FALSE(keyed.signatures[0].verifier.is_certificate);
  EXPECT_EQ(read_file(testing::sigstore_path("keybased-openssl/payload.sig.der")), keyed.signatures[0].signature);
}

TEST(Rekor, FlippedSetByteIsBadSignedEntryTimestamp) {
  for (const char* rel : testing::kBundlesWithTlogEntries) {
    TlogEntry entry = entry_of(rel);
    entry.signed_entry_timestamp[entry.signed_entry_timestamp.size() / 2] ^= 0x01;
    EXPECT_EQ(Reason::kBadSignedEntryTimestamp, reason_of(entry, mock_root().tlogs)) << rel;
  }
  // The SET covers the body, the integrated time and the index.
  TlogEntry later = entry_of(testing::kBundlesWithTlogEntries[0]);
  later.integrated_time += 1;
  EXPECT_EQ(Reason::kBadSignedEntryTimestamp, reason_of(later, mock_root().tlogs));
  TlogEntry moved = entry_of(testing::kBundlesWithTlogEntries[0]);
  moved.log_index += 1;
  EXPECT_EQ(Reason::kBadSignedEntryTimestamp, reason_of(moved, mock_root().tlogs));
  TlogEntry body = entry_of(testing::kBundlesWithTlogEntries[0]);
  body.canonicalized_body.back() = ' ';
  EXPECT_EQ(Reason::kBadSignedEntryTimestamp, reason_of(body, mock_root().tlogs));
}

TEST(Rekor, OtherTrustRootIsUnknownLog) {
  for (const char* rel : testing::kBundlesWithTlogEntries) {
    auto r = verify_tlog_entry(entry_of(rel), public_good().tlogs);
    ASSERT_FALSE(r) << rel;
    EXPECT_EQ(Reason::kUnknownLog, r.error().reason);
    EXPECT_NE(std::string::npos, r.error().message.find("not a trusted log")) << r.error().message;
  }
  // The right key but a validity window that ends before the entry was integrated.
  TransparencyLog expired = mock_root().tlogs[0];
  expired.validity.end = expired.validity.start + 1;
  std::vector<TransparencyLog> logs{expired};
  auto r = verify_tlog_entry(entry_of(testing::kBundlesWithTlogEntries[0]), logs);
  ASSERT_FALSE(r);
  EXPECT_EQ(Reason::kUnknownLog, r.error().reason);
  EXPECT_NE(std::string::npos, r.error().message.find("not valid at")) << r.error().message;
}

TEST(Rekor, BrokenProofsAndCheckpointsAreRefused) {
  for (const char* rel : testing::kBundlesWithTlogEntries) {
    SCOPED_TRACE(rel);
    const TlogEntry good = entry_of(rel);
    // Extra hash for a 1-leaf tree.
    TlogEntry extended = good;
    extended.inclusion_proof->hashes.push_back(std::string(32, 'x'));
    EXPECT_EQ(Reason::kBadInclusionProof, reason_of(extended, mock_root().tlogs));
    // Claimed tree of 2 with no hashes: truncated.
    TlogEntry truncated = good;
    truncated.inclusion_proof->tree_size = 2;
    EXPECT_EQ(Reason::kBadInclusionProof, reason_of(truncated, mock_root().tlogs));
    // Wrong root hash.
    TlogEntry wrong_root = good;
    wrong_root.inclusion_proof->root_hash[0] ^= 0x01;
    EXPECT_EQ(Reason::kBadInclusionProof, reason_of(wrong_root, mock_root().tlogs));
    // Index outside the tree.
    TlogEntry outside = good;
    outside.inclusion_proof->log_index = 1;
    EXPECT_EQ(Reason::kBadInclusionProof, reason_of(outside, mock_root().tlogs));
    // Checkpoint with an altered size.
    TlogEntry resized = good;
    std::string& cp = resized.inclusion_proof->checkpoint;
    cp.replace(cp.find("\n1\n"), 3, "\n7\n");
    auto r = verify_tlog_entry(resized, mock_root().tlogs);
    ASSERT_FALSE(r);
    EXPECT_EQ(Reason::kBadCheckpoint, r.error().reason) << r.error().message;
    // Checkpoint of another entry (validly signed, other root).
    TlogEntry swapped = good;
    swapped.inclusion_proof->checkpoint =
        entry_of(rel == std::string(testing::kBundlesWithTlogEntries[0]) ? testing::kBundlesWithTlogEntries[1] : testing::kBundlesWithTlogEntries[0])
            .inclusion_proof->checkpoint;
    r = verify_tlog_entry(swapped, mock_root().tlogs);
    ASSERT_FALSE(r);
    EXPECT_EQ(Reason::kBadCheckpoint, r.error().reason);
    EXPECT_NE(std::string::npos, r.error().message.find("root hash")) << r.error().message;
    // Without SET and without checkpoint nothing signs the root.
    TlogEntry bare = good;
    bare.signed_entry_timestamp.clear();
    bare.inclusion_proof->checkpoint.clear();
    EXPECT_EQ(Reason::kBadCheckpoint, reason_of(bare, mock_root().tlogs));
  }
}

TEST(Rekor, SetOnlyAndProofOnlyEntries) {
  const TlogEntry good = entry_of(testing::kBundlesWithTlogEntries[0]);
  // Proof + checkpoint only (as Rekor v2): verified, but no trusted integrated time.
  TlogEntry proof_only = good;
  proof_only.signed_entry_timestamp.clear();
  auto v = verify_tlog_entry(proof_only, mock_root().tlogs);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_FALSE(v->integrated_time);
  EXPECT_FALSE(v->signed_entry_timestamp_verified);
  EXPECT_TRUE(v->checkpoint);
  EXPECT_EQ(Reason::kMissingTlogEntry, verify_tlog_entry(proof_only, mock_root().tlogs,
                                                         {.require_signed_entry_timestamp = true})
                                           .error()
                                           .reason);
  // SET only (the cosign annotation form).
  TlogEntry set_only = good;
  set_only.inclusion_proof.reset();
  v = verify_tlog_entry(set_only, mock_root().tlogs);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(v->integrated_time);
  EXPECT_FALSE(v->checkpoint);
  EXPECT_EQ(Reason::kMissingTlogEntry,
            verify_tlog_entry(set_only, mock_root().tlogs, {.require_inclusion_proof = true})
                .error()
                .reason);
  // SET + a checkpoint-less proof (bundle v0.1): accepted on the SET, proof still checked.
  TlogEntry v01 = good;
  v01.inclusion_proof->checkpoint.clear();
  v = verify_tlog_entry(v01, mock_root().tlogs);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_FALSE(v->checkpoint);
  v01.inclusion_proof->root_hash[3] ^= 0x10;
  EXPECT_EQ(Reason::kBadInclusionProof, reason_of(v01, mock_root().tlogs));
  // Neither.
  TlogEntry neither = set_only;
  neither.signed_entry_timestamp.clear();
  EXPECT_EQ(Reason::kMissingTlogEntry, reason_of(neither, mock_root().tlogs));
}

TEST(Rekor, BodyMismatchesAreRefused) {
  for (const char* rel : testing::kBundlesWithTlogEntries) {
    SCOPED_TRACE(rel);
    auto claims = verify_tlog_entry(entry_of(rel), mock_root().tlogs).value().claims;
    const TlogExpectation want = expectation_of(rel);
    TlogExpectation other_sig = want;
    other_sig.signature[10] ^= 0x01;
    EXPECT_EQ(Reason::kTlogBodyMismatch, match_tlog_body(claims, other_sig).error().reason);
    TlogExpectation other_signer = want;
    (other_signer.certificate_der.empty() ? other_signer.public_key_der
                                          : other_signer.certificate_der)[20] ^= 0x01;
    EXPECT_EQ(Reason::kTlogBodyMismatch, match_tlog_body(claims, other_signer).error().reason);
    TlogExpectation other_digest = want;
    auto& hash =
        other_digest.artifact_hash ? other_digest.artifact_hash : other_digest.payload_hash;
    hash->digest[0] ^= 0x01;
    auto r = match_tlog_body(claims, other_digest);
    ASSERT_FALSE(r);
    EXPECT_EQ(Reason::kTlogBodyMismatch, r.error().reason);
    EXPECT_NE(std::string::npos, r.error().message.find("expected sha256:")) << r.error().message;
    // Asking a DSSE entry for an artifact digest (or a hashedrekord for a payload digest).
    TlogExpectation crossed = want;
    if (crossed.artifact_hash) {
      crossed.payload_hash = crossed.artifact_hash;
    } else {
      crossed.artifact_hash = crossed.payload_hash;
    }
    EXPECT_EQ(Reason::kTlogBodyMismatch, match_tlog_body(claims, crossed).error().reason);
  }
  // Kind in the entry differs from the body's.
  TlogEntry entry = entry_of(testing::kBundlesWithTlogEntries[0]);
  entry.kind = "dsse";
  EXPECT_EQ(Reason::kTlogBodyMismatch, reason_of(entry, mock_root().tlogs));
  entry = entry_of(testing::kBundlesWithTlogEntries[0]);
  entry.version = "0.0.2";
  EXPECT_EQ(Reason::kTlogBodyMismatch, reason_of(entry, mock_root().tlogs));
}

// ---- the cosign legacy annotation ---------------------------------------------------------------

std::string annotation_of(const std::string& manifest_rel) {
  auto m = boost::json::parse(read_file(testing::sigstore_path(manifest_rel)));
  return std::string(
      m.at("layers").at(0).at("annotations").at("dev.sigstore.cosign/bundle").as_string());
}

TEST(Rekor, CosignAnnotationKeyless) {
  auto entry =
      parse_cosign_bundle_annotation(annotation_of("keyless-mock/image-sig-legacy/manifest.json"));
  ASSERT_TRUE(entry) << entry.error().message;
  EXPECT_EQ("hashedrekord", entry->kind);
  EXPECT_EQ("0.0.1", entry->version);
  EXPECT_FALSE(entry->inclusion_proof);
  // The same log entry as the bundle cosign kept.
  TlogEntry from_bundle = entry_of("keyless-mock/image-sig-legacy/payload.sigstore.json");
  EXPECT_EQ(from_bundle.canonicalized_body, entry->canonicalized_body);
  EXPECT_EQ(from_bundle.log_index, entry->log_index);
  EXPECT_EQ(from_bundle.integrated_time, entry->integrated_time);
  EXPECT_EQ(from_bundle.log_id, entry->log_id);
  auto v = verify_tlog_entry(*entry, mock_root().tlogs);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(1795805075, v->integrated_time.value());
  // The body is the unpacked rekor-body.json, and records signature.der and cert.pem.
  auto body_file =
      boost::json::parse(read_file(testing::sigstore_path("keyless-mock/image-sig-legacy/rekor-body.json")));
  EXPECT_EQ(body_file, boost::json::parse(entry->canonicalized_body));
  TlogExpectation want;
  want.signature = read_file(testing::sigstore_path("keyless-mock/image-sig-legacy/signature.der"));
  want.certificate_der =
      Certificate::from_pem(read_file(testing::sigstore_path("keyless-mock/image-sig-legacy/cert.pem")))
          .value()
          .der();
  want.artifact_hash =
      TlogHash{HashAlgorithm::kSha256,
               hash_bytes(HashAlgorithm::kSha256,
                          read_file(testing::sigstore_path("keyless-mock/image-sig-legacy/payload.json")))};
  auto match = match_tlog_body(v->claims, want);
  EXPECT_TRUE(match) << match.error().message;

  TlogEntry flipped = *entry;
  flipped.signed_entry_timestamp[5] ^= 0x01;
  EXPECT_EQ(Reason::kBadSignedEntryTimestamp, reason_of(flipped, mock_root().tlogs));
  EXPECT_EQ(Reason::kUnknownLog, reason_of(*entry, public_good().tlogs));
}

TEST(Rekor, CosignAnnotationKeyBased) {
  for (const char* manifest : {"keybased-openssl/sig-legacy-tlog/manifest.json",
                               "keybased-openssl/att-legacy-tlog/manifest.json"}) {
    SCOPED_TRACE(manifest);
    auto entry = parse_cosign_bundle_annotation(annotation_of(manifest));
    ASSERT_TRUE(entry) << entry.error().message;
    auto v = verify_tlog_entry(*entry, mock_root().tlogs);
    ASSERT_TRUE(v) << v.error().message;
    ASSERT_FALSE(v->claims.signatures.empty());
    const TlogVerifier& signer = v->claims.signatures[0].verifier;
    EXPECT_FALSE(signer.is_certificate);
    EXPECT_EQ(PublicKey::load(testing::sigstore_path("keybased-openssl/cosign.pub")).value().spki_der(),
              signer.der);
  }
  auto entry = parse_cosign_bundle_annotation(
                   annotation_of("keybased-openssl/sig-legacy-tlog/manifest.json"))
                   .value();
  auto claims = parse_tlog_body(entry).value();
  EXPECT_EQ(read_file(testing::sigstore_path("keybased-openssl/payload.sig.der")),
            claims.signatures[0].signature);
  EXPECT_EQ(
      hash_bytes(HashAlgorithm::kSha256, read_file(testing::sigstore_path("keybased-openssl/payload.json"))),
      claims.artifact_hash->digest);
}

TEST(Rekor, SetPayloadIsCanonicalJson) {
  TlogEntry e;
  e.canonicalized_body = "{}";
  e.integrated_time = 1700000000;
  e.log_id = std::string("\x01\xab", 2);
  e.log_index = 42;
  EXPECT_EQ(R"({"body":"e30=","integratedTime":1700000000,"logID":"01ab","logIndex":42})",
            signed_entry_timestamp_payload(e));
}

TEST(Rekor, MalformedEntriesAreRefusedNamingTheField) {
  auto refused = [](const std::function<void(boost::json::object&)>& edit,
                    std::string_view needle) {
    boost::json::value b = bundle_json(testing::kBundlesWithTlogEntries[0]);
    edit(entry_json(b).as_object());
    auto r = parse_tlog_entry(entry_json(b));
    ASSERT_FALSE(r) << needle;
    EXPECT_NE(std::string::npos, r.error().message.find(needle)) << r.error().message;
  };
  refused([](auto& e) { e.erase("logId"); }, "tlog entry.logId: missing");
  refused([](auto& e) { e["logIndex"] = "-5"; }, "tlog entry.logIndex");
  refused([](auto& e) { e["logIndex"] = "12x"; }, "tlog entry.logIndex");
  refused([](auto& e) { e["integratedTime"] = true; }, "tlog entry.integratedTime");
  refused([](auto& e) { e.erase("kindVersion"); }, "tlog entry.kindVersion: missing");
  refused([](auto& e) { e["canonicalizedBody"] = "%%%"; }, "tlog entry.canonicalizedBody");
  refused([](auto& e) { e["inclusionProof"].as_object().erase("treeSize"); },
          "tlog entry.inclusionProof.treeSize: missing");
  refused([](auto& e) { e["inclusionProof"].as_object()["hashes"] = boost::json::array{"@"}; },
          "tlog entry.inclusionProof.hashes[0]");
  refused([](auto& e) { e["inclusionPromise"].as_object()["signedEntryTimestamp"] = 5; },
          "tlog entry.inclusionPromise.signedEntryTimestamp");
  EXPECT_FALSE(parse_tlog_entry_json("[]"));
  EXPECT_FALSE(parse_tlog_entry_json("{"));
  // Numbers as numbers are fine (proto3 JSON accepts both).
  boost::json::value b = bundle_json(testing::kBundlesWithTlogEntries[0]);
  entry_json(b).as_object()["logIndex"] = 1225398;
  auto e = parse_tlog_entry(entry_json(b));
  ASSERT_TRUE(e);
  EXPECT_EQ(1225398, e->log_index);

  for (
      std::string_view bad :
      {"{}", R"({"SignedEntryTimestamp":"AAAA"})",
       R"({"SignedEntryTimestamp":"AAAA","Payload":{"body":"e30=","integratedTime":1,"logIndex":1,"logID":"zz"}})",
       R"({"SignedEntryTimestamp":"AAAA","Payload":{"body":"e30=","integratedTime":1,"logIndex":1,"logID":"01"}})"}) {
    EXPECT_FALSE(parse_cosign_bundle_annotation(bad)) << bad;
  }
}

TEST(Rekor, MalformedAndUnsupportedBodies) {
  TlogEntry e;
  auto body_reason = [&](std::string body) {
    e.canonicalized_body = std::move(body);
    e.kind.clear();
    e.version.clear();
    auto r = parse_tlog_body(e);
    return r ? Reason::kNone : r.error().reason;
  };
  EXPECT_EQ(Reason::kMalformed, body_reason("not json"));
  EXPECT_EQ(Reason::kMalformed, body_reason(R"({"kind":"hashedrekord"})"));
  EXPECT_EQ(Reason::kUnsupported,
            body_reason(R"({"kind":"rekord","apiVersion":"0.0.1","spec":{}})"));
  EXPECT_EQ(Reason::kUnsupported,
            body_reason(R"({"kind":"intoto","apiVersion":"0.0.1","spec":{}})"));
  EXPECT_EQ(Reason::kMalformed,
            body_reason(R"({"kind":"hashedrekord","apiVersion":"0.0.1","spec":{}})"));
  // Digest of the wrong length.
  std::string pem = base64_encode("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
  EXPECT_EQ(
      Reason::kMalformed,
      body_reason(
          R"({"kind":"hashedrekord","apiVersion":"0.0.1","spec":{"data":{"hash":{"algorithm":"sha256","value":"abcd"}},"signature":{"content":"AAAA","publicKey":{"content":")" +
          pem + R"("}}}})"));
  EXPECT_EQ(
      Reason::kNone,
      body_reason(
          R"({"kind":"hashedrekord","apiVersion":"0.0.1","spec":{"data":{"hash":{"algorithm":"sha256","value":")" +
          std::string(64, 'a') + R"("}},"signature":{"content":"AAAA","publicKey":{"content":")" +
          pem + R"("}}}})"));
  // A PEM of another kind is not a verifier.
  std::string priv =
      base64_encode("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
  EXPECT_EQ(
      Reason::kMalformed,
      body_reason(
          R"({"kind":"hashedrekord","apiVersion":"0.0.1","spec":{"data":{"hash":{"algorithm":"sha256","value":")" +
          std::string(64, 'a') + R"("}},"signature":{"content":"AAAA","publicKey":{"content":")" +
          priv + R"("}}}})"));
}

// ---- multi-leaf trees and Rekor v2 --------------------------------------------------------------

uint64_t split_point(uint64_t n) {
  uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
std::string mth(std::span<const std::string> d) {
  if (d.size() == 1) return merkle_leaf_hash(d[0]);
  uint64_t k = split_point(d.size());
  return merkle_node_hash(mth(d.subspan(0, k)), mth(d.subspan(k)));
}
std::vector<std::string> path(uint64_t m, std::span<const std::string> d) {
  if (d.size() <= 1) return {};
  uint64_t k = split_point(d.size());
  std::vector<std::string> out = m < k ? path(m, d.subspan(0, k)) : path(m - k, d.subspan(k));
  out.push_back(m < k ? mth(d.subspan(k)) : mth(d.subspan(0, k)));
  return out;
}

std::string note_line(const std::string& name, const std::string& hint, const std::string& sig) {
  return "\xE2\x80\x94 " + name + " " + base64_encode(hint + sig) + "\n";
}

// `entry` placed at `index` of a tree of `size` made-up entries, with a checkpoint for
// (`cp_size`, `cp_root` or the real root) signed by `key` under `hint`.
void place_in_tree(TlogEntry& entry, uint64_t index, uint64_t size, const PrivateKey& key,
                   const std::string& name, const std::string& hint,
                   std::optional<uint64_t> cp_size = {}, std::optional<std::string> cp_root = {}) {
  std::vector<std::string> leaves;
  for (uint64_t i = 0; i < size; ++i) {
    leaves.push_back(i == index ? entry.canonicalized_body : "other entry " + std::to_string(i));
  }
  InclusionProof proof;
  proof.log_index = index;
  proof.tree_size = size;
  proof.root_hash = mth(leaves);
  proof.hashes = path(index, leaves);
  std::string text = name + " - 42\n" + std::to_string(cp_size.value_or(size)) + "\n" +
                     base64_encode(cp_root.value_or(proof.root_hash)) + "\n";
  proof.checkpoint = text + "\n" + note_line(name, hint, key.sign(text).value());
  entry.inclusion_proof = std::move(proof);
}

TEST(Rekor, MultiLeafProofsWithCheckpointsSignedByTheMockLog) {
  auto key = PrivateKey::load(testing::sigstore_path("keyless-mock/mock-keys/rekor.key.pem")).value();
  const TransparencyLog& log = mock_root().tlogs[0];
  std::string hint = log.log_id.substr(0, 4);
  for (uint64_t size : {2u, 5u, 13u, 17u}) {
    for (uint64_t index : {uint64_t{0}, size / 2, size - 1}) {
      SCOPED_TRACE(std::to_string(size) + "/" + std::to_string(index));
      TlogEntry entry = entry_of(testing::kBundlesWithTlogEntries[3]);
      place_in_tree(entry, index, size, key, "127.0.0.1:38617", hint);
      auto v = verify_tlog_entry(entry, mock_root().tlogs);
      ASSERT_TRUE(v) << v.error().message;
      EXPECT_EQ(size, v->checkpoint->size);

      TlogEntry truncated = entry;
      truncated.inclusion_proof->hashes.pop_back();
      EXPECT_EQ(Reason::kBadInclusionProof, reason_of(truncated, mock_root().tlogs));
      TlogEntry reordered = entry;
      if (reordered.inclusion_proof->hashes.size() > 1) {
        std::swap(reordered.inclusion_proof->hashes.front(),
                  reordered.inclusion_proof->hashes.back());
        EXPECT_EQ(Reason::kBadInclusionProof, reason_of(reordered, mock_root().tlogs));
      }
      TlogEntry other_index = entry;
      other_index.inclusion_proof->log_index = (index + 1) % size;
      EXPECT_EQ(Reason::kBadInclusionProof, reason_of(other_index, mock_root().tlogs));

      // Checkpoints genuinely signed by the log but for another size or root.
      TlogEntry other_size = entry_of(testing::kBundlesWithTlogEntries[3]);
      place_in_tree(other_size, index, size, key, "127.0.0.1:38617", hint, size + 1);
      auto r = verify_tlog_entry(other_size, mock_root().tlogs);
      ASSERT_FALSE(r);
      EXPECT_EQ(Reason::kBadCheckpoint, r.error().reason);
      EXPECT_NE(std::string::npos, r.error().message.find("tree of")) << r.error().message;
      TlogEntry other_root = entry_of(testing::kBundlesWithTlogEntries[3]);
      place_in_tree(other_root, index, size, key, "127.0.0.1:38617", hint, std::nullopt,
                    std::string(32, 'z'));
      EXPECT_EQ(Reason::kBadCheckpoint, reason_of(other_root, mock_root().tlogs));
    }
  }
  // A checkpoint signed by another key under the log's hint.
  auto other = PrivateKey::generate(KeyType::kEcdsaP256).value();
  TlogEntry forged = entry_of(testing::kBundlesWithTlogEntries[3]);
  place_in_tree(forged, 1, 3, other, "127.0.0.1:38617", hint);
  EXPECT_EQ(Reason::kBadCheckpoint, reason_of(forged, mock_root().tlogs));
}

TEST(Rekor, RekorV2EntriesWithEd25519Checkpoints) {
  auto log_key = PrivateKey::generate(KeyType::kEd25519).value();
  const std::string name = "log2099-1.rekor.example.dev";
  std::string raw = log_key.public_key().spki_der().substr(12);
  std::string log_id = hash_bytes(HashAlgorithm::kSha256, name + "\n\x01" + raw);
  std::vector<TransparencyLog> logs{TransparencyLog{.base_url = "https://" + name,
                                                    .log_id = log_id,
                                                    .key = log_key.public_key(),
                                                    .hash = HashAlgorithm::kSha256,
                                                    .validity = {.start = 1758585600, .end = {}},
                                                    .checkpoint_origin = {}}};
  auto signer = PrivateKey::load(testing::sigstore_path("keybased-openssl/cosign.key.pem")).value();
  std::string spki_b64 = base64_encode(signer.public_key().spki_der());
  std::string digest = hash_bytes(HashAlgorithm::kSha256, "artifact");
  std::string sig = signer.sign("artifact").value();

  struct Case {
    std::string kind;
    std::string body;
  };
  std::vector<Case> cases = {
      {"hashedrekord",
       R"({"apiVersion":"0.0.2","kind":"hashedrekord","spec":{"hashedRekordV002":{"data":{"algorithm":"SHA2_256","digest":")" +
           base64_encode(digest) + R"("},"signature":{"content":")" + base64_encode(sig) +
           R"(","verifier":{"keyDetails":"PKIX_ECDSA_P256_SHA_256","publicKey":{"rawBytes":")" +
           spki_b64 + R"("}}}}}})"},
      {"dsse",
       R"({"apiVersion":"0.0.2","kind":"dsse","spec":{"dsseV002":{"payloadHash":{"algorithm":"SHA2_256","digest":")" +
           base64_encode(digest) + R"("},"signatures":[{"content":")" + base64_encode(sig) +
           R"(","verifier":{"keyDetails":"PKIX_ECDSA_P256_SHA_256","publicKey":{"rawBytes":")" +
           spki_b64 + R"("}}}]}}})"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.kind);
    TlogEntry entry;
    entry.log_index = 3;
    entry.log_id = log_id;
    entry.kind = c.kind;
    entry.version = "0.0.2";
    entry.canonicalized_body = c.body;
    place_in_tree(entry, 3, 6, log_key, name, log_id.substr(0, 4));
    auto v = verify_tlog_entry(entry, logs);
    ASSERT_TRUE(v) << v.error().message;
    EXPECT_FALSE(v->integrated_time);  // time must come from an RFC 3161 timestamp
    EXPECT_EQ(6u, v->checkpoint->size);
    TlogExpectation want;
    want.signature = sig;
    want.public_key_der = signer.public_key().spki_der();
    (c.kind == "dsse" ? want.payload_hash : want.artifact_hash) =
        TlogHash{HashAlgorithm::kSha256, digest};
    auto match = match_tlog_body(v->claims, want);
    EXPECT_TRUE(match) << match.error().message;
    want.public_key_der[30] ^= 0x01;
    EXPECT_EQ(Reason::kTlogBodyMismatch, match_tlog_body(v->claims, want).error().reason);

    TlogEntry truncated = entry;
    truncated.inclusion_proof->hashes.pop_back();
    EXPECT_EQ(Reason::kBadInclusionProof, reason_of(truncated, logs));
    TlogEntry resized = entry;
    std::string& cp = resized.inclusion_proof->checkpoint;
    cp.replace(cp.find("\n6\n"), 3, "\n9\n");
    EXPECT_EQ(Reason::kBadCheckpoint, reason_of(resized, logs));
    EXPECT_EQ(Reason::kUnknownLog, reason_of(entry, public_good().tlogs));
  }
}

// A production Rekor v2 entry (see testdata/tlog/README.md): verified under the public-good
// root's Ed25519 log, refused under the mock root and when altered.
TEST(Rekor, ProductionRekorV2Entry) {
  auto entry = parse_tlog_entry_json(
      read_file(std::string(TRUST_TESTDATA_DIR) + "/tlog/rekor-v2-hashedrekord-entry.json"));
  ASSERT_TRUE(entry) << entry.error().message;
  EXPECT_EQ(0, entry->integrated_time);
  EXPECT_TRUE(entry->signed_entry_timestamp.empty());
  auto v = verify_tlog_entry(*entry, public_good().tlogs);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(&public_good().tlogs[1], v->log);
  EXPECT_FALSE(v->integrated_time);
  ASSERT_TRUE(v->checkpoint);
  EXPECT_EQ("log2025-1.rekor.sigstore.dev", v->checkpoint->origin);
  EXPECT_EQ(412115u, v->checkpoint->size);
  EXPECT_EQ("hashedrekord", v->claims.kind);
  EXPECT_EQ("0.0.2", v->claims.version);
  ASSERT_EQ(1u, v->claims.signatures.size());
  EXPECT_FALSE(v->claims.signatures[0].verifier.is_certificate);
  // Values from the decoded body: digest 5dJ2Sak..., key MFkwEw...5xg==.
  TlogExpectation want;
  want.signature = b64d(
      "MEYCIQDcJO82nz1rrtu1DxSpruX1ogJum8dl4IiGBMPz3jYcbgIhAKwQ8wNu1On8pYfhAJCK8OqT0OOGTh/yAQ+An/"
      "e3d/dU");
  want.public_key_der = b64d(
      "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE0q9Q+tdG195CXKfmUx1YatvZ/mN3rhjpOfm1lvskWprH9Pxpe9Xc6L"
      "jEJbBcVPhutkfUvBB9RDk+42SNE6/5xg==");
  want.artifact_hash =
      TlogHash{HashAlgorithm::kSha256, b64d("5dJ2SakUeOXY4ut1hBHPomz+hTn6tc0KTzcGosA+epE=")};
  auto match = match_tlog_body(v->claims, want);
  EXPECT_TRUE(match) << match.error().message;

  EXPECT_EQ(Reason::kUnknownLog, reason_of(*entry, mock_root().tlogs));
  TlogEntry truncated = *entry;
  truncated.inclusion_proof->hashes.pop_back();
  EXPECT_EQ(Reason::kBadInclusionProof, reason_of(truncated, public_good().tlogs));
  TlogEntry flipped_hash = *entry;
  flipped_hash.inclusion_proof->hashes[4][7] ^= 0x40;
  EXPECT_EQ(Reason::kBadInclusionProof, reason_of(flipped_hash, public_good().tlogs));
  TlogEntry body = *entry;
  body.canonicalized_body[body.canonicalized_body.find("SHA2_256")] = 'X';
  EXPECT_EQ(Reason::kBadInclusionProof, reason_of(body, public_good().tlogs));
  TlogEntry resized = *entry;
  std::string& cp = resized.inclusion_proof->checkpoint;
  cp.replace(cp.find("\n412115\n"), 8, "\n412116\n");
  EXPECT_EQ(Reason::kBadCheckpoint, reason_of(resized, public_good().tlogs));
  TlogEntry no_checkpoint = *entry;
  no_checkpoint.inclusion_proof->checkpoint.clear();
  EXPECT_EQ(Reason::kBadCheckpoint, reason_of(no_checkpoint, public_good().tlogs));
}

// Truncations and byte flips of every input form are refused or parsed, never crash (run under
// valgrind/ASan to catch memory errors).
TEST(Rekor, DamagedInputsNeverCrash) {
  std::vector<std::string> inputs;
  for (const char* rel : testing::kBundlesWithTlogEntries) {
    boost::json::value b = bundle_json(rel);
    inputs.push_back(boost::json::serialize(entry_json(b)));
  }
  inputs.push_back(annotation_of("keyless-mock/image-sig-legacy/manifest.json"));
  inputs.push_back(
      read_file(std::string(TRUST_TESTDATA_DIR) + "/tlog/rekor-v2-hashedrekord-entry.json"));
  size_t parsed = 0;
  for (const std::string& input : inputs) {
    std::vector<std::string> variants;
    for (size_t n = 0; n < input.size(); n += 11) variants.push_back(input.substr(0, n));
    for (size_t i = 0; i < input.size(); i += 7) {
      std::string flipped = input;
      flipped[i] ^= 0x04;
      variants.push_back(std::move(flipped));
    }
    for (const std::string& v : variants) {
      for (auto entry : {parse_tlog_entry_json(v), parse_cosign_bundle_annotation(v)}) {
        if (!entry) continue;
        ++parsed;
        (void)verify_tlog_entry(*entry, mock_root().tlogs);
        (void)verify_tlog_entry(*entry, public_good().tlogs);
        (void)parse_tlog_body(*entry);
        if (entry->inclusion_proof) (void)parse_signed_note(entry->inclusion_proof->checkpoint);
      }
    }
  }
  EXPECT_GT(parsed, 0u);  // some flips land in base64 payloads and still parse
}

}  // namespace
}  // namespace bulwark::trust
