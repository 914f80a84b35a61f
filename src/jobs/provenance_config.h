// ProvenanceTrust: the server's `trust:` configuration (common/config.h's TrustConfig) loaded
// and checked — public keys, the Sigstore trusted root, keyless identities, attestation types,
// the Notation trust policy and store — plus its fingerprint, a SHA-256 over the canonical
// configuration and the bytes of every file it names, so that stored verification results
// (metadata/provenance_store.h) made under another configuration are recognised across restarts.
//
// Rules are tried in order; the first whose repository glob matches applies ('*' stands for any
// run of characters, '/' included; everything else is literal). Notation's trust policy selects
// its own policy by the repository name (without a registry host: the server verifies its own
// repositories, so registryScopes name them as "<repository>" or use "*").
//
// Immutable after loading; const use is thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/config.h"
#include "common/result.h"
#include "trust/image_verify.h"

namespace bulwark::jobs {

struct ProvenanceRule {
  size_t index = 0;  // position in trust.rules (for messages)
  std::vector<std::string> repositories;
  trust::SigstorePolicy sigstore;
  std::vector<std::string> attestations;  // predicate type URIs
};

struct ProvenanceTrust {
  std::vector<ProvenanceRule> rules;
  trust::TrustedRoot root;
  std::optional<trust::notation::TrustPolicyDocument> notation_policy;
  std::optional<trust::notation::TrustStore> notation_store;
  std::string fingerprint;  // "sha256:<hex>"

  // Anything to verify with (rules or a Notation policy).
  bool enabled() const { return !rules.empty() || notation_policy.has_value(); }
  // The first rule matching `repository`; nullptr when none does.
  const ProvenanceRule* rule_for(std::string_view repository) const;
  // What verify_image() needs for an image under `rule` (nullptr: Notation only) at `now`.
  trust::ImageTrust image_trust(const ProvenanceRule* rule, int64_t now) const;
};


// Reads every file `config` names and checks it: keys parse, the trusted root parses (required
// for keyless identities), identity regular expressions compile, attestation types are known
// short names or URIs, the Notation policy parses and the trust stores it references load.
// kInvalidArgument / kNotFound with a message naming the configuration key and the file.
Result<ProvenanceTrust> load_provenance_trust(const TrustConfig& config);

}  // namespace bulwark::jobs
