// cosign's "simple signing" payload: the JSON document a legacy cosign image signature
// (`sha256-<hex>.sig`) signs, naming the image by repository and manifest digest:
//   {"critical":{"identity":{"docker-reference":R},"image":{"docker-manifest-digest":D},
//    "type":"cosign container image signature"},"optional":null|{...}}
// Pure functions; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/digest.h"
#include "common/result.h"

namespace bulwark::trust {

inline constexpr std::string_view kSimpleSigningType = "cosign container image signature";

struct SimpleSigningPayload {
  std::string docker_reference;  // repository, e.g. "registry.example.com/demo/app"
  Digest manifest_digest;
  // The "optional" annotations (`cosign sign -a k=v`); values that are not strings are kept as
  // their JSON text. Empty when "optional" is null or {}.
  std::map<std::string, std::string> optional;
};

// Parses a payload from strict JSON. critical.type must be kSimpleSigningType and the digest a
// valid digest; unknown keys inside "critical" are refused (they would be security relevant).
Result<SimpleSigningPayload> parse_simple_signing(std::string_view json);

// The payload exactly as cosign writes it (Go encoding/json: struct field order, map keys
// sorted, "<", ">", "&" escaped as \u003c...; "optional":null when there are no annotations).
std::string make_simple_signing(const SimpleSigningPayload& payload);

// Go encoding/json's quoting of a string (with the surrounding quotes): escapes '"', '\\', control
// characters, '<', '>', '&', U+2028, U+2029, and replaces invalid UTF-8 with U+FFFD. Used for
// every document cosign writes with json.Marshal.
std::string go_json_quote(std::string_view text);

}  // namespace bulwark::trust
