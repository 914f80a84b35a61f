// Transparency-log checkpoints: the signed tree heads Rekor (v1 and v2) attaches to inclusion
// proofs, in the signed-note format of golang.org/x/mod/sumdb/note and C2SP tlog-checkpoint:
//
//   <origin>\n<tree size>\n<base64 root hash>\n[extension lines\n]\n
//   — <signer name> <base64(4-byte key hint || signature)>\n     (one or more lines; U+2014)
//
// The signature covers the note text up to and including the newline before the blank line. The
// key hint is the first 4 bytes of the log's id: for ECDSA Rekor logs SHA-256 of the key's DER
// SPKI, for Ed25519 logs (Rekor v2) the note key id SHA-256(name || 0x0A || 0x01 || raw key),
// which is also what Rekor v2 uses as its log id. Both are accepted (see verify_checkpoint).
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "trust/authorities.h"

namespace bulwark::trust {

// One signature line of a signed note.
struct NoteSignature {
  std::string name;       // signer name, e.g. "rekor.sigstore.dev" or "127.0.0.1:38617"
  std::string key_hint;   // 4 raw bytes
  std::string signature;  // raw (DER for ECDSA, 64 bytes for Ed25519)
};

struct SignedNote {
  std::string text;  // the signed text: every line before the blank line, each ending in '\n'
  std::vector<NoteSignature> signatures;  // at least one
};

// The checkpoint body (the note text).
struct Checkpoint {
  std::string origin;                   // "rekor.sigstore.dev - 1193050959916656506"
  uint64_t size = 0;                    // tree size
  std::string root_hash;                // raw bytes (32 for SHA-256 logs)
  std::vector<std::string> extensions;  // further lines ("Timestamp: ..."), without '\n'
};

// Splits a signed note into its text and signature lines. kInvalidArgument ("checkpoint: ...")
// when there is no blank line, no signature line, a line is not "— name base64", the base64 is
// invalid or shorter than a hint plus one byte, or the note text is empty.
Result<SignedNote> parse_signed_note(std::string_view envelope);

// Parses a note text as a checkpoint: origin (non-empty), decimal size (no sign, no leading
// zeros), base64 root hash, extension lines; no empty line, final '\n'. kInvalidArgument naming
// the line otherwise.
Result<Checkpoint> parse_checkpoint(std::string_view note_text);

// The 4-byte Ed25519 note key hint for `name` and a 32-byte raw Ed25519 public key.
std::string ed25519_note_key_hint(std::string_view name, std::string_view raw_public_key);

// Parses `envelope` and verifies it is signed by `log`: at least one signature line whose key hint
// is the first 4 bytes of log.log_id (or, for an Ed25519 log, the note key hint of the line's
// name) must verify under log.key over the note text; lines of other signers (witnesses) are
// ignored, but a line that claims the log's hint and does not verify is an error. When
// log.checkpoint_origin is set, the origin must equal it. Returns the parsed checkpoint.
// kInvalidArgument with "checkpoint: ..." messages (parse errors, "no signature by the log
// (key hint <hex>)", "signature does not verify", "origin ... is not ...").
Result<Checkpoint> verify_checkpoint(std::string_view envelope, const TransparencyLog& log);

}  // namespace bulwark::trust
