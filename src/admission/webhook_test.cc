// The webhook's answers with a decider written for the test: per-image verdicts and reasons,
// JSONPatch pinning, fail-open and fail-closed, and what is recorded as deployed.
#include "admission/webhook.h"

#include <gmock/gmock.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "common/encoding.h"

namespace bulwark::admission {
namespace {

using testing::ElementsAre;
using testing::HasSubstr;
using testing::IsEmpty;
using testing::UnorderedElementsAre;

namespace json = boost::json;

const std::string kReg = "registry.example:5000";
const std::string kWeb = kReg + "/shop/web:1.4.2";
const std::string kSide = kReg + "/shop/log-shipper@sha256:" + std::string(64, '3');
const std::string kMigrate = kReg + "/shop/migrate:1.4.2";
const std::string kWebDigest = "sha256:" + std::string(64, 'a');
const std::string kMigrateDigest = "sha256:" + std::string(64, 'b');

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(ADMISSION_TESTDATA_DIR) + "/" + name);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Verdicts by image; an image without one is an error (a store failure).
class TableDecider final : public ImageDecider {
 public:
  void allow(const std::string& image, std::string digest, std::vector<std::string> reasons = {}) {
    verdicts_[image] = ImageVerdict{image, "shop/x", std::move(digest), true, std::move(reasons)};
  }
  void deny(const std::string& image, std::vector<std::string> reasons) {
    verdicts_[image] = ImageVerdict{image, "shop/x", "", false, std::move(reasons)};
  }
  Result<ImageVerdict> decide(const ImageRequest& request) override {
    std::lock_guard lock(mu_);
    requests_.push_back(request);
    auto it = verdicts_.find(request.image);
    if (it == verdicts_.end()) return fail(ErrorCode::kUnavailable, "database is locked");
    return it->second;
  }
  std::vector<ImageRequest> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, ImageVerdict> verdicts_;
  std::vector<ImageRequest> requests_;
};

class MemoryDeployments final : public metadata::DeploymentStore {
 public:
  Result<void> record_deployments(const std::vector<metadata::Deployment>& deployments,
                                  int64_t now) override {
    for (metadata::Deployment d : deployments) {
      d.first_admitted = d.last_admitted = now;
      rows.push_back(std::move(d));
    }
    return ok();
  }
  Result<std::vector<metadata::Deployment>> deployments_of(std::string_view) override {
    return rows;
  }
  std::vector<std::string> summary() const {
    std::vector<std::string> out;
    for (const auto& d : rows) {
      out.push_back(d.cluster + " " + d.namespace_name + " " + d.workload + " " + d.image + " " +
                    d.digest + " " + std::to_string(d.last_admitted));
    }
    return out;
  }
  std::vector<metadata::Deployment> rows;
};

class WebhookTest : public testing::Test {
 protected:
  WebhookTest() {
    decider_.allow(kWeb, kWebDigest);
    decider_.allow(kSide, "sha256:" + std::string(64, '3'));
    decider_.allow(kMigrate, kMigrateDigest);
  }

  json::object answer(const std::string& body, Mode mode, bool fail_open = false) {
    WebhookOptions options;
    options.cluster = "prod-eu";
    options.fail_open = fail_open;
    options.now = [] { return int64_t{1700000000}; };
    options.on_refusal = [this](std::string_view action, const std::string& workload,
                                const std::string& message) {
      refusals_.push_back(std::string(action) + " " + workload + ": " + message);
    };
    Webhook webhook(options, decider_, &deployments_);
    auto r = webhook.review(body, mode);
    if (!r) throw std::runtime_error(r.error().message);
    json::value v = json::parse(*r);
    EXPECT_EQ(v.at("apiVersion"), "admission.k8s.io/v1");
    EXPECT_EQ(v.at("kind"), "AdmissionReview");
    return v.at("response").as_object();
  }

  static std::vector<std::string> warnings(const json::object& response) {
    std::vector<std::string> out;
    if (const json::value* w = response.if_contains("warnings")) {
      for (const json::value& s : w->as_array()) out.emplace_back(s.as_string());
    }
    return out;
  }

  TableDecider decider_;
  MemoryDeployments deployments_;
  std::vector<std::string> refusals_;  // what on_refusal was told
};

TEST_F(WebhookTest, AllowsWhenEveryImageIsAllowedAndRecordsThem) {
  json::object r = answer(fixture("deployment_create.json"), Mode::kValidate);
  EXPECT_EQ(r.at("uid"), "1a8c3e2f-4b7d-4c61-9e0a-2f5d6b7c8d91");
  EXPECT_EQ(r.at("allowed"), true);
  EXPECT_FALSE(r.contains("status"));
  EXPECT_FALSE(r.contains("patch"));  // validation never patches
  EXPECT_THAT(deployments_.summary(),
              UnorderedElementsAre(
                  "prod-eu shop Deployment/web " + kWeb + " " + kWebDigest + " 1700000000",
                  "prod-eu shop Deployment/web " + kSide + " sha256:" + std::string(64, '3') +
                      " 1700000000",
                  "prod-eu shop Deployment/web " + kMigrate + " " + kMigrateDigest +
                      " 1700000000"));
  // The decider was told where each image is to run.
  auto requests = decider_.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].cluster, "prod-eu");
  EXPECT_EQ(requests[0].namespace_name, "shop");
  EXPECT_EQ(requests[0].workload, "Deployment/web");
}

TEST_F(WebhookTest, RepeatedAdmissionsAreWrittenOncePerIntervalOrWhenTheDigestChanges) {
  int64_t now = 1000;
  WebhookOptions options;
  options.record_interval_seconds = 60;
  options.now = [&now] { return now; };
  Webhook webhook(options, decider_, &deployments_);
  const std::string body = fixture("deployment_create.json");
  ASSERT_TRUE(webhook.review(body, Mode::kValidate));
  EXPECT_EQ(deployments_.rows.size(), 3u);
  now += 59;
  ASSERT_TRUE(webhook.review(body, Mode::kValidate));
  EXPECT_EQ(deployments_.rows.size(), 3u);  // nothing new to say
  decider_.allow(kWeb, kMigrateDigest);     // the tag moved
  ASSERT_TRUE(webhook.review(body, Mode::kValidate));
  ASSERT_EQ(deployments_.rows.size(), 4u);
  EXPECT_EQ(deployments_.rows.back().image, kWeb);
  EXPECT_EQ(deployments_.rows.back().digest, kMigrateDigest);
  now += 1;  // the interval is over for the other two
  ASSERT_TRUE(webhook.review(body, Mode::kValidate));
  EXPECT_EQ(deployments_.rows.size(), 6u);
  EXPECT_EQ(deployments_.rows.back().last_admitted, 1060);
}

TEST_F(WebhookTest, DeniesWithEachDeniedImageAndItsReasons) {
  decider_.deny(kMigrate, {"CVE-2024-3094 in xz-utils: critical, fix available (block)",
                           "decided by policy project:shop@2"});
  json::object r = answer(fixture("deployment_create.json"), Mode::kValidate);
  EXPECT_EQ(r.at("allowed"), false);
  EXPECT_EQ(r.at("status").at("code"), 403);
  const std::string message(r.at("status").at("message").as_string());
  EXPECT_THAT(message, HasSubstr("1 image of Deployment/web denied"));
  EXPECT_THAT(message, HasSubstr(kMigrate + ": CVE-2024-3094 in xz-utils: critical, fix available "
                                            "(block); decided by policy project:shop@2"));
  EXPECT_THAT(message, testing::Not(HasSubstr(kWeb)));  // allowed images are not listed
  EXPECT_THAT(deployments_.rows, IsEmpty());           // nothing runs, nothing is recorded
  // The audit trail is told: which workload, and the same message.
  ASSERT_EQ(refusals_.size(), 1u);
  EXPECT_EQ(refusals_[0], "admission.deny prod-eu/shop/Deployment/web: " + message);
}

TEST_F(WebhookTest, EveryDeniedImageIsListed) {
  decider_.deny(kWeb, {"tag 1.4.2 of shop/web not found in this registry"});
  decider_.deny(kMigrate, {"image quarantined"});
  json::object r = answer(fixture("pod_create.json"), Mode::kMutate);
  EXPECT_EQ(r.at("allowed"), false);
  const std::string message(r.at("status").at("message").as_string());
  EXPECT_THAT(message, HasSubstr("2 images of Pod/web-7d9f8b6c5- denied"));
  EXPECT_THAT(message, HasSubstr(kWeb + ": tag 1.4.2 of shop/web not found in this registry"));
  EXPECT_THAT(message, HasSubstr(kMigrate + ": image quarantined"));
  EXPECT_FALSE(r.contains("patch"));
}

TEST_F(WebhookTest, FlaggedAndForeignAllowedImagesBecomeWarnings) {
  decider_.allow(kWeb, kWebDigest, {"CVE-2023-1 in zlib: medium (flag)"});
  json::object r = answer(fixture("deployment_create.json"), Mode::kValidate);
  EXPECT_EQ(r.at("allowed"), true);
  EXPECT_THAT(warnings(r), ElementsAre(kWeb + ": CVE-2023-1 in zlib: medium (flag)"));
}

TEST_F(WebhookTest, MutatePinsTagReferencesToTheirDigests) {
  json::object r = answer(fixture("deployment_create.json"), Mode::kMutate);
  EXPECT_EQ(r.at("allowed"), true);
  EXPECT_EQ(r.at("patchType"), "JSONPatch");
  auto patch = base64_decode(r.at("patch").as_string());
  ASSERT_TRUE(patch);
  // The digest reference (log-shipper) is left alone.
  EXPECT_EQ(json::parse(*patch),
            json::parse(R"([{"op":"replace","path":"/spec/template/spec/containers/0/image","value":")" +
                        kWeb + "@" + kWebDigest + R"("},)" +
                        R"({"op":"replace","path":"/spec/template/spec/initContainers/0/image","value":")" +
                        kMigrate + "@" + kMigrateDigest + R"("}])"));
  EXPECT_THAT(deployments_.rows, IsEmpty());  // the validating call records
}

TEST_F(WebhookTest, MutatePinsEphemeralAndCronJobContainers) {
  decider_.allow(kReg + "/tools/debug:1", kWebDigest);
  json::object r = answer(fixture("pod_ephemeral_update.json"), Mode::kMutate);
  auto patch = json::parse(*base64_decode(r.at("patch").as_string())).as_array();
  ASSERT_EQ(patch.size(), 3u);
  EXPECT_EQ(patch[2].at("path"), "/spec/ephemeralContainers/0/image");
  EXPECT_EQ(patch[2].at("value").as_string(), kReg + "/tools/debug:1@" + kWebDigest);

  decider_.allow(kReg + "/batch/backup:3.1", kMigrateDigest);
  decider_.allow("busybox:1.36", "", {"not from this registry (docker.io); admission.foreign_images is allow: not evaluated"});
  r = answer(fixture("cronjob_create.json"), Mode::kMutate);
  EXPECT_EQ(r.at("allowed"), true);
  EXPECT_THAT(warnings(r), ElementsAre(HasSubstr("busybox:1.36: not from this registry")));
  patch = json::parse(*base64_decode(r.at("patch").as_string())).as_array();
  ASSERT_EQ(patch.size(), 1u);  // the foreign image has no digest to pin
  EXPECT_EQ(patch[0].at("path"), "/spec/jobTemplate/spec/template/spec/containers/0/image");
}

TEST_F(WebhookTest, FailClosedDeniesWhatCouldNotBeDecided) {
  // kReg/data/postgres:16 has no verdict: the decider fails on it.
  decider_.allow("quay.io/prometheuscommunity/postgres-exporter:v0.15.0", "");
  json::object r = answer(fixture("statefulset_update.json"), Mode::kValidate);
  EXPECT_EQ(r.at("allowed"), false);
  EXPECT_THAT(std::string(r.at("status").at("message").as_string()),
              HasSubstr(kReg + "/data/postgres:16: could not be evaluated: database is locked"));
}

TEST_F(WebhookTest, FailOpenAdmitsWithAWarning) {
  decider_.allow("quay.io/prometheuscommunity/postgres-exporter:v0.15.0", "");
  json::object r = answer(fixture("statefulset_update.json"), Mode::kValidate, /*fail_open=*/true);
  EXPECT_EQ(r.at("allowed"), true);
  EXPECT_THAT(warnings(r), ElementsAre(kReg + "/data/postgres:16: not evaluated (database is "
                                              "locked); admitted by admission.fail_open"));
  EXPECT_THAT(deployments_.rows, IsEmpty());  // neither image has a known digest
  ASSERT_EQ(refusals_.size(), 1u);
  EXPECT_THAT(refusals_[0], testing::StartsWith("admission.fail_open prod-eu/"));
}

TEST_F(WebhookTest, DryRunsAndDeletesRecordNothing) {
  EXPECT_EQ(answer(fixture("deployment_dryrun.json"), Mode::kValidate).at("allowed"), true);
  EXPECT_EQ(answer(fixture("pod_delete.json"), Mode::kValidate).at("allowed"), true);
  EXPECT_THAT(deployments_.rows, IsEmpty());
}

TEST_F(WebhookTest, KindsWithoutPodsAreAllowedWithAMessage) {
  json::object r = answer(fixture("configmap_create.json"), Mode::kValidate);
  EXPECT_EQ(r.at("allowed"), true);
  EXPECT_THAT(std::string(r.at("status").at("message").as_string()),
              HasSubstr("ConfigMap (core) carries no pod template"));
  EXPECT_THAT(decider_.requests(), IsEmpty());
}

TEST_F(WebhookTest, MalformedBodiesAreErrorsNotAnswers) {
  Webhook webhook({}, decider_, nullptr);
  auto r = webhook.review("{\"apiVersion\":", Mode::kValidate);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(r.error().message, HasSubstr("not valid JSON"));
}

TEST_F(WebhookTest, AnImageUsedTwiceIsDecidedOnce) {
  json::value v = json::parse(fixture("deployment_create.json"));
  json::array& containers =
      v.at("request").at("object").at("spec").at("template").at("spec").at("containers").as_array();
  for (int i = 0; i < 6; ++i) {
    json::object c = containers[0].as_object();
    c["name"] = "web-" + std::to_string(i);
    containers.push_back(c);
  }
  decider_.deny(kWeb, {"blocked"});
  json::object r = answer(json::serialize(v), Mode::kValidate);
  EXPECT_EQ(r.at("allowed"), false);
  EXPECT_EQ(decider_.requests().size(), 3u);  // web, log-shipper, migrate
  // ...and listed once.
  const std::string message(r.at("status").at("message").as_string());
  EXPECT_THAT(message, HasSubstr("1 image of"));
}

}  // namespace
}  // namespace bulwark::admission
