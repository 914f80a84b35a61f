#include "policy/document.h"

#include <gtest/gtest.h>

namespace bulwark::policy {
namespace {

TEST(PolicyDocument, DefaultsAreTheIssuesTable) {
  PolicyDocument d = default_policy();
  EXPECT_EQ(d.rule(Severity::kCritical).action, Action::kBlock);
  EXPECT_EQ(d.rule(Severity::kCritical).deadline_seconds, 86400);
  EXPECT_EQ(d.rule(Severity::kHigh).action, Action::kBlockInProduction);
  EXPECT_EQ(d.rule(Severity::kHigh).deadline_seconds, 7 * 86400);
  EXPECT_EQ(d.rule(Severity::kMedium).action, Action::kFlag);
  EXPECT_EQ(d.rule(Severity::kMedium).deadline_seconds, 30 * 86400);
  EXPECT_EQ(d.rule(Severity::kLow).action, Action::kInform);
  EXPECT_EQ(d.kev, Action::kBlock);
  EXPECT_FALSE(d.epss);
}

TEST(PolicyDocument, ParsesRulesExceptionsAndKeepsOmittedDefaults) {
  auto d = parse_policy(R"(
version: 1
vulnerabilities:
  high: {action: block, unfixed: flag, deadline: 3d}
  low: {action: flag}
  kev: block
  epss: {threshold: 0.25, action: block_in_production}
exceptions:
  - vulnerability: CVE-2024-1234
    justification: not reachable
    approver: alice
    expires: 2026-12-31T00:00:00Z
  - package: openssl
    justification: vendor backport
    approver: bob
    expires: 2027-01-01T12:00:00+01:00
)");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->rule(Severity::kHigh).action, Action::kBlock);
  EXPECT_EQ(d->rule(Severity::kHigh).unfixed, Action::kFlag);
  EXPECT_EQ(d->rule(Severity::kHigh).deadline_seconds, 3 * 86400);
  EXPECT_EQ(d->rule(Severity::kLow).action, Action::kFlag);
  EXPECT_EQ(d->rule(Severity::kLow).deadline_seconds, 0);
  EXPECT_EQ(d->rule(Severity::kCritical).action, Action::kBlock);  // default kept
  ASSERT_TRUE(d->epss);
  EXPECT_DOUBLE_EQ(d->epss->threshold, 0.25);
  EXPECT_EQ(d->epss->action, Action::kBlockInProduction);
  ASSERT_EQ(d->exceptions.size(), 2u);
  EXPECT_EQ(d->exceptions[0].vulnerability, "CVE-2024-1234");
  EXPECT_EQ(d->exceptions[0].expires, 1798675200);  // date -u -d 2026-12-31 +%s
  EXPECT_EQ(d->exceptions[1].package, "openssl");
  EXPECT_EQ(d->exceptions[1].expires, 1798801200);  // date -u -d '2027-01-01 11:00' +%s
}

TEST(PolicyDocument, KevCanBeSwitchedOff) {
  auto d = parse_policy("version: 1\nvulnerabilities:\n  kev: none\n");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_FALSE(d->kev);
}

TEST(PolicyDocument, RefusesMistakesNamingTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {"vulnerabilities: {}", "version: missing"},
      {"version: 2", "version: unsupported"},
      {"version: 1\nvulnerabilty: {}", "vulnerabilty: unknown key"},
      {"version: 1\nvulnerabilities:\n  high: {action: stop}",
       "vulnerabilities.high.action: unknown action"},
      {"version: 1\nvulnerabilities:\n  severe: {action: block}",
       "vulnerabilities.severe: unknown key"},
      {"version: 1\nvulnerabilities:\n  high: {deadline: soon}", "vulnerabilities.high.deadline"},
      {"version: 1\nvulnerabilities:\n  epss: {threshold: 1.5}", "vulnerabilities.epss.threshold"},
      {"version: 1\nvulnerabilities:\n  epss: {action: block}",
       "vulnerabilities.epss.threshold: missing"},
      {"version: 1\nexceptions: {}", "exceptions: expected a list"},
      {"version: 1\nexceptions:\n  - {justification: x, approver: a, expires: "
       "2026-01-01T00:00:00Z}",
       "names a vulnerability, a package"},
      {"version: 1\nexceptions:\n  - {vulnerability: CVE-1, approver: a, expires: "
       "2026-01-01T00:00:00Z}",
       "exceptions[0].justification: missing"},
      {"version: 1\nexceptions:\n  - {vulnerability: CVE-1, justification: x, approver: a}",
       "exceptions[0].expires: missing"},
      {"version: 1\nexceptions:\n  - {vulnerability: CVE-1, justification: x, approver: a, "
       "expires: tomorrow}",
       "exceptions[0].expires"},
      {"version: 1\n  - : [", "not YAML"},
  };
  for (const auto& [text, expected] : cases) {
    auto d = parse_policy(text);
    ASSERT_FALSE(d) << text;
    EXPECT_EQ(d.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(d.error().message.find(expected), std::string::npos)
        << text << " -> " << d.error().message;
  }
}

const std::string kKey = "sha256:" + std::string(64, 'a');
const std::string kLayer = "sha256:" + std::string(64, '1');

TEST(PolicyDocument, ParsesProvenanceBaseImagesLabelsAndPending) {
  auto d = parse_policy("version: 1\n"
                        "provenance:\n"
                        "  - repositories: [prod/*, 'release/*']\n"
                        "    action: block_in_production\n"
                        "    min_signatures: 2\n"
                        "    signers:\n"
                        "      - key: " + kKey + "\n"
                        "      - identity: '^https://github.com/acme/.*$'\n"
                        "        issuer: https://token.actions.githubusercontent.com\n"
                        "      - {identity: '.*', issuer_regex: 'https://.*'}\n"
                        "    attestations:\n"
                        "      - type: slsaprovenance\n"
                        "      - {type: 'https://example.com/custom/v1', signers: []}\n"
                        "  - {}\n"
                        "base_images:\n"
                        "  approved:\n"
                        "    - {name: debian-12, layers: [" + kLayer + "]}\n"
                        "labels:\n"
                        "  - {name: team, in: annotation, required: false, pattern: '[a-z]+', "
                        "action: block}\n"
                        "  - name: org.opencontainers.image.source\n"
                        "pending: {wait: 2m}\n");
  ASSERT_TRUE(d) << d.error().message;
  ASSERT_EQ(d->provenance.size(), 2u);
  const ProvenanceRule& p = d->provenance[0];
  EXPECT_EQ(p.repositories, (std::vector<std::string>{"prod/*", "release/*"}));
  EXPECT_EQ(p.action, Action::kBlockInProduction);
  EXPECT_EQ(p.min_signatures, 2);
  ASSERT_EQ(p.signers.size(), 3u);
  EXPECT_EQ(p.signers[0].key, kKey);
  ASSERT_TRUE(p.signers[1].identity);
  EXPECT_EQ(p.signers[1].issuer, "https://token.actions.githubusercontent.com");
  EXPECT_TRUE(p.signers[2].issuer_regex);
  ASSERT_EQ(p.attestations.size(), 2u);
  EXPECT_EQ(p.attestations[0].type, "https://slsa.dev/provenance/v0.2");
  EXPECT_EQ(p.attestations[0].signers.size(), 3u);  // the rule's signers by default
  EXPECT_EQ(p.attestations[1].type, "https://example.com/custom/v1");
  EXPECT_TRUE(p.attestations[1].signers.empty());  // explicitly any signer
  // Defaults of an empty rule.
  const ProvenanceRule& q = d->provenance[1];
  EXPECT_EQ(q.repositories, std::vector<std::string>{"*"});
  EXPECT_EQ(q.action, Action::kBlock);
  EXPECT_EQ(q.min_signatures, 1);
  EXPECT_TRUE(q.signers.empty());
  ASSERT_TRUE(d->base_images);
  EXPECT_EQ(d->base_images->action, Action::kFlag);
  ASSERT_EQ(d->base_images->approved.size(), 1u);
  EXPECT_EQ(d->base_images->approved[0].layers, std::vector<std::string>{kLayer});
  ASSERT_EQ(d->labels.size(), 2u);
  EXPECT_EQ(d->labels[0].in, LabelPlace::kAnnotation);
  EXPECT_FALSE(d->labels[0].required);
  EXPECT_EQ(d->labels[0].action, Action::kBlock);
  EXPECT_EQ(d->labels[1].in, LabelPlace::kAny);
  EXPECT_TRUE(d->labels[1].required);
  EXPECT_FALSE(d->labels[1].pattern);
  EXPECT_EQ(d->labels[1].action, Action::kFlag);
  ASSERT_TRUE(d->pending.has_value());
  EXPECT_EQ(d->pending->mode, PendingRule::Mode::kWait);
  EXPECT_EQ(d->pending->wait_seconds, 120);
}

TEST(PolicyDocument, PendingModes) {
  struct Row {
    const char* text;
    PendingRule::Mode mode;
    int64_t wait;
  };
  // Without the key the default depends on the project (evaluate.cc): nothing is stored.
  auto unset = parse_policy("version: 1\n");
  ASSERT_TRUE(unset);
  EXPECT_FALSE(unset->pending.has_value());
  for (const Row& r : {Row{"version: 1\npending: block\n", PendingRule::Mode::kBlock, 0},
                       Row{"version: 1\npending: allow\n", PendingRule::Mode::kAllow, 0},
                       Row{"version: 1\npending: {wait: 30s}\n", PendingRule::Mode::kWait, 30},
                       Row{"version: 1\npending: {wait: 90}\n", PendingRule::Mode::kWait, 90}}) {
    auto d = parse_policy(r.text);
    ASSERT_TRUE(d) << r.text << d.error().message;
    ASSERT_TRUE(d->pending.has_value()) << r.text;
    EXPECT_EQ(d->pending->mode, r.mode) << r.text;
    EXPECT_EQ(d->pending->wait_seconds, r.wait) << r.text;
  }
}

TEST(PolicyDocument, RefusesMistakesInTheNewSections) {
  const std::string k = "{key: " + kKey + "}";
  const std::pair<std::string, const char*> cases[] = {
      {"provenance: {}", "provenance: expected a list"},
      {"provenance:\n  - {repository: x}", "provenance[0].repository: unknown key"},
      {"provenance:\n  - {action: deny}", "provenance[0].action: unknown action"},
      {"provenance:\n  - {repositories: []}", "provenance[0].repositories: empty"},
      {"provenance:\n  - {min_signatures: two}", "provenance[0].min_signatures: not a count"},
      {"provenance:\n  - {min_signatures: -1}", "provenance[0].min_signatures: not a count"},
      {"provenance:\n  - {signers: [{key: abc}]}", "provenance[0].signers[0].key: not a key id"},
      {"provenance:\n  - {signers: [{key: " + kKey + ", identity: x, issuer: y}]}",
       "provenance[0].signers[0]: a signer is either a key or an identity"},
      {"provenance:\n  - {signers: [{}]}", "provenance[0].signers[0]: a signer is either"},
      {"provenance:\n  - {signers: [{identity: x}]}",
       "provenance[0].signers[0]: an identity needs exactly one of issuer or issuer_regex"},
      {"provenance:\n  - {signers: [{identity: x, issuer: a, issuer_regex: b}]}",
       "an identity needs exactly one"},
      {"provenance:\n  - {signers: [{identity: '(unclosed', issuer: a}]}",
       "provenance[0].signers[0].identity: bad regular expression \"(unclosed\""},
      {"provenance:\n  - {signers: [{identity: a, issuer_regex: '[z-a]'}]}",
       "provenance[0].signers[0].issuer_regex: bad regular expression"},
      {"provenance:\n  - {signers: [" + k + "], attestations: [{type: sbom}]}",
       "provenance[0].attestations[0].type: unknown attestation type \"sbom\""},
      {"provenance:\n  - {attestations: [{signers: []}]}",
       "provenance[0].attestations[0].type: missing"},
      {"provenance:\n  - {attestations: [{type: cyclonedx, signer: []}]}",
       "provenance[0].attestations[0].signer: unknown key"},
      {"base_images: []", "base_images: expected a mapping"},
      {"base_images: {approved: []}", "base_images.approved: expected a non-empty list"},
      {"base_images: {action: flag}", "base_images.approved: missing"},
      {"base_images: {aproved: []}", "base_images.aproved: unknown key"},
      {"base_images: {approved: [{layers: [" + kLayer + "]}]}",
       "base_images.approved[0].name: missing"},
      {"base_images: {approved: [{name: x}]}", "base_images.approved[0].layers: missing"},
      {"base_images: {approved: [{name: x, layers: [sha256:12]}]}",
       "base_images.approved[0].layers[0]: not a digest"},
      {"base_images: {action: stop, approved: [{name: x, layers: [" + kLayer + "]}]}",
       "base_images.action: unknown action"},
      {"labels: {name: x}", "labels: expected a list"},
      {"labels:\n  - {in: label}", "labels[0].name: missing"},
      {"labels:\n  - {name: x, in: config}", "labels[0].in: expected label, annotation or any"},
      {"labels:\n  - {name: x, required: maybe}", "labels[0].required: expected true or false"},
      {"labels:\n  - {name: x, pattern: '*'}", "labels[0].pattern: bad regular expression"},
      {"labels:\n  - {name: x, value: y}", "labels[0].value: unknown key"},
      {"pending: maybe", "pending: expected block, allow or {wait: N}"},
      {"pending: {wait: soon}", "pending.wait: not a duration"},
      {"pending: {wait: 0}", "pending.wait: not a duration"},
      {"pending: {}", "pending.wait: missing"},
      {"pending: {wait: 5, then: block}", "pending.then: unknown key"},
  };
  for (const auto& [body, expected] : cases) {
    const std::string text = "version: 1\n" + body + "\n";
    auto d = parse_policy(text);
    ASSERT_FALSE(d) << text;
    EXPECT_EQ(d.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(d.error().message.find(expected), std::string::npos)
        << text << " -> " << d.error().message;
  }
}

}  // namespace
}  // namespace bulwark::policy
