#include "policy/evaluate.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <functional>

#include "common/strict_json.h"

namespace bulwark::policy {
namespace {

constexpr int64_t kNow = 1'800'000'000;
constexpr int64_t kDay = 86400;

// Key ids and layer digests: "sha256:" and 64 copies of one hex digit.
std::string key(char c) { return "sha256:" + std::string(64, c); }
const std::string kKeyA = key('a'), kKeyB = key('b'), kKeyC = key('c');
const std::string kL1 = key('1'), kL2 = key('2'), kL3 = key('3');
const std::string kGithub = "https://token.actions.githubusercontent.com";
const std::string kRelease =
    "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1";
const std::string kSlsa = "https://slsa.dev/provenance/v0.2";  // cosign's slsaprovenance
const std::string kCycloneDx = "https://cyclonedx.org/bom";    // cosign's cyclonedx

SignerFact signature(std::string signer, std::string issuer = "") {
  return {"cosign", std::move(signer), std::move(issuer), ""};
}
SignerFact attestation(std::string signer, std::string type) {
  return {"cosign", std::move(signer), "", std::move(type)};
}

Finding finding(std::string id, Severity s) {
  Finding f;
  f.vulnerability = std::move(id);
  f.package = "libfoo";
  f.severity = s;
  f.fix_available = true;
  f.first_seen = kNow - kDay / 2;
  return f;
}

// A scanned, verified, unsigned, unlabelled single-platform image in prod/app.
ImageFacts base_facts() {
  ImageFacts f;
  f.repository = "prod/app";
  f.digest = key('d');
  f.scanned = true;
  f.provenance.known = true;
  f.layers = {kL1, kL2};
  return f;
}

PolicyDocument policy(const std::string& yaml) {
  auto p = parse_policy("version: 1\n" + yaml);
  EXPECT_TRUE(p) << yaml << " -> " << p.error().message;
  return p ? std::move(*p) : default_policy();
}

const RuleResult* find_rule(const ImageDecision& d, std::string_view name) {
  for (const RuleResult& r : d.rules) {
    if (r.rule == name) return &r;
  }
  return nullptr;
}

struct Case {
  const char* name;
  const char* yaml;  // after "version: 1"
  std::function<void(ImageFacts&)> facts;
  bool production;
  Outcome outcome;
  std::vector<std::string> reasons;  // substrings expected among the decision's reasons
};

void run(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ImageFacts facts = base_facts();
    if (c.facts) c.facts(facts);
    const ImageDecision d = evaluate_image(policy(c.yaml), facts, {c.production, kNow});
    std::string all;
    for (const RuleResult& r : d.rules) {
      all += "\n  " + r.rule + " " + std::string(outcome_name(r.outcome)) + ": " + r.reason;
    }
    EXPECT_EQ(outcome_name(d.outcome), outcome_name(c.outcome)) << all;
    if (c.outcome == Outcome::kAllow) {
      EXPECT_TRUE(d.reasons.empty()) << all;
    }
    EXPECT_EQ(d.reasons.empty(), c.reasons.empty()) << all;
    for (const std::string& expected : c.reasons) {
      bool found = false;
      for (const std::string& r : d.reasons) found = found || r.find(expected) != std::string::npos;
      EXPECT_TRUE(found) << "no reason contains: " << expected << all;
    }
  }
}

TEST(EvaluateImage, ProvenanceSigners) {
  const char* keyed =
      "provenance:\n  - signers: [{key: "
      "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}]\n";
  const char* identity =
      "provenance:\n  - repositories: [prod/*]\n    signers:\n"
      "      - {identity: '^https://github.com/acme/.*$', issuer: "
      "https://token.actions.githubusercontent.com}\n";
  run({
      {"key matches",
       keyed,
       [](ImageFacts& f) { f.provenance.signatures = {signature(kKeyA)}; },
       false,
       Outcome::kAllow,
       {}},
      {"another key",
       keyed,
       [](ImageFacts& f) { f.provenance.signatures = {signature(kKeyB)}; },
       false,
       Outcome::kBlock,
       {"provenance[0] (*): 0 of 1 required signatures from [key " + kKeyA +
        "]; verified signers: " + kKeyB + " (block)"}},
      {"no signature at all",
       keyed,
       [](ImageFacts& f) { f.provenance.unsigned_reason = "no_signature: no cosign signature"; },
       false,
       Outcome::kBlock,
       {"verified signers: none (no_signature: no cosign signature)"}},
      {"identity and issuer match",
       identity,
       [](ImageFacts& f) { f.provenance.signatures = {signature(kRelease, kGithub)}; },
       false,
       Outcome::kAllow,
       {}},
      {"identity matches, issuer does not",
       identity,
       [](ImageFacts& f) {
         f.provenance.signatures = {signature(kRelease, "https://issuer.example")};
       },
       false,
       Outcome::kBlock,
       {"0 of 1 required signatures"}},
      {"identity of another organisation",
       identity,
       [](ImageFacts& f) {
         f.provenance.signatures = {signature(
             "https://github.com/evil/app/.github/workflows/x.yml@refs/heads/main", kGithub)};
       },
       false,
       Outcome::kBlock,
       {"0 of 1"}},
      // The brief's example: an identity required, only a key signed.
      {"key signature where an identity is required",
       identity,
       [](ImageFacts& f) { f.provenance.signatures = {signature(kKeyA)}; },
       false,
       Outcome::kBlock,
       {"provenance[0] (prod/*): 0 of 1 required signatures from [identity "
        "^https://github.com/acme/.*$ issuer https://token.actions.githubusercontent.com]; "
        "verified signers: " +
        kKeyA + " (block)"}},
      // Regular expressions match the whole SAN, not a part of it.
      {"identity is a full match",
       "provenance:\n  - signers: [{identity: 'https://github.com/acme/.*', issuer_regex: "
       "'https://token\\.actions\\..*'}]\n",
       [](ImageFacts& f) { f.provenance.signatures = {signature("x" + kRelease, kGithub)}; },
       false,
       Outcome::kBlock,
       {"0 of 1"}},
      {"issuer_regex matches",
       "provenance:\n  - signers: [{identity: 'https://github.com/acme/.*', issuer_regex: "
       "'https://token\\.actions\\..*'}]\n",
       [](ImageFacts& f) { f.provenance.signatures = {signature(kRelease, kGithub)}; },
       false,
       Outcome::kAllow,
       {}},
      {"no signers listed: any verified signature",
       "provenance:\n  - action: block\n",
       [](ImageFacts& f) { f.provenance.signatures = {signature(kKeyC)}; },
       false,
       Outcome::kAllow,
       {}},
      {"no signers listed, none verified",
       "provenance:\n  - action: block\n",
       nullptr,
       false,
       Outcome::kBlock,
       {"0 of 1 required signatures from any signer; verified signers: none"}},
  });
}

TEST(EvaluateImage, ProvenanceCountsDistinctSigners) {
  const std::string two_keys = "provenance:\n  - min_signatures: 2\n    signers: [{key: " + kKeyA +
                               "}, {key: " + kKeyB + "}]\n";
  run({
      {"one key signed twice",
       two_keys.c_str(),
       [](ImageFacts& f) {
         f.provenance.signatures = {signature(kKeyA), signature(kKeyA)};
         f.provenance.signatures[1].format = "sigstore-bundle";
       },
       false,
       Outcome::kBlock,
       {"1 of 2 required signatures"}},
      {"two required keys",
       two_keys.c_str(),
       [](ImageFacts& f) {
         f.provenance.signatures = {signature(kKeyB), signature(kKeyA)};
       },
       false,
       Outcome::kAllow,
       {}},
      {"second signer not among the required",
       two_keys.c_str(),
       [](ImageFacts& f) {
         f.provenance.signatures = {signature(kKeyA), signature(kKeyC)};
       },
       false,
       Outcome::kBlock,
       {"1 of 2 required signatures", "verified signers: " + kKeyA + ", " + kKeyC}},
      {"two identities matching one signer rule",
       "provenance:\n  - min_signatures: 2\n    signers: [{identity: 'https://github.com/acme/.*', "
       "issuer: https://token.actions.githubusercontent.com}]\n",
       [](ImageFacts& f) {
         f.provenance.signatures = {
             signature(kRelease, kGithub),
             signature("https://github.com/acme/ops/.github/workflows/sign.yml@refs/heads/main",
                       kGithub)};
       },
       false,
       Outcome::kAllow,
       {}},
  });
}

TEST(EvaluateImage, ProvenanceAttestations) {
  const std::string slsa_by_a =
      "provenance:\n  - min_signatures: 0\n    attestations:\n"
      "      - {type: slsaprovenance, signers: [{key: " +
      kKeyA + "}]}\n";
  const std::string inherits =
      "provenance:\n  - signers: [{key: " + kKeyA + "}]\n    attestations: [{type: cyclonedx}]\n";
  run({
      {"required attestation signed by its signer",
       slsa_by_a.c_str(),
       [](ImageFacts& f) { f.provenance.attestations = {attestation(kKeyA, kSlsa)}; },
       false,
       Outcome::kAllow,
       {}},
      {"attestation by another signer",
       slsa_by_a.c_str(),
       [](ImageFacts& f) { f.provenance.attestations = {attestation(kKeyB, kSlsa)}; },
       false,
       Outcome::kBlock,
       {"no slsaprovenance attestation (" + kSlsa + ") signed by [key " + kKeyA +
        "]; verified attestations: " + kSlsa + " by " + kKeyB}},
      {"attestation of another type",
       slsa_by_a.c_str(),
       [](ImageFacts& f) { f.provenance.attestations = {attestation(kKeyA, kCycloneDx)}; },
       false,
       Outcome::kBlock,
       {"no slsaprovenance attestation"}},
      {"attestation signers default to the rule's",
       inherits.c_str(),
       [](ImageFacts& f) {
         f.provenance.signatures = {signature(kKeyA)};
         f.provenance.attestations = {attestation(kKeyB, kCycloneDx)};
       },
       false,
       Outcome::kBlock,
       {"no cyclonedx attestation (" + kCycloneDx + ") signed by [key " + kKeyA}},
      {"attestation and signature by the rule's signer",
       inherits.c_str(),
       [](ImageFacts& f) {
         f.provenance.signatures = {signature(kKeyA)};
         f.provenance.attestations = {attestation(kKeyA, kCycloneDx)};
       },
       false,
       Outcome::kAllow,
       {}},
  });
}

TEST(EvaluateImage, ProvenanceRepositoriesAndActions) {
  const char* prod_only = "provenance:\n  - repositories: [prod/*]\n";
  run({
      {"pattern does not match: rule does not apply",
       prod_only,
       [](ImageFacts& f) { f.repository = "dev/app"; },
       true,
       Outcome::kAllow,
       {}},
      {"'*' crosses '/'",
       prod_only,
       [](ImageFacts& f) { f.repository = "prod/team/app"; },
       false,
       Outcome::kBlock,
       {"provenance[0] (prod/*): 0 of 1"}},
      {"flag action", "provenance:\n  - action: flag\n", nullptr, true, Outcome::kFlag, {"(flag)"}},
      {"block_in_production outside production",
       "provenance:\n  - action: block_in_production\n",
       nullptr,
       false,
       Outcome::kFlag,
       {"(block_in_production); blocks in production only"}},
      {"block_in_production in production",
       "provenance:\n  - action: block_in_production\n",
       nullptr,
       true,
       Outcome::kBlock,
       {"(block_in_production)"}},
      {"every matching rule applies",
       "provenance:\n  - repositories: ['*']\n  - repositories: [prod/*]\n    min_signatures: 2\n",
       [](ImageFacts& f) { f.provenance.signatures = {signature(kKeyA)}; },
       false,
       Outcome::kBlock,
       {"provenance[1] (prod/*): 1 of 2"}},
  });
  // Rules that do not apply are not listed; those that do are, in document order.
  ImageFacts facts = base_facts();
  facts.repository = "dev/app";
  auto d = evaluate_image(policy("provenance:\n  - repositories: [prod/*]\n  - {}\n"), facts,
                          {false, kNow});
  EXPECT_EQ(find_rule(d, "provenance[0]"), nullptr);
  ASSERT_NE(find_rule(d, "provenance[1]"), nullptr);
  EXPECT_EQ(find_rule(d, "provenance[1]")->outcome, Outcome::kBlock);
}

TEST(EvaluateImage, BaseImages) {
  const std::string approved = "base_images:\n  approved:\n    - {name: debian-12, layers: [" +
                               kL1 + "]}\n    - {name: alpine-3.20, layers: [" + kL3 + ", " + kL2 +
                               "]}\n";
  const std::string blocking =
      "base_images:\n  action: block\n  approved:\n"
      "    - {name: two-layer, layers: [" +
      kL1 + ", " + kL2 + "]}\n";
  run({
      {"lowest layer is an approved base", approved.c_str(), nullptr, true, Outcome::kAllow, {}},
      {"two-layer base as a prefix",
       approved.c_str(),
       [](ImageFacts& f) {
         f.layers = {kL3, kL2, kL1};
       },
       true,
       Outcome::kAllow,
       {}},
      {"unknown base is flagged",
       approved.c_str(),
       [](ImageFacts& f) {
         f.layers = {kL2, kL1};
       },
       true,
       Outcome::kFlag,
       {"base_images: lowest layer " + kL2 +
        " matches no approved base image (approved: debian-12, alpine-3.20) (flag)"}},
      {"only the first layer of a two-layer base",
       approved.c_str(),
       [](ImageFacts& f) { f.layers = {kL3}; },
       false,
       Outcome::kFlag,
       {"matches no approved"}},
      {"index is not judged",
       blocking.c_str(),
       [](ImageFacts& f) { f.layers.clear(); },
       true,
       Outcome::kAllow,
       {}},
      {"layers in another order",
       blocking.c_str(),
       [](ImageFacts& f) {
         f.layers = {kL2, kL1};
       },
       false,
       Outcome::kBlock,
       {"lowest layer " + kL2}},
      {"block action, matching",
       blocking.c_str(),
       [](ImageFacts& f) {
         f.layers = {kL1, kL2, kL3};
       },
       false,
       Outcome::kAllow,
       {}},
  });
  ImageFacts index = base_facts();
  index.layers.clear();
  auto d = evaluate_image(policy(blocking), index, {true, kNow});
  ASSERT_NE(find_rule(d, "base_images"), nullptr);
  EXPECT_NE(find_rule(d, "base_images")->reason.find("not judged"), std::string::npos);
  d = evaluate_image(policy(approved), base_facts(), {true, kNow});
  EXPECT_NE(find_rule(d, "base_images")->reason.find("built on debian-12"), std::string::npos);
}

TEST(EvaluateImage, Labels) {
  const char* source = "labels:\n  - name: org.opencontainers.image.source\n";
  const char* pattern =
      "labels:\n  - name: org.opencontainers.image.source\n    pattern: "
      "'https://github.com/acme/.*'\n";
  run({
      {"required and missing",
       source,
       nullptr,
       false,
       Outcome::kFlag,
       {"labels[0]: required label or annotation org.opencontainers.image.source missing (flag)"}},
      {"present as a label",
       source,
       [](ImageFacts& f) { f.labels["org.opencontainers.image.source"] = "x"; },
       false,
       Outcome::kAllow,
       {}},
      {"present as an annotation",
       source,
       [](ImageFacts& f) { f.annotations["org.opencontainers.image.source"] = "x"; },
       false,
       Outcome::kAllow,
       {}},
      {"in: annotation ignores labels",
       "labels:\n  - {name: team, in: annotation, action: block}\n",
       [](ImageFacts& f) { f.labels["team"] = "payments"; },
       false,
       Outcome::kBlock,
       {"labels[0]: required annotation team missing (block)"}},
      {"in: label ignores annotations",
       "labels:\n  - {name: team, in: label}\n",
       [](ImageFacts& f) { f.annotations["team"] = "payments"; },
       false,
       Outcome::kFlag,
       {"required label team missing"}},
      {"in: label, present",
       "labels:\n  - {name: team, in: label}\n",
       [](ImageFacts& f) { f.labels["team"] = "payments"; },
       false,
       Outcome::kAllow,
       {}},
      {"pattern matches",
       pattern,
       [](ImageFacts& f) {
         f.labels["org.opencontainers.image.source"] = "https://github.com/acme/app";
       },
       false,
       Outcome::kAllow,
       {}},
      {"pattern must match the whole value",
       pattern,
       [](ImageFacts& f) {
         f.labels["org.opencontainers.image.source"] = "git+https://github.com/acme/app";
       },
       false,
       Outcome::kFlag,
       {"labels[0]: label org.opencontainers.image.source = \"git+https://github.com/acme/app\" "
        "does not match https://github.com/acme/.*"}},
      {"in: any, the annotation matches",
       pattern,
       [](ImageFacts& f) {
         f.labels["org.opencontainers.image.source"] = "http://evil.example";
         f.annotations["org.opencontainers.image.source"] = "https://github.com/acme/app";
       },
       false,
       Outcome::kAllow,
       {}},
      {"optional and absent",
       "labels:\n  - {name: team, required: false, pattern: 'a+'}\n",
       nullptr,
       false,
       Outcome::kAllow,
       {}},
      {"optional, present, wrong",
       "labels:\n  - {name: team, required: false, pattern: 'a+'}\n",
       [](ImageFacts& f) { f.labels["team"] = "b"; },
       false,
       Outcome::kFlag,
       {"label team = \"b\" does not match a+"}},
  });
}

TEST(EvaluateImage, PendingFacts) {
  auto unscanned = [](ImageFacts& f) { f.scanned = false; };
  auto unverified = [](ImageFacts& f) { f.provenance.known = false; };
  run({
      {"scan pending, default in production: block",
       "",
       unscanned,
       true,
       Outcome::kBlock,
       {"pending: the vulnerability scan not finished; blocked until known (default in production)"}},
      {"scan pending, default elsewhere: flag",
       "",
       unscanned,
       false,
       Outcome::kFlag,
       {"pending: the vulnerability scan not finished; let through meanwhile outside production"}},
      {"scan pending, block everywhere",
       "pending: block\n",
       unscanned,
       false,
       Outcome::kBlock,
       {"pending: the vulnerability scan not finished; blocked until known (pending: block)"}},
      {"scan pending, allow", "pending: allow\n", unscanned, true, Outcome::kAllow, {}},
      {"scan pending, wait",
       "pending: {wait: 30s}\n",
       unscanned,
       false,
       Outcome::kBlock,
       {"wait up to 30s"}},
      {"verification pending where a provenance rule applies",
       "pending: block\nprovenance:\n  - repositories: [prod/*]\n",
       unverified,
       false,
       Outcome::kBlock,
       {"pending: signature verification not finished"}},
      {"verification pending, provenance rule does not apply",
       "provenance:\n  - repositories: [other/*]\n",
       unverified,
       false,
       Outcome::kAllow,
       {}},
      {"verification pending, no provenance rules", "", unverified, false, Outcome::kAllow, {}},
      {"allow while pending, provenance not judged",
       "pending: allow\nprovenance:\n  - {}\n",
       unverified,
       true,
       Outcome::kAllow,
       {}},
      {"allow while pending does not hide a known failure",
       "pending: allow\nlabels:\n  - {name: team, action: block}\n",
       unscanned,
       false,
       Outcome::kBlock,
       {"labels[0]: required label or annotation team missing"}},
      {"both pending",
       "provenance:\n  - {}\n",
       [](ImageFacts& f) {
         f.scanned = false;
         f.provenance.known = false;
       },
       true,
       Outcome::kBlock,
       {"the vulnerability scan and signature verification not finished"}},
  });
  struct Wait {
    const char* yaml;
    int64_t seconds;
  };
  for (const Wait& w : {Wait{"pending: {wait: 30s}\n", 30}, Wait{"pending: {wait: 2m}\n", 120},
                        Wait{"pending: {wait: 45}\n", 45}}) {
    ImageFacts facts = base_facts();
    facts.scanned = false;
    auto d = evaluate_image(policy(w.yaml), facts, {false, kNow});
    EXPECT_TRUE(d.pending) << w.yaml;
    ASSERT_TRUE(d.wait_seconds) << w.yaml;
    EXPECT_EQ(*d.wait_seconds, w.seconds) << w.yaml;
    EXPECT_EQ(d.outcome, Outcome::kBlock) << w.yaml;
    EXPECT_TRUE(d.vulnerabilities.findings.empty());
  }
  // Once the facts arrive, the same policy decides on them: no pending, no wait.
  auto d = evaluate_image(policy("pending: {wait: 30s}\n"), base_facts(), {false, kNow});
  EXPECT_FALSE(d.pending);
  EXPECT_FALSE(d.wait_seconds);
  EXPECT_EQ(d.outcome, Outcome::kAllow);
  EXPECT_EQ(find_rule(d, "pending"), nullptr);
  // pending: allow still reports the image as pending (the caller re-evaluates later).
  ImageFacts facts = base_facts();
  facts.scanned = false;
  d = evaluate_image(policy("pending: allow\n"), facts, {false, kNow});
  EXPECT_TRUE(d.pending);
  EXPECT_FALSE(d.wait_seconds);
}

TEST(EvaluateImage, VulnerabilitiesThroughTheWholeImage) {
  auto with = [](std::vector<Finding> findings) {
    return [findings](ImageFacts& f) { f.findings = findings; };
  };
  Finding kev = finding("CVE-2099-0002", Severity::kLow);
  kev.known_exploited = true;
  const std::string exception =
      "exceptions:\n  - {vulnerability: CVE-2099-0001, justification: "
      "not reachable, approver: alice, expires: 2027-01-16T08:00:00Z}\n";
  const std::string flags =
      "labels:\n  - {name: team}\nbase_images:\n  approved: [{name: b, "
      "layers: [" +
      kL3 + "]}]\n";
  // kNow = 2027-01-15T08:00:00Z (1'800'000'000 = 20833 days and 28800 s), so the exception
  // holds for one more day.
  run({
      {"critical blocks",
       "",
       with({finding("CVE-2099-0001", Severity::kCritical)}),
       false,
       Outcome::kBlock,
       {"CVE-2099-0001 in libfoo: critical severity, fix available (vulnerabilities.critical)"}},
      {"high flags outside production",
       "",
       with({finding("CVE-2099-0003", Severity::kHigh)}),
       false,
       Outcome::kFlag,
       {"CVE-2099-0003 in libfoo: high severity"}},
      {"high blocks in production",
       "",
       with({finding("CVE-2099-0003", Severity::kHigh)}),
       true,
       Outcome::kBlock,
       {"CVE-2099-0003"}},
      {"KEV overrides a low severity",
       "",
       with({kev}),
       false,
       Outcome::kBlock,
       {"known exploited (CISA KEV)"}},
      {"exception waives",
       exception.c_str(),
       with({finding("CVE-2099-0001", Severity::kCritical)}),
       true,
       Outcome::kAllow,
       {}},
      {"most severe rule decides, its reasons only",
       flags.c_str(),
       with({finding("CVE-2099-0001", Severity::kCritical)}),
       false,
       Outcome::kBlock,
       {"CVE-2099-0001"}},
  });
  // The exception expires on its own: a day later the same image is blocked again.
  ImageFacts facts = base_facts();
  facts.findings = {finding("CVE-2099-0001", Severity::kCritical)};
  auto d = evaluate_image(policy(exception), facts, {true, kNow + kDay});
  EXPECT_EQ(d.outcome, Outcome::kBlock);
  ASSERT_EQ(d.reasons.size(), 1u);
  // The most severe decides: a flagging label and base image do not add reasons to a block.
  d = evaluate_image(policy(flags), facts, {false, kNow});
  EXPECT_EQ(d.outcome, Outcome::kBlock);
  ASSERT_EQ(d.reasons.size(), 1u) << d.reasons.back();
  EXPECT_EQ(find_rule(d, "labels[0]")->outcome, Outcome::kFlag);
  // Without the critical finding, both flags explain the flag, in document order.
  facts.findings.clear();
  d = evaluate_image(policy(flags), facts, {false, kNow});
  EXPECT_EQ(d.outcome, Outcome::kFlag);
  ASSERT_EQ(d.reasons.size(), 2u);
  EXPECT_EQ(d.reasons[0].rfind("base_images: ", 0), 0u) << d.reasons[0];
  EXPECT_EQ(d.reasons[1].rfind("labels[0]: ", 0), 0u) << d.reasons[1];
}

TEST(EvaluateImage, DecisionJson) {
  ImageFacts facts = base_facts();
  Finding waived = finding("CVE-2099-0001", Severity::kCritical);
  Finding medium = finding("CVE-2099-0005", Severity::kMedium);
  facts.findings = {waived, medium};
  // The decision points into the policy (exceptions) and the facts (findings): both outlive it.
  const PolicyDocument with_exception = policy(
      "exceptions:\n  - {vulnerability: CVE-2099-0001, justification: not reachable, "
      "approver: alice, expires: 2027-01-16T08:00:00Z}\n");
  auto d = evaluate_image(with_exception, facts, {false, kNow});
  const std::string text = boost::json::serialize(decision_to_json(d));
  auto parsed = parse_strict_json(text);
  ASSERT_TRUE(parsed) << text;
  const auto& o = parsed->as_object();
  EXPECT_EQ(o.at("outcome").as_string(), "flag");
  EXPECT_EQ(o.at("pending").as_bool(), false);
  EXPECT_FALSE(o.contains("waitSeconds"));
  ASSERT_EQ(o.at("reasons").as_array().size(), 1u);
  const auto& rules = o.at("rules").as_array();
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].as_object().at("rule").as_string(), "vulnerabilities");
  EXPECT_EQ(rules[0].as_object().at("outcome").as_string(), "flag");
  const auto& findings = o.at("findings").as_array();
  ASSERT_EQ(findings.size(), 2u);
  const auto& f0 = findings[0].as_object();
  EXPECT_EQ(f0.at("vulnerability").as_string(), "CVE-2099-0001");
  EXPECT_EQ(f0.at("severity").as_string(), "critical");
  EXPECT_EQ(f0.at("action").as_string(), "block");
  EXPECT_EQ(f0.at("outcome").as_string(), "allow");
  EXPECT_EQ(f0.at("rule").as_string(), "vulnerabilities.critical");
  // first_seen = kNow - 12h; deadline one day later = 2027-01-15T20:00:00Z.
  EXPECT_EQ(f0.at("deadline").as_string(), "2027-01-15T20:00:00Z");
  EXPECT_EQ(f0.at("overdue").as_bool(), false);
  EXPECT_EQ(f0.at("exception").as_object().at("approver").as_string(), "alice");
  EXPECT_EQ(f0.at("exception").as_object().at("expires").as_string(), "2027-01-16T08:00:00Z");
  EXPECT_FALSE(findings[1].as_object().contains("exception"));
  EXPECT_EQ(findings[1].as_object().at("outcome").as_string(), "flag");

  facts.scanned = false;
  const PolicyDocument waiting = policy("pending: {wait: 2m}\n");
  d = evaluate_image(waiting, facts, {false, kNow});
  auto j = decision_to_json(d);
  EXPECT_EQ(j.at("outcome").as_string(), "block");
  EXPECT_EQ(j.at("pending").as_bool(), true);
  EXPECT_EQ(j.at("waitSeconds").as_int64(), 120);
  EXPECT_TRUE(j.at("findings").as_array().empty());
}

}  // namespace
}  // namespace bulwark::policy
