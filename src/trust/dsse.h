// DSSE (Dead Simple Signing Envelope, github.com/secure-systems-lab/dsse): the envelope cosign
// attestations and Sigstore bundles carry in-toto statements in, and its pre-authentication
// encoding (PAE), the bytes a DSSE signature is made over. Pure functions over value types;
// thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace bulwark::trust {

// The payload type of in-toto statements.
inline constexpr std::string_view kInTotoPayloadType = "application/vnd.in-toto+json";

struct DsseSignature {
  std::string keyid;  // may be empty
  std::string sig;    // raw signature bytes (base64-decoded)
};

struct DsseEnvelope {
  std::string payload_type;
  std::string payload;  // raw payload bytes (base64-decoded)
  std::vector<DsseSignature> signatures;
};

// Parses an envelope from strict JSON ({"payloadType","payload","signatures":[{"keyid","sig"}]}).
// payload and sig are standard base64 (padding optional, as Go and protobuf-JSON writers differ);
// at least one signature. kInvalidArgument naming the field otherwise.
Result<DsseEnvelope> parse_dsse_envelope(std::string_view json);
// The same from an already-parsed JSON value (a bundle's dsseEnvelope).
Result<DsseEnvelope> dsse_envelope_from_json(const boost::json::value& json);

// {"payloadType":...,"payload":...,"signatures":[{"keyid":...,"sig":...}]} in that order, as
// cosign writes envelopes (keyid always present, possibly "").
std::string serialize_dsse_envelope(const DsseEnvelope& envelope);
// The protobuf-JSON form inside a Sigstore bundle: keyid omitted when empty.
boost::json::object dsse_envelope_to_bundle_json(const DsseEnvelope& envelope);

// PAE(type, body) = "DSSEv1 " + len(type) + " " + type + " " + len(body) + " " + body, lengths
// in decimal bytes.
std::string dsse_pae(std::string_view payload_type, std::string_view payload);

// Lenient standard-base64 decoding used by the Sigstore formats: accepts missing '=' padding
// (refuses whitespace, other alphabets and non-canonical trailing bits like base64_decode).
std::optional<std::string> decode_base64_any_padding(std::string_view text);

}  // namespace bulwark::trust
