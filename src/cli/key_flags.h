// The signing-key flags `bulwark keygen`, `sign` and `attest` share, and where a key's password
// comes from: --password-file FILE, else $BULWARK_KEY_PASSWORD, else $COSIGN_PASSWORD (so keys
// and pipelines made for cosign work unchanged). An empty variable is an empty password; no
// source at all is an error that says how to give one. Passwords never appear in output.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "common/result.h"
#include "trust/keyless_signer.h"
#include "trust/keys.h"

namespace bulwark::cli {

struct KeyFlags {
  std::string key;            // private key file (PEM, PKCS#8 or cosign's encrypted format)
  std::string password_file;  // first line is the password
};

// Registers --key (required unless `required` is false: commands that can also sign keyless)
// and --password-file on `sub`.
void add_key_options(CLI::App* sub, KeyFlags& flags, bool required = true);
// Registers --password-file only (keygen).
void add_password_option(CLI::App* sub, KeyFlags& flags);

// The password from --password-file or the environment, as described above.
Result<std::string> key_password(const KeyFlags& flags);

// Loads --key, decrypting it when it is encrypted (a plain PEM key needs no password).
Result<trust::PrivateKey> load_signing_key(const KeyFlags& flags);

// Keyless signing (trust/keyless_signer.h): the OIDC identity token from --identity-token FILE,
// else $SIGSTORE_ID_TOKEN, else $BULWARK_ID_TOKEN (the token itself, as cosign reads it), and
// the services, given explicitly (nothing is sent to the public-good instance by default). The
// token is a secret: it never appears in output or errors.
struct KeylessFlags {
  std::string identity_token_file;
  std::string fulcio_url;
  std::string rekor_url;
  std::string tsa_url;
};

// Registers --identity-token, --fulcio-url, --rekor-url and --tsa-url on `sub`.
void add_keyless_options(CLI::App* sub, KeylessFlags& flags);
// Whether any keyless flag was given (the environment's token alone does not count).
bool keyless_flags_given(const KeylessFlags& flags);
// The signer: reads the token, gets the certificate. kInvalidArgument naming what is missing.
Result<trust::KeylessSigner> make_keyless_signer(const KeylessFlags& flags);

}  // namespace bulwark::cli
