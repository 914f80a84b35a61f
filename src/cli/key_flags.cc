#include "cli/key_flags.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace bulwark::cli {

void add_key_options(CLI::App* sub, KeyFlags& flags, bool required) {
  auto* key =
      sub->add_option("--key", flags.key, "private key file (PEM, or cosign's encrypted key)");
  if (required) key->required();
  add_password_option(sub, flags);
}

void add_keyless_options(CLI::App* sub, KeylessFlags& flags) {
  sub->add_option("--identity-token", flags.identity_token_file,
                  "keyless: file holding the OIDC identity token (default: $SIGSTORE_ID_TOKEN, "
                  "then $BULWARK_ID_TOKEN)");
  sub->add_option("--fulcio-url", flags.fulcio_url, "keyless: the Fulcio certificate authority");
  sub->add_option("--rekor-url", flags.rekor_url, "keyless: the Rekor transparency log");
  sub->add_option("--tsa-url", flags.tsa_url,
                  "keyless: an RFC 3161 timestamp authority (optional)");
}

bool keyless_flags_given(const KeylessFlags& flags) {
  return !flags.identity_token_file.empty() || !flags.fulcio_url.empty() ||
         !flags.rekor_url.empty() || !flags.tsa_url.empty();
}

Result<trust::KeylessSigner> make_keyless_signer(const KeylessFlags& flags) {
  std::string token;
  if (!flags.identity_token_file.empty()) {
    std::ifstream in(flags.identity_token_file);
    if (!in) {
      return fail(ErrorCode::kNotFound,
                  "cannot read --identity-token " + flags.identity_token_file);
    }
    std::getline(in, token);
  } else {
    for (const char* name : {"SIGSTORE_ID_TOKEN", "BULWARK_ID_TOKEN"}) {
      if (const char* value = std::getenv(name); value != nullptr && *value != '\0') {
        token = value;
        break;
      }
    }
  }
  if (token.empty()) {
    return fail(ErrorCode::kInvalidArgument,
                "keyless signing needs an OIDC identity token: --identity-token FILE, or set "
                "SIGSTORE_ID_TOKEN");
  }
  if (flags.fulcio_url.empty() || flags.rekor_url.empty()) {
    return fail(ErrorCode::kInvalidArgument, "keyless signing needs --fulcio-url and --rekor-url");
  }
  trust::SigstoreEndpoints endpoints;
  endpoints.fulcio_url = flags.fulcio_url;
  endpoints.rekor_url = flags.rekor_url;
  endpoints.tsa_url = flags.tsa_url;
  return trust::KeylessSigner::create(endpoints, std::move(token));
}

void add_password_option(CLI::App* sub, KeyFlags& flags) {
  sub->add_option("--password-file", flags.password_file,
                  "file whose first line is the key's password (default: $BULWARK_KEY_PASSWORD, "
                  "then $COSIGN_PASSWORD)");
}

Result<std::string> key_password(const KeyFlags& flags) {
  if (!flags.password_file.empty()) {
    std::ifstream in(flags.password_file);
    if (!in) return fail(ErrorCode::kNotFound, "cannot read --password-file " + flags.password_file);
    std::string line;
    std::getline(in, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  for (const char* name : {"BULWARK_KEY_PASSWORD", "COSIGN_PASSWORD"}) {
    if (const char* value = std::getenv(name)) return std::string(value);
  }
  return fail(ErrorCode::kInvalidArgument,
              "the key needs a password: give --password-file, or set BULWARK_KEY_PASSWORD "
              "(an empty value means no password)");
}

Result<trust::PrivateKey> load_signing_key(const KeyFlags& flags) {
  std::ifstream in(flags.key);
  if (!in) return fail(ErrorCode::kNotFound, "cannot read --key " + flags.key);
  std::stringstream text;
  text << in.rdbuf();
  const std::string pem = text.str();
  std::string password;
  if (pem.find("ENCRYPTED") != std::string::npos) {
    BULWARK_ASSIGN_OR_RETURN(password, key_password(flags));
  }
  auto key = trust::PrivateKey::from_pem(pem, password);
  if (!key) return fail(key.error().code, flags.key + ": " + key.error().message);
  return key;
}

}  // namespace bulwark::cli
