// A Sigstore trusted root (`trusted_root.json`, media type
// application/vnd.dev.sigstore.trustedroot+json;version=0.1, also the v0.1/v0.2 "...trustedroot.
// v0.N+json" spellings): the Fulcio certificate authorities, Rekor transparency logs, certificate
// transparency logs and timestamp authorities a Sigstore verifier trusts, as distributed by TUF.
// Parsed strictly (every field Bulwark relies on must be present and well-formed; errors name the
// field, e.g. "trusted root: tlogs[1].publicKey.rawBytes: not valid base64"); unknown fields are
// ignored so newer roots still load. Immutable after parsing; const use is thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "trust/authorities.h"

namespace bulwark::trust {

struct TrustedRoot {
  std::string media_type;
  // Fulcio CAs. Each chain is in the order the file lists certChain.certificates, which for
  // Sigstore roots is the issuing (intermediate) certificate first and the root last, so
  // chain.front() issues leaves and chain.back() is the trust anchor (see authorities.h).
  std::vector<CertificateAuthority> certificate_authorities;
  // Timestamp authorities, same order: the TSA signing certificate first, the root last.
  std::vector<CertificateAuthority> timestamp_authorities;
  std::vector<TransparencyLog> tlogs;   // Rekor logs
  std::vector<TransparencyLog> ctlogs;  // certificate transparency logs

  // The log whose id (raw bytes) is `log_id`; nullptr when there is none.
  const TransparencyLog* find_tlog(std::string_view log_id) const;
  const TransparencyLog* find_ctlog(std::string_view log_id) const;
};

// Parses a trusted_root.json document. kInvalidArgument naming the field on malformed input,
// kUnsupported for another media type or a key type Bulwark does not verify with (keyDetails is
// checked against the key itself: PKIX_ECDSA_P256_SHA_256, PKIX_ECDSA_P384_SHA_384,
// PKIX_ED25519, PKIX_RSA_PKCS1V15_*/PKIX_RSA_PSS_* and the legacy ECDSA_P256_SHA_256 ...).
// A log entry whose key type is unsupported is an error, not silently dropped.
Result<TrustedRoot> parse_trusted_root(std::string_view json);
// parse_trusted_root() of `file` (at most 4 MiB); errors name the file.
Result<TrustedRoot> load_trusted_root(const std::filesystem::path& file);

}  // namespace bulwark::trust
