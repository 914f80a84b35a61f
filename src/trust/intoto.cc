#include "trust/intoto.h"

#include <array>
#include <boost/json/serialize.hpp>

#include "common/strict_json.h"

namespace bulwark::trust {
namespace {

namespace json = boost::json;

// cosign's names (cmd/cosign/cli/options/predicate.go) and the statement type of cosign v3's
// signatures, which has no short name.
constexpr std::array<PredicateTypeName, 11> kPredicateTypes = {{
    {"custom", "https://cosign.sigstore.dev/attestation/v1"},
    {"slsaprovenance", "https://slsa.dev/provenance/v0.2"},
    {"slsaprovenance02", "https://slsa.dev/provenance/v0.2"},
    {"slsaprovenance1", "https://slsa.dev/provenance/v1"},
    {"spdx", "https://spdx.dev/Document"},
    {"spdxjson", "https://spdx.dev/Document"},
    {"cyclonedx", "https://cyclonedx.org/bom"},
    {"link", "https://in-toto.io/Link/v1"},
    {"vuln", "https://cosign.sigstore.dev/attestation/vuln/v1"},
    {"openvex", "https://openvex.dev/ns"},
    {"", kCosignSignPredicateType},
}};

bool is_lower_hex(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Result<InTotoSubject> parse_subject(const json::value& v) {
  const json::object* obj = v.if_object();
  if (obj == nullptr)
    return fail(ErrorCode::kInvalidArgument, "in-toto statement: a subject is not an object");
  InTotoSubject subject;
  if (const json::value* name = obj->if_contains("name")) {
    if (!name->is_string()) {
      return fail(ErrorCode::kInvalidArgument,
                  "in-toto statement: subject \"name\" must be a string");
    }
    subject.name = std::string(name->get_string());
  }
  const json::value* digest = obj->if_contains("digest");
  if (digest == nullptr || !digest->is_object() || digest->get_object().empty()) {
    return fail(ErrorCode::kInvalidArgument,
                "in-toto statement: subject \"digest\" must be a non-empty object");
  }
  for (const auto& kv : digest->get_object()) {
    if (!kv.value().is_string()) {
      return fail(ErrorCode::kInvalidArgument, "in-toto statement: subject digest " +
                                                   quote_untrusted(kv.key()) + " must be a string");
    }
    subject.digest.emplace(std::string(kv.key()), std::string(kv.value().get_string()));
  }
  return subject;
}

}  // namespace

Result<Statement> parse_statement(std::string_view text) {
  auto doc = parse_strict_json(text);
  if (!doc) return fail(ErrorCode::kInvalidArgument, "in-toto statement: " + doc.error().message);
  const json::object* obj = doc->if_object();
  if (obj == nullptr) return fail(ErrorCode::kInvalidArgument, "in-toto statement: not an object");
  Statement st;
  const json::value* type = obj->if_contains("_type");
  if (type == nullptr || !type->is_string()) {
    return fail(ErrorCode::kInvalidArgument, "in-toto statement: \"_type\" missing");
  }
  if (type->get_string() == kStatementTypeV01) {
    st.version = StatementVersion::kV01;
  } else if (type->get_string() == kStatementTypeV1) {
    st.version = StatementVersion::kV1;
  } else {
    return fail(ErrorCode::kUnsupported,
                "in-toto statement: unknown _type " + quote_untrusted(type->get_string()));
  }
  const json::value* subjects = obj->if_contains("subject");
  if (subjects == nullptr || !subjects->is_array() || subjects->get_array().empty()) {
    return fail(ErrorCode::kInvalidArgument,
                "in-toto statement: \"subject\" must be a non-empty array");
  }
  for (const json::value& s : subjects->get_array()) {
    BULWARK_ASSIGN_OR_RETURN(InTotoSubject subject, parse_subject(s));
    st.subjects.push_back(std::move(subject));
  }
  const json::value* pt = obj->if_contains("predicateType");
  if (pt == nullptr || !pt->is_string() || pt->get_string().empty()) {
    return fail(ErrorCode::kInvalidArgument,
                "in-toto statement: \"predicateType\" must be a non-empty string");
  }
  st.predicate_type = std::string(pt->get_string());
  if (const json::value* p = obj->if_contains("predicate")) st.predicate = *p;
  return st;
}

std::string serialize_statement(const Statement& statement) {
  json::object obj;
  obj["_type"] = statement.version == StatementVersion::kV01 ? kStatementTypeV01 : kStatementTypeV1;
  obj["predicateType"] = statement.predicate_type;
  json::array subjects;
  for (const InTotoSubject& s : statement.subjects) {
    json::object so;
    if (!s.name.empty()) so["name"] = s.name;
    json::object digest;
    for (const auto& [alg, hex] : s.digest) digest[alg] = hex;
    so["digest"] = std::move(digest);
    subjects.push_back(std::move(so));
  }
  obj["subject"] = std::move(subjects);
  obj["predicate"] =
      statement.predicate.is_null() ? json::value(json::object()) : statement.predicate;
  return json::serialize(obj);
}

bool subject_matches(const Statement& statement, const Digest& digest) {
  const std::string alg(algorithm_name(digest.algorithm()));
  for (const InTotoSubject& s : statement.subjects) {
    auto it = s.digest.find(alg);
    if (it != s.digest.end() && is_lower_hex(it->second) && it->second == digest.hex()) return true;
  }
  return false;
}

std::span<const PredicateTypeName> known_predicate_types() { return kPredicateTypes; }

std::optional<std::string> resolve_predicate_type(std::string_view name) {
  if (name.find("://") != std::string_view::npos) return std::string(name);
  if (name.empty()) return std::nullopt;
  for (const PredicateTypeName& p : kPredicateTypes) {
    if (p.short_name == name) return std::string(p.uri);
  }
  return std::nullopt;
}

}  // namespace bulwark::trust
