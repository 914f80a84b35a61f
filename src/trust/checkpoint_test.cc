// Signed-note checkpoints: the mock Rekor checkpoints of the shared bundles verify under the
// keyless-mock root's Rekor key and are refused when altered or checked against another log;
// notes signed here with the mock Rekor private key and a fresh Ed25519 key (Rekor v2 style)
// exercise key hints, witnesses and origins. The public-good Rekor v2 log id is the Ed25519 note
// key id of its origin (a fact of the production root, checked independently with Python).
#include "trust/checkpoint.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "common/encoding.h"
#include "trust/trusted_root.h"
#include "trust/testing.h"

namespace bulwark::trust {
namespace {

using testing::read_file;

using testing::mock_root;
using testing::public_good;

struct BundleCheckpoint {
  std::string envelope;
  std::string root_hash;
  uint64_t size;
};

BundleCheckpoint checkpoint_of(const std::string& bundle) {
  auto doc = boost::json::parse(read_file(testing::sigstore_path(bundle)));
  const auto& proof =
      doc.at("verificationMaterial").at("tlogEntries").at(0).at("inclusionProof").as_object();
  return {std::string(proof.at("checkpoint").at("envelope").as_string()),
          base64_decode(proof.at("rootHash").as_string()).value(),
          std::stoull(std::string(proof.at("treeSize").as_string()))};
}

TEST(Checkpoint, MockBundleCheckpointsVerify) {
  TrustedRoot root = mock_root();
  for (const char* bundle : testing::kBundlesWithTlogEntries) {
    BundleCheckpoint cp = checkpoint_of(bundle);
    auto checkpoint = verify_checkpoint(cp.envelope, root.tlogs[0]);
    ASSERT_TRUE(checkpoint) << bundle << ": " << checkpoint.error().message;
    EXPECT_EQ(cp.size, checkpoint->size) << bundle;
    EXPECT_EQ(cp.root_hash, checkpoint->root_hash) << bundle;
    EXPECT_EQ(0u, checkpoint->origin.rfind("127.0.0.1:38617 - ", 0)) << checkpoint->origin;
    ASSERT_EQ(1u, checkpoint->extensions.size());
    EXPECT_EQ(0u, checkpoint->extensions[0].rfind("Timestamp: ", 0));
  }
}

TEST(Checkpoint, ParsesTheFirstMockCheckpointExactly) {
  BundleCheckpoint cp = checkpoint_of(testing::kBundlesWithTlogEntries[0]);
  auto note = parse_signed_note(cp.envelope);
  ASSERT_TRUE(note) << note.error().message;
  EXPECT_EQ(
      "127.0.0.1:38617 - 183296654078247\n1\naAn6/r2ge8UZbSCxLE+V2iUfR7p/BWszmUqNVoAmDg4=\n"
      "Timestamp: 1795805075000000000\n",
      note->text);
  ASSERT_EQ(1u, note->signatures.size());
  EXPECT_EQ("127.0.0.1:38617", note->signatures[0].name);
  // The hint is the first 4 bytes of the log id k3wgSZDb... (0x93 0x7c 0x20 0x49).
  EXPECT_EQ(std::string("\x93\x7c\x20\x49", 4), note->signatures[0].key_hint);
  auto checkpoint = parse_checkpoint(note->text);
  ASSERT_TRUE(checkpoint);
  EXPECT_EQ("127.0.0.1:38617 - 183296654078247", checkpoint->origin);
  EXPECT_EQ(1u, checkpoint->size);
}

TEST(Checkpoint, AlteredCheckpointsAreRefused) {
  TrustedRoot root = mock_root();
  BundleCheckpoint cp = checkpoint_of(testing::kBundlesWithTlogEntries[0]);
  // Altered size.
  std::string bigger = cp.envelope;
  bigger.replace(bigger.find("\n1\n"), 3, "\n2\n");
  auto r = verify_checkpoint(bigger, root.tlogs[0]);
  ASSERT_FALSE(r);
  EXPECT_NE(std::string::npos, r.error().message.find("does not verify")) << r.error().message;
  // Altered root hash (first character).
  std::string other_root = cp.envelope;
  other_root[other_root.find("\naAn6") + 1] = 'b';
  EXPECT_FALSE(verify_checkpoint(other_root, root.tlogs[0]));
  // Altered origin.
  std::string other_origin = cp.envelope;
  other_origin[0] = '2';
  EXPECT_FALSE(verify_checkpoint(other_origin, root.tlogs[0]));
  // A flipped bit in the signature (last base64 character before '=').
  std::string flipped = cp.envelope;
  size_t last = flipped.rfind("==\n");
  flipped[last - 1] = flipped[last - 1] == 'g' ? 'w' : 'g';
  EXPECT_FALSE(verify_checkpoint(flipped, root.tlogs[0]));
}

TEST(Checkpoint, OtherLogsAndOriginsAreRefused) {
  BundleCheckpoint cp = checkpoint_of(testing::kBundlesWithTlogEntries[0]);
  TrustedRoot pg = public_good();
  for (const TransparencyLog& log : pg.tlogs) {
    auto r = verify_checkpoint(cp.envelope, log);
    ASSERT_FALSE(r);
    EXPECT_NE(std::string::npos, r.error().message.find("no signature by the log"))
        << r.error().message;
  }
  TransparencyLog pinned = mock_root().tlogs[0];
  pinned.checkpoint_origin = "rekor.sigstore.dev - 1193050959916656506";
  auto r = verify_checkpoint(cp.envelope, pinned);
  ASSERT_FALSE(r);
  EXPECT_NE(std::string::npos, r.error().message.find("origin")) << r.error().message;
  pinned.checkpoint_origin = "127.0.0.1:38617 - 183296654078247";
  EXPECT_TRUE(verify_checkpoint(cp.envelope, pinned));
}

TEST(Checkpoint, MalformedNotesAreRefused) {
  const std::string sig = "\xE2\x80\x94 name " + base64_encode("abcdefgh") + "\n";
  for (const std::string& bad : std::vector<std::string>{
           "",
           "origin\n1\nAAAA\n",                                              // no blank line
           "origin\n1\nAAAA\n\n",                                            // no signature line
           "origin\n1\nAAAA\n\n- name " + base64_encode("abcdefgh") + "\n",  // ASCII dash
           "origin\n1\nAAAA\n\n\xE2\x80\x94 name @@@@\n",                    // bad base64
           "origin\n1\nAAAA\n\n\xE2\x80\x94 name " + base64_encode("abcd") + "\n",  // no sig
           "origin\n1\nAAAA\n\n\xE2\x80\x94 name" + base64_encode("abcdefgh") + "\n",
           "origin\n1\nAAAA\n\n" + sig.substr(0, sig.size() - 1),  // no final newline
           "\n\n" + sig,
       }) {
    EXPECT_FALSE(parse_signed_note(bad)) << bad;
  }
  EXPECT_TRUE(parse_signed_note("origin\n1\nAAAA\n\n" + sig + sig));
  for (const std::string& bad : std::vector<std::string>{
           "origin\n1\n",         // no root line
           "origin\n01\nAAAA\n",  // leading zero
           "origin\n-1\nAAAA\n",  // sign
           "origin\n1x\nAAAA\n",  // junk
           "origin\n1\n@@@@\n",   // bad base64
           "\n1\nAAAA\n",         // empty origin
           "origin\n1\nAAAA",     // no final newline
       }) {
    EXPECT_FALSE(parse_checkpoint(bad)) << bad;
  }
}

std::string sign_line(const std::string& name, const std::string& hint, const std::string& sig) {
  return "\xE2\x80\x94 " + name + " " + base64_encode(hint + sig) + "\n";
}

TEST(Checkpoint, EcdsaNoteSignedWithTheMockRekorKey) {
  auto key = PrivateKey::load(testing::sigstore_path("keyless-mock/mock-keys/rekor.key.pem"));
  ASSERT_TRUE(key) << key.error().message;
  TransparencyLog log = mock_root().tlogs[0];
  std::string text = "127.0.0.1:38617 - 1\n5\n" + base64_encode(std::string(32, 'r')) + "\n";
  std::string sig = key->sign(text).value();
  std::string witness = sign_line("witness.example", "wxyz", std::string(64, 'w'));
  std::string envelope =
      text + "\n" + witness + sign_line("127.0.0.1:38617", log.log_id.substr(0, 4), sig);
  auto cp = verify_checkpoint(envelope, log);
  ASSERT_TRUE(cp) << cp.error().message;
  EXPECT_EQ(5u, cp->size);
  EXPECT_EQ(std::string(32, 'r'), cp->root_hash);
  EXPECT_TRUE(cp->extensions.empty());
  // A line with the log's hint that does not verify is refused even next to a good one.
  std::string forged = envelope + sign_line("127.0.0.1:38617", log.log_id.substr(0, 4), sig + "x");
  EXPECT_FALSE(verify_checkpoint(forged, log));
  // Only a witness: refused.
  EXPECT_FALSE(verify_checkpoint(text + "\n" + witness, log));
}

TEST(Checkpoint, PublicGoodRekorV2LogIdIsItsNoteKeyId) {
  TrustedRoot pg = public_good();
  const TransparencyLog& v2 = pg.tlogs[1];
  ASSERT_EQ(KeyType::kEd25519, v2.key.type());
  EXPECT_EQ(v2.log_id.substr(0, 4),
            ed25519_note_key_hint("log2025-1.rekor.sigstore.dev", v2.key.spki_der().substr(12)));
  EXPECT_NE(v2.log_id.substr(0, 4),
            ed25519_note_key_hint("rekor.sigstore.dev", v2.key.spki_der().substr(12)));
}

TEST(Checkpoint, Ed25519NoteLikeRekorV2) {
  auto key = PrivateKey::generate(KeyType::kEd25519);
  ASSERT_TRUE(key) << key.error().message;
  const std::string name = "log.example.dev";
  std::string raw = key->public_key().spki_der().substr(12);
  std::string hint = hash_bytes(HashAlgorithm::kSha256, name + "\n\x01" + raw).substr(0, 4);
  TransparencyLog log{.base_url = "https://log.example.dev",
                      .log_id = hash_bytes(HashAlgorithm::kSha256, name + "\n\x01" + raw),
                      .key = key->public_key(),
                      .hash = HashAlgorithm::kSha256,
                      .validity = {},
                      .checkpoint_origin = {}};
  std::string text = name + "\n3\n" + base64_encode(std::string(32, 'q')) + "\n";
  std::string envelope = text + "\n" + sign_line(name, hint, key->sign(text).value());
  auto cp = verify_checkpoint(envelope, log);
  ASSERT_TRUE(cp) << cp.error().message;
  EXPECT_EQ(name, cp->origin);
  EXPECT_EQ(3u, cp->size);
  // The same log keyed by its SPKI hash (as a trusted root might list it) still finds the line
  // through the note key hint of its name.
  TransparencyLog by_spki = log;
  by_spki.log_id = key->public_key().key_id();
  EXPECT_TRUE(verify_checkpoint(envelope, by_spki));
  // Another key with the same hint is refused.
  auto other = PrivateKey::generate(KeyType::kEd25519).value();
  std::string forged = text + "\n" + sign_line(name, hint, other.sign(text).value());
  EXPECT_FALSE(verify_checkpoint(forged, log));
  // Altered size under the genuine signature.
  std::string altered = envelope;
  altered.replace(altered.find("\n3\n"), 3, "\n4\n");
  EXPECT_FALSE(verify_checkpoint(altered, log));
}

TEST(Checkpoint, ProductionRekorV2CheckpointWithAWitness) {
  std::string envelope =
      read_file(std::string(TRUST_TESTDATA_DIR) + "/tlog/rekor-v2-checkpoint-witnessed.txt");
  TrustedRoot pg = public_good();
  auto cp = verify_checkpoint(envelope, pg.tlogs[1]);
  ASSERT_TRUE(cp) << cp.error().message;
  EXPECT_EQ("log2025-1.rekor.sigstore.dev", cp->origin);
  EXPECT_EQ(139911860u, cp->size);
  EXPECT_EQ(base64_decode("EliTHtnx44DhEBH+5qIXBtQsSpc54Avam7mIYEvxnTA=").value(), cp->root_hash);
  auto note = parse_signed_note(envelope).value();
  ASSERT_EQ(2u, note.signatures.size());
  EXPECT_EQ("witness.stagemole.eu", note.signatures[1].name);
  // The v1 log (ECDSA) and the mock log did not sign it.
  EXPECT_FALSE(verify_checkpoint(envelope, pg.tlogs[0]));
  EXPECT_FALSE(verify_checkpoint(envelope, mock_root().tlogs[0]));
  // Pinned to its real origin it verifies, to another it does not.
  TransparencyLog pinned = pg.tlogs[1];
  pinned.checkpoint_origin = "log2025-1.rekor.sigstore.dev";
  EXPECT_TRUE(verify_checkpoint(envelope, pinned));
  pinned.checkpoint_origin = "log2025-2.rekor.sigstore.dev";
  EXPECT_FALSE(verify_checkpoint(envelope, pinned));
  // Altered size.
  std::string altered = envelope;
  altered.replace(altered.find("139911860"), 9, "139911861");
  EXPECT_FALSE(verify_checkpoint(altered, pg.tlogs[1]));
}

}  // namespace
}  // namespace bulwark::trust
