// in-toto attestation Statements (v0.1 and v1, github.com/in-toto/attestation): the subjects an
// attestation is about, its predicate type and predicate; and the predicate types cosign names
// with short names (`cosign attest --type cyclonedx`). Pure functions over value types;
// thread-safe.
#pragma once

#include <boost/json/value.hpp>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/digest.h"
#include "common/result.h"

namespace bulwark::trust {

inline constexpr std::string_view kStatementTypeV01 = "https://in-toto.io/Statement/v0.1";
inline constexpr std::string_view kStatementTypeV1 = "https://in-toto.io/Statement/v1";
// The predicate type of cosign v3's signature statements (`cosign sign --new-bundle-format`).
inline constexpr std::string_view kCosignSignPredicateType = "https://sigstore.dev/cosign/sign/v1";

enum class StatementVersion { kV01, kV1 };

struct InTotoSubject {
  std::string name;                           // may be empty (v1 allows it)
  std::map<std::string, std::string> digest;  // algorithm -> lowercase hex, e.g. "sha256" -> ...
};

struct Statement {
  StatementVersion version = StatementVersion::kV1;
  std::vector<InTotoSubject> subjects;  // at least one
  std::string predicate_type;
  boost::json::value predicate;  // null when absent
};

// Parses a Statement from strict JSON: _type must be one of the two statement types; subject a
// non-empty array of {name?, digest{alg: hex}}; predicateType a non-empty string.
Result<Statement> parse_statement(std::string_view json);

// {"_type","predicateType","subject":[{"name","digest"}],"predicate"} in the order cosign
// writes v0.1 statements (and v1 with the v1 _type); name omitted when empty.
std::string serialize_statement(const Statement& statement);

// True when some subject has `digest` (same algorithm name and hex).
bool subject_matches(const Statement& statement, const Digest& digest);

// A predicate type and the short name cosign gives it (empty when cosign has none).
struct PredicateTypeName {
  std::string_view short_name;
  std::string_view uri;
};
// The table: cyclonedx, spdx, spdxjson, slsaprovenance, slsaprovenance02, slsaprovenance1, link,
// vuln, openvex, custom, and cosign's signature statement type.
std::span<const PredicateTypeName> known_predicate_types();
// The URI for a cosign short name; a string that already looks like a URI ("scheme://...") is
// returned as is. nullopt for an unknown short name.
std::optional<std::string> resolve_predicate_type(std::string_view short_name_or_uri);

}  // namespace bulwark::trust
