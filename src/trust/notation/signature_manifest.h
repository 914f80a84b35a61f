// The OCI manifest a Notation signature is stored as (an OCI 1.1 referrer of the signed image):
// artifactType application/vnd.cncf.notary.signature (or, from older clients, that config
// mediaType), exactly one layer holding the envelope (application/jose+json or
// application/cose), the signed image as subject, and the annotation
// io.cncf.notary.x509chain.thumbprint#S256 — a JSON array of the hex SHA-256 of every chain
// certificate, which must match the envelope's chain. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "oci/manifest.h"
#include "trust/notation/envelope.h"

namespace bulwark::trust::notation {

struct SignatureManifest {
  oci::Descriptor envelope;                // the layer: its mediaType says JWS or COSE
  std::optional<oci::Descriptor> subject;  // the signed manifest
  std::vector<std::string> thumbprints;    // lower-case hex SHA-256, leaf first
};

// kInvalidArgument when `manifest_json` is not a Notation signature manifest (names the rule).
Result<SignatureManifest> parse_signature_manifest(std::string_view manifest_json);

// Ok when `thumbprints` are exactly the hex SHA-256 of the signature's chain, in order.
Result<void> check_thumbprints(const NotationSignature& signature,
                               const std::vector<std::string>& thumbprints);

}  // namespace bulwark::trust::notation
