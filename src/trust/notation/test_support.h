// Test helpers shared by the Notation tests: the synthetic vectors of the shared data
// (notation-synthetic/), the openssl CLI, and a JWS signer built from the spec (not from
// jws.cc) so tests can make signatures with chosen headers. Not thread-safe (tests only).
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/digest.h"
#include "trust/keys.h"

namespace bulwark::trust::notation::testing {

std::filesystem::path vectors_dir();  // TRUST_SIGSTORE_DIR/notation-synthetic
std::string read_file(const std::filesystem::path& file);
void write_file(const std::filesystem::path& file, std::string_view bytes);
Digest image_digest();  // oci-image/manifest.digest
// The vectors' signing time, 2026-11-27T18:49:55Z, computed with timegm.
int64_t vector_signing_time();
// Runs a shell command; returns its exit status.
int run(const std::string& command);
// DER of every certificate in a PEM text (openssl-independent base64 decoding of the blocks).
std::vector<std::string> pem_to_der(std::string_view pem);
// RFC 3339 UTC text of Unix seconds.
std::string rfc3339(int64_t t);

// A JWS envelope (flattened JSON) over `payload` with protected header `header`, signed ES256 by
// `key` (DER ECDSA converted to JOSE r||s with OpenSSL's ECDSA_SIG), x5c `chain_der`.
std::string make_jws(const boost::json::object& header, std::string_view payload,
                     const PrivateKey& key, const std::vector<std::string>& chain_der);
// The usual Notation protected header for ES256 / notary.x509 at `signing_time`.
boost::json::object notation_header(int64_t signing_time);
// {"targetArtifact":{"digest":..,"mediaType":..,"size":..}} for `digest`.
std::string payload_for(const Digest& digest, uint64_t size = 401);

}  // namespace bulwark::trust::notation::testing
