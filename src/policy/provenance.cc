#include "policy/provenance.h"

#include <algorithm>
#include <set>
#include <utility>

#include "common/digest.h"
#include "common/glob.h"
#include "common/strings.h"
#include "common/strict_json.h"
#include "policy/evaluate.h"
#include "policy/parse_internal.h"
#include "trust/intoto.h"

namespace bulwark::policy {
namespace {

using internal::bad;

std::string describe_signers(const std::vector<SignerRule>& signers) {
  if (signers.empty()) return "any signer";
  std::vector<std::string> parts;
  for (const SignerRule& s : signers) parts.push_back(s.describe());
  return "[" + join(parts, ", ") + "]";
}

std::string describe_fact(const SignerFact& fact) {
  return fact.issuer.empty() ? fact.signer : fact.signer + " (issuer " + fact.issuer + ")";
}

bool signed_by(const std::vector<SignerRule>& signers, const SignerFact& fact) {
  return signers.empty() || std::any_of(signers.begin(), signers.end(),
                                        [&](const SignerRule& s) { return s.matches(fact); });
}

// Every verified signer (distinct by signer and issuer), in the order first seen.
std::vector<std::string> distinct_signers(std::span<const SignerFact> facts) {
  std::vector<std::string> out;
  std::set<std::pair<std::string, std::string>> seen;
  for (const SignerFact& f : facts) {
    if (seen.insert({f.signer, f.issuer}).second) out.push_back(describe_fact(f));
  }
  return out;
}

Result<SignerRule> signer_at(const YAML::Node& node, const std::string& path) {
  BULWARK_TRY_VOID(internal::only_keys(node, path, {"key", "identity", "issuer", "issuer_regex"}));
  SignerRule rule;
  if (node["key"].IsDefined() == node["identity"].IsDefined()) {
    return bad(path, "a signer is either a key or an identity (with issuer or issuer_regex)");
  }
  if (node["key"]) {
    BULWARK_ASSIGN_OR_RETURN(rule.key, internal::scalar(node["key"], path + ".key"));
    auto digest = Digest::parse(rule.key);
    if (!digest || digest->algorithm() != DigestAlgorithm::kSha256) {
      return bad(path + ".key", "not a key id \"sha256:<hex>\": " + quote_untrusted(rule.key));
    }
    if (node["issuer"] || node["issuer_regex"]) {
      return bad(path, "issuer and issuer_regex apply to identities, not keys");
    }
    return rule;
  }
  BULWARK_ASSIGN_OR_RETURN(rule.identity, internal::regex_at(node["identity"], path + ".identity"));
  if (node["issuer"].IsDefined() == node["issuer_regex"].IsDefined()) {
    return bad(path, "an identity needs exactly one of issuer or issuer_regex");
  }
  if (node["issuer"]) {
    BULWARK_ASSIGN_OR_RETURN(rule.issuer, internal::scalar(node["issuer"], path + ".issuer"));
    if (rule.issuer.empty()) return bad(path + ".issuer", "empty");
  } else {
    BULWARK_ASSIGN_OR_RETURN(rule.issuer_regex,
                             internal::regex_at(node["issuer_regex"], path + ".issuer_regex"));
  }
  return rule;
}

Result<std::vector<SignerRule>> signers_at(const YAML::Node& node, const std::string& path) {
  if (!node.IsSequence()) return bad(path, "expected a list");
  std::vector<SignerRule> out;
  for (size_t i = 0; i < node.size(); ++i) {
    BULWARK_ASSIGN_OR_RETURN(SignerRule s,
                             signer_at(node[i], path + "[" + std::to_string(i) + "]"));
    out.push_back(std::move(s));
  }
  return out;
}

Result<AttestationRule> attestation_at(const YAML::Node& node, const std::string& path,
                                       const std::vector<SignerRule>& default_signers) {
  BULWARK_TRY_VOID(internal::only_keys(node, path, {"type", "signers"}));
  if (!node["type"]) return bad(path + ".type", "missing");
  AttestationRule rule;
  BULWARK_ASSIGN_OR_RETURN(rule.name, internal::scalar(node["type"], path + ".type"));
  auto uri = trust::resolve_predicate_type(rule.name);
  if (!uri) {
    std::vector<std::string> known;
    for (const trust::PredicateTypeName& t : trust::known_predicate_types()) {
      if (!t.short_name.empty()) known.emplace_back(t.short_name);
    }
    return bad(path + ".type", "unknown attestation type " + quote_untrusted(rule.name) +
                                   " (a predicate type URI or one of " + join(known, ", ") + ")");
  }
  rule.type = *uri;
  if (node["signers"]) {
    BULWARK_ASSIGN_OR_RETURN(rule.signers, signers_at(node["signers"], path + ".signers"));
  } else {
    rule.signers = default_signers;
  }
  return rule;
}

}  // namespace

bool SignerRule::matches(const SignerFact& fact) const {
  if (!key.empty()) return fact.signer == key;
  if (!identity || !identity->full_match(fact.signer)) return false;
  return issuer_regex ? issuer_regex->full_match(fact.issuer) : fact.issuer == issuer;
}

std::string SignerRule::describe() const {
  if (!key.empty()) return "key " + key;
  std::string out = "identity " + (identity ? identity->source : std::string());
  if (issuer_regex) return out + " issuer_regex " + issuer_regex->source;
  return out + " issuer " + issuer;
}

bool ProvenanceRule::applies_to(std::string_view repository) const {
  return std::any_of(repositories.begin(), repositories.end(),
                     [&](const std::string& p) { return glob_match(p, repository); });
}

Check check_provenance(const ProvenanceRule& rule, std::string_view label,
                       const ProvenanceFacts& facts) {
  std::vector<SignerFact> accepted;
  for (const SignerFact& f : facts.signatures) {
    if (signed_by(rule.signers, f)) accepted.push_back(f);
  }
  const std::vector<std::string> signers = distinct_signers(accepted);
  const auto count = static_cast<int64_t>(signers.size());

  std::vector<std::string> problems;
  std::vector<std::string> found;
  if (count < rule.min_signatures) {
    std::string all = join(distinct_signers(facts.signatures), ", ");
    if (all.empty()) {
      all = "none";
      if (!facts.unsigned_reason.empty()) all += " (" + facts.unsigned_reason + ")";
    }
    problems.push_back(std::to_string(count) + " of " + std::to_string(rule.min_signatures) +
                       " required signatures from " + describe_signers(rule.signers) +
                       "; verified signers: " + all);
  } else if (rule.min_signatures > 0) {
    found.push_back(std::to_string(count) + " of " + std::to_string(rule.min_signatures) +
                    " required signatures (" + join(signers, ", ") + ")");
  }
  for (const AttestationRule& a : rule.attestations) {
    auto it = std::find_if(
        facts.attestations.begin(), facts.attestations.end(),
        [&](const SignerFact& f) { return f.predicate_type == a.type && signed_by(a.signers, f); });
    if (it != facts.attestations.end()) {
      found.push_back(a.name + " attestation signed by " + describe_fact(*it));
      continue;
    }
    std::vector<std::string> verified;
    for (const SignerFact& f : facts.attestations) {
      verified.push_back(f.predicate_type + " by " + describe_fact(f));
    }
    problems.push_back(
        "no " + a.name + " attestation" + (a.name == a.type ? "" : " (" + a.type + ")") +
        " signed by " + describe_signers(a.signers) +
        "; verified attestations: " + (verified.empty() ? "none" : join(verified, ", ")));
  }
  const std::string prefix = std::string(label) + ": ";
  if (!problems.empty()) return {false, prefix + join(problems, "; ")};
  return {true, prefix + (found.empty() ? "nothing required" : join(found, "; "))};
}

namespace internal {

Result<ProvenanceRule> parse_provenance_rule(const YAML::Node& node, const std::string& path) {
  BULWARK_TRY_VOID(only_keys(
      node, path, {"repositories", "action", "min_signatures", "signers", "attestations"}));
  ProvenanceRule rule;
  rule.action = Action::kBlock;
  if (node["repositories"]) {
    BULWARK_ASSIGN_OR_RETURN(rule.repositories,
                             strings_at(node["repositories"], path + ".repositories"));
    if (rule.repositories.empty()) return bad(path + ".repositories", "empty");
    for (const std::string& r : rule.repositories) {
      if (r.empty()) return bad(path + ".repositories", "empty pattern");
    }
  }
  if (node["action"]) {
    BULWARK_ASSIGN_OR_RETURN(rule.action, action_at(node["action"], path + ".action"));
  }
  if (node["min_signatures"]) {
    BULWARK_ASSIGN_OR_RETURN(std::string text,
                             scalar(node["min_signatures"], path + ".min_signatures"));
    size_t used = 0;
    int64_t n = -1;
    try {
      n = std::stoll(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != text.size() || n < 0 || n > 1000) {
      return bad(path + ".min_signatures", "not a count 0..1000: " + quote_untrusted(text));
    }
    rule.min_signatures = n;
  }
  if (node["signers"]) {
    BULWARK_ASSIGN_OR_RETURN(rule.signers, signers_at(node["signers"], path + ".signers"));
  }
  if (const YAML::Node list = node["attestations"]; list) {
    if (!list.IsSequence()) return bad(path + ".attestations", "expected a list");
    for (size_t i = 0; i < list.size(); ++i) {
      BULWARK_ASSIGN_OR_RETURN(
          AttestationRule a,
          attestation_at(list[i], path + ".attestations[" + std::to_string(i) + "]", rule.signers));
      rule.attestations.push_back(std::move(a));
    }
  }
  return rule;
}

}  // namespace internal
}  // namespace bulwark::policy
