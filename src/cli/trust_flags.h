// The trust flags of `bulwark verify` and `verify-attestation`, shared with `bulwark policy test`:
// whom to trust (--key, or --certificate-identity[-regexp] with --certificate-oidc-issuer[-regexp]
// and --trusted-root, or Notation's --trust-policy with --trust-store) and the transparency-log
// requirement. Registration binds to a TrustFlags the caller keeps alive (CLI11 writes into it).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "common/result.h"
#include "trust/image_verify.h"

namespace bulwark::cli {

struct TrustFlags {
  std::string key;
  std::string identity;
  std::string identity_regexp;
  std::string issuer;
  std::string issuer_regexp;
  std::string trusted_root;
  bool require_tlog = false;
  bool ignore_tlog = false;
  std::string trust_policy;  // Notation
  std::string trust_store;

  // Whether any flag saying whom to trust was given.
  bool any() const {
    return !key.empty() || !identity.empty() || !identity_regexp.empty() || !issuer.empty() ||
           !issuer_regexp.empty() || !trust_policy.empty() || !trust_store.empty();
  }
};

// Registers the flags on `sub` (the Notation ones only when `notation`).
void add_trust_options(CLI::App* sub, TrustFlags& flags, bool notation);

// The trust configuration the flags describe. kInvalidArgument for contradictory or incomplete
// flags (the message names them).
Result<trust::ImageTrust> image_trust(const TrustFlags& flags);

}  // namespace bulwark::cli
