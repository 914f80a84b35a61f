// AdmissionReview parsing against requests shaped as kube-apiserver sends them (testdata/), one
// per kind that carries a pod spec, and the answer's JSON.
#include "admission/review.h"

#include <gmock/gmock.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "common/encoding.h"

namespace bulwark::admission {
namespace {

using testing::ElementsAre;
using testing::HasSubstr;
using testing::IsEmpty;

constexpr char kReg[] = "registry.example:5000";

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(ADMISSION_TESTDATA_DIR) + "/" + name);
  if (!in) throw std::runtime_error("missing fixture " + name);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

AdmissionRequest parsed(const std::string& name) {
  auto r = parse_admission_review(fixture(name));
  if (!r) throw std::runtime_error(name + ": " + r.error().message);
  return *r;
}

// "list pointer image" per container image, for whole-list comparisons.
std::vector<std::string> images(const AdmissionRequest& r) {
  std::vector<std::string> out;
  for (const ContainerImage& c : r.images) {
    out.push_back(c.list + "/" + c.container + " " + c.pointer + " " + c.image);
  }
  return out;
}

std::string reg(const std::string& rest) { return std::string(kReg) + "/" + rest; }

TEST(ParseAdmissionReview, PodCreatedByAReplicaSetIsNamedByItsGenerateName) {
  AdmissionRequest r = parsed("pod_create.json");
  EXPECT_EQ(r.uid, "0df28fbd-5f5f-11e8-bc74-36e6bb280816");
  EXPECT_EQ(r.group, "");
  EXPECT_EQ(r.kind, "Pod");
  EXPECT_EQ(r.namespace_name, "shop");
  EXPECT_EQ(r.operation, "CREATE");
  EXPECT_FALSE(r.dry_run);
  EXPECT_TRUE(r.supported);
  EXPECT_EQ(r.workload(), "Pod/web-7d9f8b6c5-");
  EXPECT_THAT(images(r),
              ElementsAre("containers/web /spec/containers/0/image " + reg("shop/web:1.4.2"),
                          "containers/log-shipper /spec/containers/1/image " +
                              reg("shop/log-shipper@sha256:" + std::string(64, '3')),
                          "initContainers/migrate /spec/initContainers/0/image " +
                              reg("shop/migrate:1.4.2")));
}

TEST(ParseAdmissionReview, DeploymentTemplate) {
  AdmissionRequest r = parsed("deployment_create.json");
  EXPECT_EQ(r.group, "apps");
  EXPECT_EQ(r.workload(), "Deployment/web");
  EXPECT_THAT(
      images(r),
      ElementsAre("containers/web /spec/template/spec/containers/0/image " + reg("shop/web:1.4.2"),
                  "containers/log-shipper /spec/template/spec/containers/1/image " +
                      reg("shop/log-shipper@sha256:" + std::string(64, '3')),
                  "initContainers/migrate /spec/template/spec/initContainers/0/image " +
                      reg("shop/migrate:1.4.2")));
  EXPECT_TRUE(parsed("deployment_dryrun.json").dry_run);
}

TEST(ParseAdmissionReview, StatefulSetUpdateReadsTheNewObjectNotTheOld) {
  AdmissionRequest r = parsed("statefulset_update.json");
  EXPECT_EQ(r.operation, "UPDATE");
  EXPECT_EQ(r.workload(), "StatefulSet/db");
  EXPECT_THAT(images(r),
              ElementsAre("containers/postgres /spec/template/spec/containers/0/image " +
                              reg("data/postgres:16"),
                          "containers/exporter /spec/template/spec/containers/1/image "
                          "quay.io/prometheuscommunity/postgres-exporter:v0.15.0"));
}

TEST(ParseAdmissionReview, DaemonSetReplicaSetAndReplicationController) {
  AdmissionRequest ds = parsed("daemonset_create.json");
  EXPECT_EQ(ds.namespace_name, "kube-system");
  EXPECT_EQ(ds.workload(), "DaemonSet/node-agent");
  EXPECT_THAT(images(ds), ElementsAre("containers/agent /spec/template/spec/containers/0/image " +
                                      reg("infra/node-agent:2.0")));
  AdmissionRequest rs = parsed("replicaset_create.json");
  EXPECT_EQ(rs.workload(), "ReplicaSet/web-7d9f8b6c5");
  EXPECT_THAT(images(rs), ElementsAre("containers/web /spec/template/spec/containers/0/image " +
                                      reg("shop/web:1.4.2")));
  AdmissionRequest rc = parsed("replicationcontroller_create.json");
  EXPECT_EQ(rc.group, "");
  EXPECT_EQ(rc.workload(), "ReplicationController/legacy");
  EXPECT_THAT(images(rc),
              ElementsAre("containers/legacy /spec/template/spec/containers/0/image nginx:1.25"));
}

TEST(ParseAdmissionReview, JobAndCronJob) {
  AdmissionRequest job = parsed("job_create.json");
  EXPECT_EQ(job.group, "batch");
  EXPECT_EQ(job.workload(), "Job/report-2026-11-28");
  EXPECT_THAT(images(job),
              ElementsAre("containers/report /spec/template/spec/containers/0/image " +
                              reg("batch/report:latest"),
                          "initContainers/fetch /spec/template/spec/initContainers/0/image " +
                              reg("batch/fetch")));
  AdmissionRequest cron = parsed("cronjob_create.json");
  EXPECT_EQ(cron.workload(), "CronJob/nightly");
  EXPECT_THAT(
      images(cron),
      ElementsAre("containers/backup /spec/jobTemplate/spec/template/spec/containers/0/image " +
                      reg("batch/backup:3.1"),
                  "initContainers/wait-db "
                  "/spec/jobTemplate/spec/template/spec/initContainers/0/image busybox:1.36"));
}

TEST(ParseAdmissionReview, EphemeralContainersOfKubectlDebug) {
  AdmissionRequest r = parsed("pod_ephemeral_update.json");
  EXPECT_EQ(r.operation, "UPDATE");
  EXPECT_EQ(r.workload(), "Pod/web-7d9f8b6c5-x2x9q");  // metadata.name wins over generateName
  ASSERT_EQ(r.images.size(), 4u);
  EXPECT_EQ(images(r)[3], "ephemeralContainers/debugger-8hx2k /spec/ephemeralContainers/0/image " +
                              reg("tools/debug:1"));
}

TEST(ParseAdmissionReview, DeleteHasNoObjectAndNoImages) {
  AdmissionRequest r = parsed("pod_delete.json");
  EXPECT_EQ(r.operation, "DELETE");
  EXPECT_TRUE(r.supported);
  EXPECT_EQ(r.workload(), "Pod/web-7d9f8b6c5-x2x9q");  // from request.name
  EXPECT_THAT(r.images, IsEmpty());
}

TEST(ParseAdmissionReview, KindsWithoutAPodSpecAreUnsupported) {
  AdmissionRequest r = parsed("configmap_create.json");
  EXPECT_FALSE(r.supported);
  EXPECT_THAT(r.images, IsEmpty());
}

TEST(ParseAdmissionReview, KindIsMatchedWithItsGroup) {
  // A custom resource that happens to be called Deployment is not an apps/v1 Deployment.
  std::string body = fixture("deployment_create.json");
  boost::json::value v = boost::json::parse(body);
  v.at("request").at("kind").at("group") = "example.com";
  auto r = parse_admission_review(boost::json::serialize(v));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->supported);
}

TEST(ParseAdmissionReview, ContainersWithoutAnImageAreSkipped) {
  boost::json::value v = boost::json::parse(fixture("deployment_create.json"));
  v.at("request").at("object").at("spec").at("template").at("spec").at("containers").at(0)
      .as_object().erase("image");
  auto r = parse_admission_review(boost::json::serialize(v));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->images.size(), 2u);
  EXPECT_EQ(r->images[0].pointer, "/spec/template/spec/containers/1/image");
}

// Each malformed body fails with a message naming what is wrong.
struct Bad {
  std::string name;
  std::string body;
  std::string message;
};

std::string with(const std::string& fixture_name, void (*edit)(boost::json::value&)) {
  boost::json::value v = boost::json::parse(fixture(fixture_name));
  edit(v);
  return boost::json::serialize(v);
}

TEST(ParseAdmissionReview, MalformedReviewsAreClearErrors) {
  const std::vector<Bad> cases = {
      {"empty", "", "not valid JSON"},
      {"truncated", fixture("pod_create.json").substr(0, 300), "not valid JSON"},
      {"array", "[]", "must be a JSON object"},
      {"duplicate key", R"({"apiVersion":"admission.k8s.io/v1","apiVersion":"x"})", "duplicate key"},
      {"v1beta1",
       with("pod_create.json", [](boost::json::value& v) { v.at("apiVersion") = "admission.k8s.io/v1beta1"; }),
       "apiVersion: must be admission.k8s.io/v1"},
      {"wrong kind", with("pod_create.json", [](boost::json::value& v) { v.at("kind") = "Pod"; }),
       "must be AdmissionReview"},
      {"no request", R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})", "has no request"},
      {"no uid",
       with("pod_create.json", [](boost::json::value& v) { v.at("request").as_object().erase("uid"); }),
       "request.uid: is required"},
      {"uid number", with("pod_create.json", [](boost::json::value& v) { v.at("request").at("uid") = 7; }),
       "request.uid: must be a string"},
      {"object not an object",
       with("pod_create.json", [](boost::json::value& v) { v.at("request").at("object") = "pod"; }),
       "request.object: must be an object"},
      {"containers not a list",
       with("pod_create.json",
            [](boost::json::value& v) { v.at("request").at("object").at("spec").at("containers") = 1; }),
       "request.object.spec.containers: must be an array"},
      {"container not an object",
       with("pod_create.json",
            [](boost::json::value& v) {
              v.at("request").at("object").at("spec").at("initContainers").at(0) = "migrate";
            }),
       "request.object.spec.initContainers[0]: must be an object"},
      {"image not a string",
       with("cronjob_create.json",
            [](boost::json::value& v) {
              v.at("request").at("object").at("spec").at("jobTemplate").at("spec").at("template")
                  .at("spec").at("containers").at(0).at("image") = true;
            }),
       "request.object.spec.jobTemplate.spec.template.spec.containers[0].image: must be a string"},
      {"deployment without template",
       with("deployment_create.json",
            [](boost::json::value& v) { v.at("request").at("object").at("spec").as_object().erase("template"); }),
       "request.object.spec.template: is required for a Deployment"},
      {"dryRun not a bool",
       with("pod_create.json", [](boost::json::value& v) { v.at("request").at("dryRun") = "yes"; }),
       "request.dryRun: must be true or false"},
  };
  for (const Bad& c : cases) {
    auto r = parse_admission_review(c.body);
    ASSERT_FALSE(r) << c.name;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << c.name;
    EXPECT_THAT(r.error().message, HasSubstr(c.message)) << c.name;
  }
}

TEST(AdmissionResponse, DenialCarriesTheStatusAndNoPatch) {
  AdmissionResponse r;
  r.uid = "u-1";
  r.allowed = false;
  r.message = "no";
  r.patch.push_back({"/spec/containers/0/image", "x"});
  boost::json::value v = boost::json::parse(admission_response_json(r));
  EXPECT_EQ(v.at("apiVersion"), "admission.k8s.io/v1");
  EXPECT_EQ(v.at("kind"), "AdmissionReview");
  const boost::json::object& response = v.at("response").as_object();
  EXPECT_EQ(response.at("uid"), "u-1");
  EXPECT_EQ(response.at("allowed"), false);
  EXPECT_EQ(response.at("status").at("code"), 403);
  EXPECT_EQ(response.at("status").at("message"), "no");
  EXPECT_FALSE(response.contains("patch"));
  EXPECT_FALSE(response.contains("warnings"));
}

TEST(AdmissionResponse, AdmissionCarriesWarningsAndABase64JsonPatch) {
  AdmissionResponse r;
  r.uid = "u-2";
  r.allowed = true;
  r.warnings = {"flagged"};
  r.patch.push_back({"/spec/containers/0/image", "reg/a:1@sha256:ab"});
  boost::json::value v = boost::json::parse(admission_response_json(r));
  const boost::json::object& response = v.at("response").as_object();
  EXPECT_EQ(response.at("allowed"), true);
  EXPECT_FALSE(response.contains("status"));
  EXPECT_EQ(response.at("warnings"), boost::json::array({"flagged"}));
  EXPECT_EQ(response.at("patchType"), "JSONPatch");
  auto patch = base64_decode(response.at("patch").as_string());
  ASSERT_TRUE(patch);
  EXPECT_EQ(boost::json::parse(*patch),
            boost::json::parse(R"([{"op":"replace","path":"/spec/containers/0/image",)"
                               R"("value":"reg/a:1@sha256:ab"}])"));
}

TEST(PointerToken, EscapesTildeAndSlash) {
  EXPECT_EQ(pointer_token("a/b~c"), "a~1b~0c");
  EXPECT_EQ(pointer_token("containers"), "containers");
}

}  // namespace
}  // namespace bulwark::admission
