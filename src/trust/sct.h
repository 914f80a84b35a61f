// Embedded signed certificate timestamps (RFC 6962 §3.3): the promises of certificate transparency
// logs, carried in a Fulcio leaf's extension 1.3.6.1.4.1.11129.2.4.2, that the certificate was
// logged. Each SCT is checked against the CT logs of a trusted root: the log is found by its log
// id, its key must verify the SCT's signature over the precertificate entry (the leaf's TBS without
// the SCT list, plus the SHA-256 of the issuer's public key), and the SCT's time must fall in the
// log's validity period. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "trust/authorities.h"
#include "trust/x509.h"

namespace bulwark::trust {

// What became of one embedded SCT.
struct SctOutcome {
  std::string log_id;        // raw bytes, as in the SCT (32 for v1)
  int64_t timestamp_ms = 0;  // the SCT's time, milliseconds since the Unix epoch
  // Ok when the SCT verifies; else why not: "SCT from unknown log", "SCT signature does not
  // verify", "SCT time outside the log's validity period", "unsupported SCT version".
  Result<void> status;
};

// Every SCT embedded in `leaf`, each checked against `ct_logs`. `issuer` is the certificate that
// signed `leaf` (its key hash is part of the signed entry). kInvalidArgument "no embedded SCT" when
// the leaf carries no SCT list (or an empty or unparsable one).
Result<std::vector<SctOutcome>> check_embedded_scts(const Certificate& leaf,
                                                    const Certificate& issuer,
                                                    std::span<const TransparencyLog> ct_logs);

// The number of embedded SCTs of `leaf` that verify. kInvalidArgument when fewer than `threshold`
// do: "no embedded SCT", or the reason the first failing SCT gave ("SCT from unknown log", "SCT
// signature does not verify", ...).
Result<size_t> verify_embedded_scts(const Certificate& leaf, const Certificate& issuer,
                                    std::span<const TransparencyLog> ct_logs, size_t threshold = 1);

}  // namespace bulwark::trust
