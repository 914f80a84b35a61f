#include "policy/enforcement.h"

#include <gtest/gtest.h>

namespace bulwark::policy {
namespace {

metadata::ImagePolicyRecord decision(std::string outcome, std::string json, bool pending = false) {
  metadata::ImagePolicyRecord r;
  r.repository = "app/web";
  r.digest = "sha256:" + std::string(64, 'a');
  r.outcome = std::move(outcome);
  r.pending = pending;
  r.decision_json = std::move(json);
  r.policy = "project:app@2";
  return r;
}

TEST(ImageStatus, ManualQuarantineWinsOverAnAllowingDecision) {
  metadata::ManualQuarantine manual{"app/web", "sha256:x", "incident 42", "alice", 1};
  ImageStatus s = image_status(decision("allow", R"({"reasons":[]})"), manual);
  EXPECT_TRUE(s.quarantined);
  EXPECT_TRUE(s.manual);
  ASSERT_EQ(s.reasons.size(), 1u);
  EXPECT_EQ(s.reasons[0], "quarantined by alice: incident 42");
  EXPECT_EQ(status_message(s), "image quarantined: quarantined by alice: incident 42");
}

TEST(ImageStatus, AnImageNeverEvaluatedIsHeldAsPending) {
  ImageStatus s = image_status(std::nullopt, std::nullopt);
  EXPECT_TRUE(s.quarantined);
  EXPECT_TRUE(s.pending);
  EXPECT_EQ(status_message(s), "image not yet cleared by policy: policy evaluation pending");
}

TEST(ImageStatus, BlockQuarantinesWithTheDecisionsReasons) {
  ImageStatus s = image_status(
      decision("block", R"({"outcome":"block","reasons":["CVE-1 in a: critical","CVE-2 in b: kev"]})"),
      std::nullopt);
  EXPECT_TRUE(s.quarantined);
  EXPECT_FALSE(s.pending);
  EXPECT_EQ(s.reasons, (std::vector<std::string>{"CVE-1 in a: critical", "CVE-2 in b: kev"}));
  EXPECT_EQ(status_message(s, 1),
            "image quarantined by policy project:app@2: CVE-1 in a: critical; and 1 more");
}

TEST(ImageStatus, FlagAndAllowPass) {
  for (const char* outcome : {"allow", "flag"}) {
    ImageStatus s = image_status(decision(outcome, R"({"reasons":["label missing"]})"), std::nullopt);
    EXPECT_FALSE(s.quarantined) << outcome;
    EXPECT_EQ(s.outcome, outcome);
  }
}

TEST(ImageStatus, PendingDecisionCarriesItsWaitTimeAndBlocksOnlyWhenItSaysBlock) {
  ImageStatus waiting = image_status(
      decision("block", R"({"pending":true,"waitSeconds":30,"reasons":["scan pending"]})", true),
      std::nullopt);
  EXPECT_TRUE(waiting.quarantined);
  EXPECT_TRUE(waiting.pending);
  EXPECT_EQ(waiting.wait_seconds, 30);
  ImageStatus allowed =
      image_status(decision("allow", R"({"pending":true,"reasons":[]})", true), std::nullopt);
  EXPECT_FALSE(allowed.quarantined);
  EXPECT_TRUE(allowed.pending);
}

TEST(ImageStatus, AnUnreadableStoredDecisionStillBlocksByItsOutcome) {
  ImageStatus s = image_status(decision("block", "{not json"), std::nullopt);
  EXPECT_TRUE(s.quarantined);
  EXPECT_EQ(s.reasons, (std::vector<std::string>{"blocked by policy"}));
}

}  // namespace
}  // namespace bulwark::policy
