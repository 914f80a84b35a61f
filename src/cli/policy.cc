// `bulwark policy test POLICY REF`: what a policy document would decide for an image, rule by
// rule — the same evaluation the registry runs (policy/evaluate.h) over facts gathered here:
//
//   findings    REF's packages matched against the local vulnerability database (as `bulwark
//               scan` does: --db, else $BULWARK_VULNDB, else <data>/vulndb.sqlite);
//   provenance  REF's signatures and the attestations the policy asks for, verified with the
//               trust flags `bulwark verify` takes; without them nothing is verified and
//               provenance rules fail saying so;
//   layers, labels, annotations  from each platform's manifest and image config.
//
// REF names an image on a registry (docker://HOST/REPO:TAG|@DIGEST, docker:// optional); the
// repository the policy's patterns see is REPO (without the host). An index is judged platform
// by platform, each with the index's signatures. --production judges as a production project
// does (block_in_production blocks).
//
// Output: a table per platform, or -o json: decision_to_json plus "image", "digest" and
// "platform" (an index: {"image", "digest", "outcome", "platforms": [...]}). Exit status: 0
// allow or flag, 1 block, 2 usage or operational error.
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>

#include "cli/commands.h"
#include "cli/registry_store.h"
#include "cli/source_flags.h"
#include "cli/trust_flags.h"
#include "cli/vulndb_path.h"
#include "common/clock.h"
#include "common/strict_json.h"
#include "policy/evaluate.h"
#include "scan/walker.h"
#include "trust/image_verify.h"
#include "vulndb/match.h"
#include "vulndb/store.h"

namespace bulwark::cli {
namespace {

namespace json = boost::json;

constexpr uint64_t kMaxDocumentBytes = 8 << 20;  // manifests and image configs read whole

struct PolicyTestFlags {
  std::string policy_file;
  SourceFlags source;
  TrustFlags trust;
  std::string output = "table";
  std::string data;
  std::string db;
  bool production = false;
};

int error(const std::string& message) {
  std::cerr << "bulwark policy test: " << message << "\n";
  return kExitError;
}

Result<policy::PolicyDocument> load_policy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::kNotFound, "cannot read the policy " + path);
  std::stringstream text;
  text << in.rdbuf();
  auto doc = policy::parse_policy(text.str());
  if (!doc) return fail(doc.error().code, path + ": " + doc.error().message);
  return doc;
}

// The verified entries of `results` as policy facts.
void add_verified(const std::vector<trust::SignatureResult>& results,
                  std::vector<policy::SignerFact>& out) {
  for (const trust::SignatureResult& r : results) {
    if (!r.verdict.verified()) continue;
    out.push_back({std::string(trust::signature_format_name(r.format)), r.verdict.signer,
                   r.verdict.issuer, r.predicate_type});
  }
}

// Signatures and the attestations the applicable provenance rules require, verified.
Result<policy::ProvenanceFacts> provenance_facts(const PolicyTestFlags& flags,
                                                 const policy::PolicyDocument& doc,
                                                 const ResolvedImage& image,
                                                 const std::string& repository) {
  policy::ProvenanceFacts facts;
  facts.known = true;
  if (!flags.trust.any()) {
    facts.unsigned_reason =
        "not verified: no trust flags given (--key, --certificate-identity[-regexp] with "
        "--certificate-oidc-issuer[-regexp], or --trust-policy with --trust-store)";
    return facts;
  }
  BULWARK_ASSIGN_OR_RETURN(trust::ImageTrust trust, image_trust(flags.trust));
  BULWARK_ASSIGN_OR_RETURN(trust::FoundSignatures found,
                           trust::find_signatures(*image.store, image.digest));
  trust::ImageVerification v = trust::verify_image(found, image.repository, image.digest, trust);
  add_verified(v.signatures, facts.signatures);
  if (!v.signed_verified()) {
    facts.unsigned_reason = std::string(trust::reason_name(v.signature_reason()));
    if (!v.signatures.empty() && !v.signatures.front().verdict.message.empty()) {
      facts.unsigned_reason += ": " + v.signatures.front().verdict.message;
    }
  }
  std::set<std::string> types;
  for (const policy::ProvenanceRule& rule : doc.provenance) {
    if (!rule.applies_to(repository)) continue;
    for (const policy::AttestationRule& a : rule.attestations) types.insert(a.type);
  }
  for (const std::string& type : types) {
    add_verified(
        trust::verify_image(found, image.repository, image.digest, trust, type).attestations,
        facts.attestations);
  }
  return facts;
}

std::map<std::string, std::string> string_map(const json::value* v) {
  std::map<std::string, std::string> out;
  if (v == nullptr || !v->is_object()) return out;
  for (const auto& [key, value] : v->get_object()) {
    if (value.is_string()) out.emplace(std::string(key), std::string(value.get_string()));
  }
  return out;
}

// The manifest's annotations and the image config's Labels of one platform image.
Result<void> read_labels(ResolvedImage& image, const scan::Image& platform,
                         policy::ImageFacts& facts) {
  BULWARK_ASSIGN_OR_RETURN(Digest manifest_digest, Digest::parse(platform.manifest_digest));
  BULWARK_ASSIGN_OR_RETURN(std::string manifest, image.store->manifest(manifest_digest));
  BULWARK_ASSIGN_OR_RETURN(json::value m, parse_strict_json(manifest));
  if (m.is_object()) facts.annotations = string_map(m.get_object().if_contains("annotations"));
  if (platform.config_digest.empty()) return ok();
  BULWARK_ASSIGN_OR_RETURN(Digest config_digest, Digest::parse(platform.config_digest));
  BULWARK_ASSIGN_OR_RETURN(std::string config, image.store->blob(config_digest, kMaxDocumentBytes));
  BULWARK_ASSIGN_OR_RETURN(json::value c, parse_strict_json(config));
  if (const json::value* inner = c.is_object() ? c.get_object().if_contains("config") : nullptr;
      inner != nullptr && inner->is_object()) {
    facts.labels = string_map(inner->get_object().if_contains("Labels"));
  }
  return ok();
}

policy::Finding policy_finding(const vulndb::Finding& f, int64_t now) {
  policy::Finding out;
  out.vulnerability = f.vulnerability;
  out.aliases = f.aliases;
  out.package = f.package_name;
  out.severity = policy::parse_severity(vulndb::severity_name(f.severity))
                     .value_or(policy::Severity::kUnknown);
  out.fix_available = !f.fixed_version.empty();
  out.known_exploited = f.kev;
  out.epss = f.epss;
  out.first_seen = now;  // found just now
  return out;
}

struct Judged {
  std::string platform;
  std::string digest;
  policy::ImageFacts facts;  // the decision points into it
  policy::ImageDecision decision;
};

void print_table(const std::string& name, const std::vector<std::unique_ptr<Judged>>& judged,
                 const std::string& policy_file, bool production) {
  for (const auto& j : judged) {
    std::cout << "image    " << name << " (" << j->platform
              << (name.ends_with(j->digest) ? "" : ", " + j->digest) << ")\n"
              << "policy   " << policy_file << (production ? " (production)\n" : "\n");
    size_t width = 7;
    for (const policy::RuleResult& r : j->decision.rules) width = std::max(width, r.rule.size());
    for (const policy::RuleResult& r : j->decision.rules) {
      const std::string_view outcome = policy::outcome_name(r.outcome);
      std::cout << "  " << r.rule << std::string(width + 2 - r.rule.size(), ' ') << outcome
                << std::string(7 - outcome.size(), ' ') << r.reason << "\n";
    }
    for (const policy::FindingDecision& f : j->decision.vulnerabilities.findings) {
      if (f.outcome == policy::Outcome::kAllow && !f.exception) continue;
      std::cout << "    " << f.finding->vulnerability << " " << f.finding->package << ": "
                << policy::outcome_name(f.outcome) << " (" << f.rule << ") " << f.reason << "\n";
    }
    std::cout << "decision " << policy::outcome_name(j->decision.outcome)
              << (j->decision.pending ? " (pending)" : "") << "\n";
    for (const std::string& reason : j->decision.reasons) std::cout << "  - " << reason << "\n";
  }
}

int run_policy_test(const PolicyTestFlags& flags) {
  if (flags.output != "table" && flags.output != "json") return error("-o must be table or json");
  const std::string& ref = flags.source.reference;
  if (ref.starts_with("oci:") || ref.starts_with("docker-archive:")) {
    return error(
        "REF must name an image on a registry (docker://HOST/REPO:TAG or @DIGEST): "
        "signatures are read from there");
  }
  auto doc = load_policy(flags.policy_file);
  if (!doc) return error(doc.error().message);
  auto options = source_options(flags.source);
  if (!options) return error(options.error().message);

  auto image = resolve_image(flags.source);
  if (!image) return error(image.error().message);
  // "HOST/REPO": the policy's repository patterns name REPO, as the registry stores it.
  const size_t slash = image->repository.find('/');
  const std::string repository = image->repository.substr(slash + 1);

  auto provenance = provenance_facts(flags, *doc, *image, repository);
  if (!provenance) return error(provenance.error().message);

  const std::filesystem::path db_path = vulndb_path(flags.db, flags.data);
  auto db = vulndb::VulnDb::open(db_path, /*read_only=*/true);
  if (!db) {
    return error(db.error().message + " (run `bulwark db import --db " + db_path.string() +
                 " FEED...` first)");
  }
  auto snapshot = (*db)->load_index();
  if (!snapshot) return error(db_path.string() + ": " + snapshot.error().message);
  // By digest, so the images judged are the one whose signatures were verified.
  std::string pinned = "docker://" + image->repository + "@" + image->digest.str();
  auto platforms = scan::open_images(pinned, *options);
  if (!platforms) return error(platforms.error().message);

  const policy::Context context{flags.production, unix_seconds()};
  std::vector<std::unique_ptr<Judged>> judged;
  policy::Outcome worst = policy::Outcome::kAllow;
  for (const scan::Image& platform : *platforms) {
    auto j = std::make_unique<Judged>();
    j->platform = platform.platform;
    j->digest = platform.manifest_digest;
    policy::ImageFacts& facts = j->facts;
    facts.repository = repository;
    facts.digest = platform.manifest_digest;
    facts.provenance = *provenance;
    for (const scan::LayerInfo& layer : platform.layers) facts.layers.push_back(layer.digest);
    if (auto labels = read_labels(*image, platform, facts); !labels) {
      return error(platform.platform + ": " + labels.error().message);
    }
    auto inventory = scan::inventory(platform);
    if (!inventory) return error(platform.platform + ": " + inventory.error().message);
    for (const vulndb::Finding& f :
         vulndb::match_inventory(*snapshot->index, *inventory).findings) {
      facts.findings.push_back(policy_finding(f, context.now));
    }
    facts.scanned = true;
    j->decision = policy::evaluate_image(*doc, facts, context);
    worst = std::max(worst, j->decision.outcome);
    judged.push_back(std::move(j));
  }

  const std::string name = image->repository + "@" + image->digest.str();
  if (flags.output == "json") {
    auto one = [&](const Judged& j) {
      json::object o = policy::decision_to_json(j.decision);
      o["image"] = name;
      o["digest"] = j.digest;
      o["platform"] = j.platform;
      return o;
    };
    json::object out;
    if (judged.size() == 1) {
      out = one(*judged.front());
    } else {
      json::array list;
      for (const auto& j : judged) list.emplace_back(one(*j));
      out = {{"image", name},
             {"digest", image->digest.str()},
             {"outcome", policy::outcome_name(worst)},
             {"platforms", std::move(list)}};
    }
    std::cout << json::serialize(out) << "\n";
  } else {
    print_table(name, judged, flags.policy_file, flags.production);
  }
  return worst == policy::Outcome::kBlock ? kExitDenied : kExitOk;
}

}  // namespace

Command add_policy(CLI::App& app) {
  auto flags = std::make_shared<PolicyTestFlags>();
  CLI::App* sub = app.add_subcommand("policy", "policy documents");
  sub->require_subcommand(1);
  CLI::App* test = sub->add_subcommand(
      "test", "explain, rule by rule, what a policy decides for an image on a registry");
  test->add_option("policy", flags->policy_file, "the policy document (YAML)")->required();
  test->add_option("reference", flags->source.reference,
                   "HOST/REPO:TAG|@DIGEST (docker:// optional)")
      ->required();
  test->add_flag("--production", flags->production,
                 "judge as a production project (block_in_production blocks)");
  test->add_option("-o,--output", flags->output, "table (default) or json");
  test->add_option("--data", flags->data, kDataFlagHelp);
  test->add_option("--db", flags->db, kDbFlagHelp);
  add_trust_options(test, flags->trust, /*notation=*/true);
  add_source_options(test, flags->source);
  return {sub, [flags] { return run_policy_test(*flags); }};
}

}  // namespace bulwark::cli
