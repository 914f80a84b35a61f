// `bulwark sign`, `bulwark attest` and `bulwark sign-blob`: sign an image, attach a signed in-toto
// attestation to it, or sign a file, with a key or keyless (Fulcio certificate + Rekor entry
// [+ RFC 3161 timestamp], trust/keyless_signer.h), in cosign's layouts (trust/image_signing.h).
//
//   bulwark sign      (--key KEY | KEYLESS) [--layout legacy|bundle|both] [registry flags] REF
//   bulwark attest    (--key KEY | KEYLESS) --predicate FILE
//                     --type cyclonedx|spdx|slsaprovenance|...|URI
//                     [--layout legacy|bundle|both] [registry flags] REF
//   bulwark sign-blob (--key KEY | KEYLESS) --bundle OUT FILE
//   KEYLESS = [--identity-token FILE] --fulcio-url URL --rekor-url URL [--tsa-url URL]
//
// REF is resolved to its manifest digest first; the signature is about that digest, never the
// tag. The key's password comes from --password-file, $BULWARK_KEY_PASSWORD or $COSIGN_PASSWORD.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "cli/commands.h"
#include "cli/key_flags.h"
#include "cli/registry_store.h"
#include "cli/source_flags.h"
#include "common/clock.h"
#include "trust/image_signing.h"
#include "trust/intoto.h"
#include "trust/keyless_signer.h"

namespace bulwark::cli {
namespace {

struct SignFlags {
  SourceFlags source;
  KeyFlags key;
  KeylessFlags keyless;
  std::string layout = "both";
  std::string predicate;  // attest
  std::string type;       // attest
  std::string bundle;     // sign-blob: where the bundle goes
  std::string artifact;   // sign-blob
};

int error(std::string_view command, const std::string& message) {
  std::cerr << "bulwark " << command << ": " << message << "\n";
  return kExitError;
}

// Resolves the image, then hands it to `act`; prints what was written.
template <class Act>
int with_image(std::string_view command, const SignFlags& flags, Act act) {
  auto layout = trust::parse_signature_layout(flags.layout);
  if (!layout) return error(command, "--layout must be legacy, bundle or both");
  auto image = resolve_image(flags.source);
  if (!image) return error(command, image.error().message);
  trust::ImageSubject subject{image->repository, image->digest, image->media_type, image->size};
  trust::SigningOptions options{*layout, unix_seconds()};
  Result<trust::Written> written = act(*image->store, subject, options);
  if (!written) return error(command, written.error().message);
  std::cout << image->repository << "@" << image->digest.str() << "\n";
  for (const std::string& line : *written) std::cout << "  wrote " << line << "\n";
  return kExitOk;
}

// Resolves the key and the image, then hands both to `act`.
template <class Act>
int with_image_and_key(std::string_view command, const SignFlags& flags, Act act) {
  auto key = load_signing_key(flags.key);
  if (!key) return error(command, key.error().message);
  return with_image(command, flags, [&](auto& store, const auto& subject, const auto& options) {
    return act(store, subject, *key, options);
  });
}

// Whether to sign keyless: no --key, and keyless flags instead. Contradictory or missing flags
// leave an error message in `problem`.
bool signs_keyless(const SignFlags& flags, std::string& problem) {
  const bool keyless = keyless_flags_given(flags.keyless);
  if (!flags.key.key.empty() && keyless) {
    problem =
        "give --key or the keyless flags (--identity-token, --fulcio-url, --rekor-url), not both";
  } else if (flags.key.key.empty() && !keyless) {
    problem =
        "say how to sign: --key KEY, or keyless with --fulcio-url URL --rekor-url URL "
        "[--identity-token FILE] [--tsa-url URL]";
  }
  return keyless;
}

int run_sign(const SignFlags& flags) {
  std::string problem;
  if (signs_keyless(flags, problem) && problem.empty()) {
    return with_image(
        "sign", flags,
        [&](auto& store, const auto& subject, const auto& options) -> Result<trust::Written> {
          // The certificate is requested only once the image is known to exist.
          BULWARK_ASSIGN_OR_RETURN(trust::KeylessSigner signer, make_keyless_signer(flags.keyless));
          return trust::sign_image_keyless(store, subject, signer, options);
        });
  }
  if (!problem.empty()) return error("sign", problem);
  return with_image_and_key("sign", flags, [](auto& store, const auto& subject, const auto& key,
                                               const auto& options) {
    return trust::sign_image(store, subject, key, options);
  });
}

int run_attest(const SignFlags& flags) {
  auto type = trust::resolve_predicate_type(flags.type);
  if (!type) {
    return error("attest", "unknown --type " + flags.type +
                               " (a predicate type URI, or one of cosign's short names such as "
                               "cyclonedx, spdx, spdxjson, slsaprovenance, slsaprovenance1, "
                               "vuln, custom)");
  }
  std::ifstream in(flags.predicate);
  if (!in) return error("attest", "cannot read --predicate " + flags.predicate);
  std::stringstream predicate;
  predicate << in.rdbuf();
  const std::string text = predicate.str();
  std::string problem;
  if (signs_keyless(flags, problem) && problem.empty()) {
    return with_image(
        "attest", flags,
        [&](auto& store, const auto& subject, const auto& options) -> Result<trust::Written> {
          BULWARK_ASSIGN_OR_RETURN(trust::KeylessSigner signer, make_keyless_signer(flags.keyless));
          return trust::attest_image_keyless(store, subject, signer, *type, text, options);
        });
  }
  if (!problem.empty()) return error("attest", problem);
  return with_image_and_key("attest", flags, [&](auto& store, const auto& subject,
                                                 const auto& key, const auto& options) {
    return trust::attest_image(store, subject, key, *type, text, options);
  });
}

int run_sign_blob(const SignFlags& flags) {
  std::string problem;
  const bool keyless = signs_keyless(flags, problem);
  if (!problem.empty()) return error("sign-blob", problem);
  std::ifstream in(flags.artifact, std::ios::binary);
  if (!in) return error("sign-blob", "cannot read " + flags.artifact);
  std::stringstream text;
  text << in.rdbuf();
  const std::string artifact = text.str();
  // Opened first, so a bad path costs no certificate and no log entry.
  std::ofstream out(flags.bundle, std::ios::binary | std::ios::trunc);
  if (!out) return error("sign-blob", "cannot write --bundle " + flags.bundle);
  Result<std::string> bundle = [&]() -> Result<std::string> {
    if (keyless) {
      BULWARK_ASSIGN_OR_RETURN(trust::KeylessSigner signer, make_keyless_signer(flags.keyless));
      return trust::keyless_sign_blob_bundle(signer, artifact);
    }
    BULWARK_ASSIGN_OR_RETURN(trust::PrivateKey key, load_signing_key(flags.key));
    return trust::sign_blob_bundle(artifact, key);
  }();
  if (!bundle) {
    out.close();
    std::error_code ignored;
    std::filesystem::remove(flags.bundle, ignored);  // no empty bundle left behind
    return error("sign-blob", bundle.error().message);
  }
  out << *bundle << "\n";
  out.close();
  if (!out) return error("sign-blob", "cannot write --bundle " + flags.bundle);
  std::cout << "wrote bundle " << flags.bundle << "\n";
  return kExitOk;
}

void add_common(CLI::App* sub, SignFlags& flags) {
  add_key_options(sub, flags.key, /*required=*/false);
  add_keyless_options(sub, flags.keyless);
  sub->add_option("--layout", flags.layout,
                  "legacy (cosign's sha256-<hex>.sig/.att tags), bundle (Sigstore bundle as an "
                  "OCI 1.1 referrer) or both (default)");
  add_registry_options(sub, flags.source);
  sub->add_option("reference", flags.source.reference, "HOST/REPO:TAG|@DIGEST (docker:// optional)")
      ->required();
}

}  // namespace

Command add_sign(CLI::App& app) {
  auto flags = std::make_shared<SignFlags>();
  CLI::App* sub =
      app.add_subcommand("sign", "sign an image with a key or keyless (cosign layouts)");
  add_common(sub, *flags);
  return {sub, [flags] { return run_sign(*flags); }};
}

Command add_attest(CLI::App& app) {
  auto flags = std::make_shared<SignFlags>();
  CLI::App* sub = app.add_subcommand("attest", "attach a signed in-toto attestation to an image");
  sub->add_option("--predicate", flags->predicate, "the predicate, a JSON file")->required();
  sub->add_option("--type", flags->type,
                  "predicate type: cyclonedx, spdx, spdxjson, slsaprovenance, slsaprovenance1, "
                  "vuln, custom, or a URI")
      ->required();
  add_common(sub, *flags);
  return {sub, [flags] { return run_attest(*flags); }};
}

Command add_sign_blob(CLI::App& app) {
  auto flags = std::make_shared<SignFlags>();
  CLI::App* sub = app.add_subcommand(
      "sign-blob", "sign a file with a key or keyless and write its Sigstore bundle");
  add_key_options(sub, flags->key, /*required=*/false);
  add_keyless_options(sub, flags->keyless);
  sub->add_option("--bundle", flags->bundle, "where to write the bundle (JSON)")->required();
  sub->add_option("artifact", flags->artifact, "the file to sign")->required();
  return {sub, [flags] { return run_sign_blob(*flags); }};
}

}  // namespace bulwark::cli
