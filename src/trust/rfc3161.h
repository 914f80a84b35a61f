// RFC 3161 timestamps: a timestamp authority's signed statement that some bytes (in Sigstore, the
// signature bytes) existed at its genTime. Accepts a DER TimeStampResp (what a TSA answers and
// what Sigstore bundles carry as `signedTimestamp`) or a bare TimeStampToken (CMS SignedData).
// The signer must chain to one of the given authorities at genTime with the timeStamping extended
// key usage (its certificate may be embedded in the token or be one of the authority's
// certificates, since many TSAs embed none), and genTime must fall in that authority's validity
// period. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "trust/authorities.h"
#include "trust/x509.h"

namespace bulwark::trust {

struct VerifiedTimestamp {
  int64_t gen_time = 0;       // Unix seconds (fractions dropped)
  std::string authority_uri;  // the CertificateAuthority that vouched for the signer
  std::string signer;         // the TSA certificate's subject (RFC 2253)
};

// Verifies `timestamp_der` over `data`. kInvalidArgument naming the failed check: "not an RFC 3161
// timestamp", "timestamp was not granted", "imprint is over other bytes", "no trusted TSA" (the
// signer is none of the authorities' certificates nor chains to one), "TSA certificate ..." (chain
// or validity at genTime), "timestamp signature does not verify", "genTime outside the TSA's
// validity period".
Result<VerifiedTimestamp> verify_rfc3161(std::string_view timestamp_der, std::string_view data,
                                         std::span<const CertificateAuthority> authorities);

}  // namespace bulwark::trust
