#include "jobs/provenance_config.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <boost/json.hpp>

#include "common/digest.h"
#include "common/glob.h"
#include "trust/intoto.h"
#include "trust/keys.h"

namespace bulwark::jobs {
namespace {

// Bumped when verification changes what a stored status would say for the same configuration.
constexpr int kVerifierVersion = 1;
constexpr uint64_t kMaxTrustFileBytes = 8ull << 20;  // trusted roots are ~10 KiB, keys less
constexpr size_t kMaxTrustStoreFiles = 10000;

Result<std::string> read_trust_file(const std::string& file, const std::string& key) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    return fail(ErrorCode::kNotFound, "config: " + key + ": " + file + " is not a readable file");
  }
  if (std::filesystem::file_size(file, ec) > kMaxTrustFileBytes) {
    return fail(ErrorCode::kInvalidArgument, "config: " + key + ": " + file + " is too large");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(ErrorCode::kNotFound, "config: " + key + ": cannot read " + file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A loaded file as the fingerprint records it: its content's digest (its path does not matter).
std::string content_digest(std::string_view bytes) { return Digest::of(bytes).str(); }

Result<void> check_regex(const std::string& pattern, const std::string& key) {
  try {
    std::regex compiled(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return fail(ErrorCode::kInvalidArgument,
                "config: " + key + ": not a valid regular expression: " + e.what());
  }
  return ok();
}

// Every regular file under a Notation trust store directory, by relative path and content
// digest, in a stable order.
Result<boost::json::array> trust_store_files(const std::string& root, const std::string& key) {
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) {
    return fail(ErrorCode::kNotFound, "config: " + key + ": " + root + " is not a directory");
  }
  std::vector<std::filesystem::path> files;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) files.push_back(it->path());
    if (files.size() > kMaxTrustStoreFiles) {
      return fail(ErrorCode::kInvalidArgument, "config: " + key + ": too many files in " + root);
    }
  }
  if (ec) return fail(ErrorCode::kIo, "config: " + key + ": " + root + ": " + ec.message());
  std::sort(files.begin(), files.end());
  boost::json::array out;
  for (const auto& file : files) {
    BULWARK_ASSIGN_OR_RETURN(std::string bytes, read_trust_file(file.string(), key));
    out.push_back(boost::json::array{
        boost::json::string(std::filesystem::relative(file, root, ec).generic_string()),
        boost::json::string(content_digest(bytes))});
  }
  return out;
}

Result<ProvenanceRule> load_rule(const TrustRuleConfig& config, size_t index,
                                 const trust::TrustedRoot* root, boost::json::object& canonical) {
  const std::string key = "trust.rules[" + std::to_string(index) + "]";
  ProvenanceRule rule;
  rule.index = index;
  rule.repositories = config.repositories;
  boost::json::array keys;
  for (size_t i = 0; i < config.keys.size(); ++i) {
    const std::string at = key + ".keys[" + std::to_string(i) + "]";
    BULWARK_ASSIGN_OR_RETURN(std::string pem, read_trust_file(config.keys[i], at));
    auto parsed = trust::PublicKey::from_pem(pem);
    if (!parsed) {
      return fail(parsed.error().code, "config: " + at + ": " + config.keys[i] + ": " +
                                           parsed.error().message);
    }
    rule.sigstore.keys.push_back(std::move(*parsed));
    keys.push_back(boost::json::string(content_digest(pem)));
  }
  boost::json::array identities;
  for (size_t i = 0; i < config.identities.size(); ++i) {
    const std::string at = key + ".identities[" + std::to_string(i) + "]";
    const TrustIdentityConfig& id = config.identities[i];
    if (!id.identity_regexp.empty()) BULWARK_TRY_VOID(check_regex(id.identity_regexp, at));
    if (!id.issuer_regexp.empty()) BULWARK_TRY_VOID(check_regex(id.issuer_regexp, at));
    rule.sigstore.identities.push_back(
        trust::KeylessIdentity{id.identity, id.identity_regexp, id.issuer, id.issuer_regexp});
    identities.push_back(boost::json::array{boost::json::string(id.identity),
                                            boost::json::string(id.identity_regexp),
                                            boost::json::string(id.issuer),
                                            boost::json::string(id.issuer_regexp)});
  }
  if (!config.identities.empty() && root == nullptr) {
    return fail(ErrorCode::kInvalidArgument,
                "config: " + key + ": keyless identities need trust.trusted_root (Bulwark "
                "fetches nothing at verification time)");
  }
  // Key-based signatures need a Rekor entry only when asked; keyless ones unless told otherwise.
  const bool require_tlog = config.require_tlog.value_or(!config.identities.empty());
  rule.sigstore.tlog_threshold = require_tlog ? 1 : 0;
  if (!config.keys.empty()) rule.sigstore.sct_threshold = 0;
  boost::json::array attestations;
  for (const std::string& type : config.attestations) {
    auto uri = trust::resolve_predicate_type(type);
    if (!uri) {
      return fail(ErrorCode::kInvalidArgument,
                  "config: " + key + ".attestations: unknown predicate type \"" + type +
                      "\" (a cosign short name such as slsaprovenance, or a URI)");
    }
    if (std::find(rule.attestations.begin(), rule.attestations.end(), *uri) ==
        rule.attestations.end()) {
      rule.attestations.push_back(*uri);
      attestations.push_back(boost::json::string(*uri));
    }
  }
  boost::json::array patterns;
  for (const std::string& p : config.repositories) patterns.push_back(boost::json::string(p));
  canonical = boost::json::object{{"repositories", std::move(patterns)},
                                  {"keys", std::move(keys)},
                                  {"identities", std::move(identities)},
                                  {"tlog_threshold", rule.sigstore.tlog_threshold},
                                  {"sct_threshold", rule.sigstore.sct_threshold},
                                  {"attestations", std::move(attestations)}};
  return rule;
}

}  // namespace

const ProvenanceRule* ProvenanceTrust::rule_for(std::string_view repository) const {
  for (const ProvenanceRule& rule : rules) {
    for (const std::string& pattern : rule.repositories) {
      if (glob_match(pattern, repository)) return &rule;
    }
  }
  return nullptr;
}

trust::ImageTrust ProvenanceTrust::image_trust(const ProvenanceRule* rule, int64_t now) const {
  trust::ImageTrust out;
  if (rule != nullptr) out.sigstore = rule->sigstore;
  out.sigstore.now = now;
  out.root = root;
  out.notation_policy = notation_policy;
  out.notation_store = notation_store;
  out.now = now;
  return out;
}

Result<ProvenanceTrust> load_provenance_trust(const TrustConfig& config) {
  ProvenanceTrust out;
  boost::json::object canonical{{"verifier", kVerifierVersion}};
  const trust::TrustedRoot* root = nullptr;
  if (!config.trusted_root.empty()) {
    BULWARK_ASSIGN_OR_RETURN(std::string json,
                             read_trust_file(config.trusted_root, "trust.trusted_root"));
    auto parsed = trust::parse_trusted_root(json);
    if (!parsed) {
      return fail(parsed.error().code, "config: trust.trusted_root: " + config.trusted_root +
                                           ": " + parsed.error().message);
    }
    out.root = std::move(*parsed);
    root = &out.root;
    canonical["trusted_root"] = content_digest(json);
  }
  boost::json::array rules;
  for (size_t i = 0; i < config.rules.size(); ++i) {
    boost::json::object rule_canonical;
    BULWARK_ASSIGN_OR_RETURN(ProvenanceRule rule,
                             load_rule(config.rules[i], i, root, rule_canonical));
    out.rules.push_back(std::move(rule));
    rules.push_back(std::move(rule_canonical));
  }
  canonical["rules"] = std::move(rules);
  if (config.notation_trust_policy.empty() != config.notation_trust_store.empty()) {
    return fail(ErrorCode::kInvalidArgument,
                "config: trust.notation needs both trust_policy and trust_store");
  }
  if (!config.notation_trust_policy.empty()) {
    BULWARK_ASSIGN_OR_RETURN(
        std::string json,
        read_trust_file(config.notation_trust_policy, "trust.notation.trust_policy"));
    auto policy = trust::notation::TrustPolicyDocument::parse(json);
    if (!policy) {
      return fail(policy.error().code, "config: trust.notation.trust_policy: " +
                                           config.notation_trust_policy + ": " +
                                           policy.error().message);
    }
    BULWARK_ASSIGN_OR_RETURN(
        boost::json::array store_files,
        trust_store_files(config.notation_trust_store, "trust.notation.trust_store"));
    auto store = trust::notation::TrustStore::directory(config.notation_trust_store);
    // Every store the policy names must load now, not at the first verification.
    for (const trust::notation::TrustPolicy& p : policy->policies()) {
      for (const trust::notation::TrustStoreRef& ref : p.trust_stores) {
        if (auto certs = store.certificates(ref.type, ref.name); !certs) {
          return fail(certs.error().code,
                      "config: trust.notation.trust_store: store " +
                          std::string(trust::notation::store_type_name(ref.type)) + ":" + ref.name +
                          " (trust policy \"" + p.name + "\"): " + certs.error().message);
        }
      }
    }
    canonical["notation"] = boost::json::object{{"trust_policy", content_digest(json)},
                                                {"trust_store", std::move(store_files)}};
    out.notation_policy = std::move(*policy);
    out.notation_store = std::move(store);
  }
  out.fingerprint = Digest::of(boost::json::serialize(canonical)).str();
  return out;
}

}  // namespace bulwark::jobs
