#include "audit/signing.h"

#include <openssl/evp.h>

#include <optional>

#include "common/digest.h"

namespace bulwark::audit {
namespace {

constexpr size_t kKeyIdBytes = 16;

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// Strict standard base64 with padding: the one spelling base64() produces.
std::optional<std::string> unbase64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0 || text.size() > 4096) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  size_t padding = text.ends_with("==") ? 2 : text.ends_with('=') ? 1 : 0;
  out.resize(static_cast<size_t>(n) - padding);
  if (base64(out) != text) return std::nullopt;
  return out;
}

}  // namespace

std::string checkpoint_statement(int64_t seq, std::string_view hash, int64_t time_ms) {
  return "bulwark-audit-checkpoint v1\n" + std::to_string(seq) + "\n" + std::string(hash) + "\n" +
         std::to_string(time_ms) + "\n";
}

// --- VerifyKey

// The key id: lowercase hex of the first kKeyIdBytes of sha256(DER SubjectPublicKeyInfo).
VerifyKey::VerifyKey(P256Key key)
    : key_(std::move(key)), key_id_(Digest::of(key_.spki_der()).hex().substr(0, kKeyIdBytes * 2)) {}

Result<VerifyKey> VerifyKey::from_pem(std::string_view pem) {
  BULWARK_ASSIGN_OR_RETURN(P256Key key, P256Key::from_pem(pem, PemKind::kEither));
  return VerifyKey(std::move(key));
}

Result<VerifyKey> VerifyKey::load(const std::string& path) {
  BULWARK_ASSIGN_OR_RETURN(P256Key key, P256Key::load(path, PemKind::kEither));
  return VerifyKey(std::move(key));
}

std::string VerifyKey::public_pem() const { return key_.public_pem(); }

bool VerifyKey::verify(std::string_view message, std::string_view signature) const {
  std::optional<std::string> raw = unbase64(signature);
  return raw && key_.verify_raw(message, *raw);
}

// --- SigningKey

Result<SigningKey> SigningKey::load_or_create(const std::string& path) {
  BULWARK_ASSIGN_OR_RETURN(P256Key key, P256Key::load_or_create(path));
  return SigningKey(VerifyKey(std::move(key)));
}

Result<std::string> SigningKey::sign(std::string_view message) const {
  BULWARK_ASSIGN_OR_RETURN(std::string raw, public_.key_.sign_raw(message));
  return base64(raw);
}

}  // namespace bulwark::audit
