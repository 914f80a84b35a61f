#include "metadata/deployment_store_suite.h"

#include <gmock/gmock.h>

namespace bulwark::metadata {
namespace {

using testing::IsEmpty;

constexpr char kDigestA[] =
    "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
constexpr char kDigestB[] =
    "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

Deployment deployment(std::string ns, std::string workload, std::string image,
                      std::string digest) {
  Deployment d;
  d.cluster = "prod-eu";
  d.namespace_name = std::move(ns);
  d.workload = std::move(workload);
  d.image = std::move(image);
  d.repository = "team/web";
  d.digest = std::move(digest);
  return d;
}

// "namespace workload image first..last" per row, for whole-result comparisons.
std::vector<std::string> rows(const Result<std::vector<Deployment>>& result) {
  std::vector<std::string> out;
  EXPECT_TRUE(result) << result.error().message;
  if (!result) return out;
  for (const Deployment& d : *result) {
    out.push_back(d.cluster + " " + d.namespace_name + " " + d.workload + " " + d.image + " " +
                  d.repository + " " + std::to_string(d.first_admitted) + ".." +
                  std::to_string(d.last_admitted));
  }
  return out;
}

TEST_P(DeploymentStoreSuite, UnknownDigestHasNoDeployments) {
  EXPECT_THAT(rows(store().deployments_of(kDigestA)), IsEmpty());
  ASSERT_OK(store().record_deployments({}, 5));
  EXPECT_THAT(rows(store().deployments_of(kDigestA)), IsEmpty());
}

TEST_P(DeploymentStoreSuite, RecordsEachWorkloadAndListsMostRecentFirst) {
  ASSERT_OK(store().record_deployments(
      {deployment("shop", "Deployment/web", "reg:5000/team/web:1", kDigestA),
       deployment("shop", "Deployment/web", "reg:5000/team/web:1-debug", kDigestB)},
      100));
  ASSERT_OK(store().record_deployments(
      {deployment("batch", "CronJob/nightly", "reg:5000/team/web@" + std::string(kDigestA),
                  kDigestA)},
      200));
  EXPECT_THAT(rows(store().deployments_of(kDigestA)),
              testing::ElementsAre(
                  "prod-eu batch CronJob/nightly reg:5000/team/web@" + std::string(kDigestA) +
                      " team/web 200..200",
                  "prod-eu shop Deployment/web reg:5000/team/web:1 team/web 100..100"));
  EXPECT_THAT(rows(store().deployments_of(kDigestB)),
              testing::ElementsAre(
                  "prod-eu shop Deployment/web reg:5000/team/web:1-debug team/web 100..100"));
}

TEST_P(DeploymentStoreSuite, ReadmissionKeepsFirstTimeAndFollowsTheTagToItsNewDigest) {
  ASSERT_OK(store().record_deployments(
      {deployment("shop", "Deployment/web", "reg:5000/team/web:1", kDigestA)}, 100));
  ASSERT_OK(store().record_deployments(
      {deployment("shop", "Deployment/web", "reg:5000/team/web:1", kDigestA)}, 150));
  EXPECT_THAT(rows(store().deployments_of(kDigestA)),
              testing::ElementsAre(
                  "prod-eu shop Deployment/web reg:5000/team/web:1 team/web 100..150"));
  // The tag moved: the same workload and image now run digest B.
  ASSERT_OK(store().record_deployments(
      {deployment("shop", "Deployment/web", "reg:5000/team/web:1", kDigestB)}, 300));
  EXPECT_THAT(rows(store().deployments_of(kDigestA)), IsEmpty());
  EXPECT_THAT(rows(store().deployments_of(kDigestB)),
              testing::ElementsAre(
                  "prod-eu shop Deployment/web reg:5000/team/web:1 team/web 100..300"));
}

TEST_P(DeploymentStoreSuite, ClustersAreKeptApartAndRecordsSurviveARestart) {
  Deployment other = deployment("shop", "Deployment/web", "reg:5000/team/web:1", kDigestA);
  other.cluster = "prod-us";
  ASSERT_OK(store().record_deployments(
      {deployment("shop", "Deployment/web", "reg:5000/team/web:1", kDigestA), other}, 100));
  harness().reopen();
  auto found = store().deployments_of(kDigestA);
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0].cluster, "prod-eu");
  EXPECT_EQ((*found)[1].cluster, "prod-us");
  EXPECT_EQ((*found)[1].digest, kDigestA);
  EXPECT_EQ((*found)[1].first_admitted, 100);
}

}  // namespace
}  // namespace bulwark::metadata
