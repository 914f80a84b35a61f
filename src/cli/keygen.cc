// `bulwark keygen`: a signing key pair for `bulwark sign|attest --key` (and for cosign).
//
//   bulwark keygen [--type ecdsa-p256|ecdsa-p384|rsa|ed25519] [--output-key-prefix PREFIX]
//                  [--password-file FILE] [--force]
//
// Writes PREFIX.key (cosign's "ENCRYPTED SIGSTORE PRIVATE KEY", mode 0600, sealed with the
// password from --password-file, $BULWARK_KEY_PASSWORD or $COSIGN_PASSWORD) and PREFIX.pub (PEM
// public key). Existing files are kept unless --force.
#include <sys/stat.h>

#include <array>
#include <filesystem>
#include <iostream>
#include <string>
#include <tuple>

#include "cli/commands.h"
#include "cli/key_flags.h"
#include "common/durable_file.h"
#include "trust/keys.h"

namespace bulwark::cli {
namespace {

namespace fs = std::filesystem;

struct KeygenFlags {
  std::string type = "ecdsa-p256";
  std::string prefix = "cosign";
  bool force = false;
  KeyFlags key;
};

constexpr std::array<trust::KeyType, 4> kTypes = {trust::KeyType::kEcdsaP256,
                                                  trust::KeyType::kEcdsaP384, trust::KeyType::kRsa,
                                                  trust::KeyType::kEd25519};

int run(const KeygenFlags& flags) {
  const trust::KeyType* type = nullptr;
  for (const trust::KeyType& t : kTypes) {
    if (trust::key_type_name(t) == flags.type) type = &t;
  }
  if (type == nullptr) {
    std::cerr << "bulwark keygen: unknown --type " << flags.type
              << " (ecdsa-p256, ecdsa-p384, rsa, ed25519)\n";
    return kExitError;
  }
  auto password = key_password(flags.key);
  if (!password) {
    std::cerr << "bulwark keygen: " << password.error().message << "\n";
    return kExitError;
  }
  auto key = trust::PrivateKey::generate(*type);
  if (!key) {
    std::cerr << "bulwark keygen: " << key.error().message << "\n";
    return kExitError;
  }
  auto sealed = key->cosign_encrypted_pem(*password);
  if (!sealed) {
    std::cerr << "bulwark keygen: " << sealed.error().message << "\n";
    return kExitError;
  }
  const fs::path private_file = flags.prefix + ".key";
  const fs::path public_file = flags.prefix + ".pub";
  if (!flags.force) {
    for (const fs::path& p : {private_file, public_file}) {
      if (fs::exists(p)) {
        std::cerr << "bulwark keygen: " << p.string() << " exists (use --force to replace it)\n";
        return kExitError;
      }
    }
  }
  const KeyFileWrite how = flags.force ? KeyFileWrite::kReplace : KeyFileWrite::kCreateNew;
  for (auto [path, text, mode] : {std::tuple{private_file, *sealed, mode_t{0600}},
                                  std::tuple{public_file, key->public_key().pem(), mode_t{0644}}}) {
    if (auto written = write_durable_file(path, text, mode, how); !written) {
      std::cerr << "bulwark keygen: " << written.error().message
                << (written.error().code == ErrorCode::kAlreadyExists
                        ? " (use --force to replace it)\n"
                        : "\n");
      return kExitError;
    }
  }
  std::cout << "Private key written to " << private_file.string() << "\n"
            << "Public key written to " << public_file.string() << "\n";
  return kExitOk;
}

}  // namespace

Command add_keygen(CLI::App& app) {
  auto flags = std::make_shared<KeygenFlags>();
  CLI::App* sub = app.add_subcommand("keygen", "make a signing key pair (PREFIX.key, PREFIX.pub)");
  sub->add_option("--type", flags->type, "ecdsa-p256 (default), ecdsa-p384, rsa or ed25519");
  sub->add_option("--output-key-prefix", flags->prefix, "file name prefix (default: cosign)");
  sub->add_flag("--force", flags->force, "replace existing files");
  add_password_option(sub, flags->key);
  return {sub, [flags] { return run(*flags); }};
}

}  // namespace bulwark::cli
