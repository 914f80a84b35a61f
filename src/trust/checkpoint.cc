#include "trust/checkpoint.h"

#include <charconv>

#include "common/digest.h"
#include "common/encoding.h"
#include "common/strict_json.h"

namespace bulwark::trust {
namespace {

constexpr std::string_view kSignaturePrefix = "\xE2\x80\x94 ";  // U+2014 EM DASH, space
constexpr size_t kKeyHintSize = 4;
constexpr size_t kMaxSignatures = 100;
constexpr size_t kEd25519SpkiSize = 44;  // 12-byte algorithm prefix + 32-byte key

tl::unexpected<Error> bad(std::string what) {
  return fail(ErrorCode::kInvalidArgument, "checkpoint: " + std::move(what));
}

std::string hex(std::string_view bytes) {
  return to_hex({reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()});
}

// Splits text that ends in '\n' into its lines (without the '\n').
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    out.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  return out;
}

}  // namespace

Result<SignedNote> parse_signed_note(std::string_view envelope) {
  size_t split = envelope.find("\n\n");
  if (split == std::string_view::npos) return bad("no blank line between note and signatures");
  SignedNote note;
  note.text = std::string(envelope.substr(0, split + 1));
  if (note.text.size() <= 1) return bad("empty note");
  std::string_view sigs = envelope.substr(split + 2);
  if (sigs.empty() || sigs.back() != '\n') return bad("signature lines must end with a newline");
  for (std::string_view line : lines_of(sigs)) {
    if (line.substr(0, kSignaturePrefix.size()) != kSignaturePrefix) {
      return bad("signature line does not start with an em dash: " + quote_untrusted(line));
    }
    line.remove_prefix(kSignaturePrefix.size());
    size_t space = line.find(' ');
    if (space == 0 || space == std::string_view::npos ||
        line.find(' ', space + 1) != std::string_view::npos) {
      return bad("signature line is not \"— <name> <signature>\": " + quote_untrusted(line));
    }
    auto raw = base64_decode(line.substr(space + 1));
    if (!raw) return bad("signature is not valid base64");
    if (raw->size() <= kKeyHintSize) return bad("signature is too short");
    if (note.signatures.size() == kMaxSignatures) return bad("too many signatures");
    note.signatures.push_back(NoteSignature{.name = std::string(line.substr(0, space)),
                                            .key_hint = raw->substr(0, kKeyHintSize),
                                            .signature = raw->substr(kKeyHintSize)});
  }
  if (note.signatures.empty()) return bad("no signature lines");
  return note;
}

Result<Checkpoint> parse_checkpoint(std::string_view note_text) {
  if (note_text.empty() || note_text.back() != '\n') return bad("note does not end with a newline");
  std::vector<std::string_view> lines = lines_of(note_text);
  if (lines.size() < 3) return bad("needs origin, size and root hash lines");
  for (std::string_view line : lines) {
    if (line.empty()) return bad("empty line in note");
  }
  Checkpoint out;
  out.origin = std::string(lines[0]);
  std::string_view size = lines[1];
  auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), out.size);
  if (ec != std::errc() || end != size.data() + size.size() ||
      (size.size() > 1 && size[0] == '0')) {
    return bad("tree size is not a decimal number: " + quote_untrusted(size));
  }
  auto root = base64_decode(lines[2]);
  if (!root || root->empty()) return bad("root hash is not valid base64");
  out.root_hash = std::move(*root);
  for (size_t i = 3; i < lines.size(); ++i) out.extensions.emplace_back(lines[i]);
  return out;
}

std::string ed25519_note_key_hint(std::string_view name, std::string_view raw_public_key) {
  std::string material(name);
  material.push_back('\n');
  material.push_back('\x01');  // signed-note algorithm byte for Ed25519
  material.append(raw_public_key);
  return hash_bytes(HashAlgorithm::kSha256, material).substr(0, kKeyHintSize);
}

Result<Checkpoint> verify_checkpoint(std::string_view envelope, const TransparencyLog& log) {
  BULWARK_ASSIGN_OR_RETURN(SignedNote note, parse_signed_note(envelope));
  BULWARK_ASSIGN_OR_RETURN(Checkpoint checkpoint, parse_checkpoint(note.text));
  std::string id_hint = log.log_id.substr(0, kKeyHintSize);
  const std::string& spki = log.key.spki_der();
  bool ed25519 = log.key.type() == KeyType::kEd25519 && spki.size() == kEd25519SpkiSize;
  bool verified = false;
  for (const NoteSignature& sig : note.signatures) {
    bool ours = sig.key_hint == id_hint ||
                (ed25519 && sig.key_hint == ed25519_note_key_hint(sig.name, spki.substr(12)));
    if (!ours) continue;  // another signer (a witness): not ours to judge
    if (!log.key.verify(note.text, sig.signature)) {
      return bad("signature by " + quote_untrusted(sig.name) + " (key hint " + hex(sig.key_hint) +
                 ") does not verify under the log's key");
    }
    verified = true;
  }
  if (!verified) {
    return bad("no signature by the log (key hint " + hex(id_hint) + ") among " +
               std::to_string(note.signatures.size()) + " signature line(s)");
  }
  if (!log.checkpoint_origin.empty() && checkpoint.origin != log.checkpoint_origin) {
    return bad("origin " + quote_untrusted(checkpoint.origin) + " is not the log's " +
               quote_untrusted(log.checkpoint_origin));
  }
  return checkpoint;
}

}  // namespace bulwark::trust
