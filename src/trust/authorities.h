// The authorities a verifier trusts, as a Sigstore trusted root (trusted_root.h) or a Notation trust
// store lists them: transparency logs (Rekor, CT) by key, and certificate authorities (Fulcio,
// timestamp authorities, Notation CAs) by certificate chain, each with the period in which it may be
// relied on. Plain values; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "trust/keys.h"
#include "trust/x509.h"

namespace bulwark::trust {

// The window in which an authority's key may have signed, Unix seconds.
struct ValidityPeriod {
  int64_t start = 0;
  std::optional<int64_t> end;  // none: still valid
  bool contains(int64_t t) const { return start <= t && (!end || t <= *end); }
};

// A transparency log: Rekor (its entries' signed entry timestamps and checkpoints) or a
// certificate transparency log (SCTs).
struct TransparencyLog {
  std::string base_url;      // "https://rekor.sigstore.dev"
  std::string log_id;        // raw bytes (SHA-256 of the key's SPKI for every Sigstore log)
  PublicKey key;
  HashAlgorithm hash = HashAlgorithm::kSha256;
  ValidityPeriod validity;
  // The checkpoint origin ("rekor.sigstore.dev - 1193050959916656506"); empty when the trusted
  // root does not say, in which case a checkpoint is accepted under any origin its key verifies.
  std::string checkpoint_origin;
};

// A certificate authority: Fulcio, a timestamp authority, or a Notation trust-store CA.
struct CertificateAuthority {
  std::string uri;                  // "https://fulcio.sigstore.dev"; may be empty
  std::vector<Certificate> chain;   // issuing certificate first, trust anchor last
  ValidityPeriod validity;
};

}  // namespace bulwark::trust
