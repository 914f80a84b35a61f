#include "metadata/policy_store_suite.h"

#include <gmock/gmock.h>

#include <algorithm>
#include <set>
#include <thread>

#include "common/clock.h"

namespace bulwark::metadata {
namespace {

using testing::ElementsAre;
using testing::IsEmpty;

constexpr std::string_view kApp = "project:app";
constexpr std::string_view kProduction = "environment:production";

PolicyVersion draft(std::string_view scope, std::string document, std::string comment = "why",
                    std::optional<int64_t> restored_from = std::nullopt) {
  PolicyVersion v;
  v.scope = std::string(scope);
  v.document = std::move(document);
  v.author = "alice";
  v.comment = std::move(comment);
  v.restored_from = restored_from;
  return v;
}

std::vector<int64_t> versions_of(const Result<std::vector<PolicyVersion>>& rows) {
  std::vector<int64_t> out;
  EXPECT_TRUE(rows) << rows.error().message;
  if (rows) {
    for (const PolicyVersion& v : *rows) out.push_back(v.version);
  }
  return out;
}

TEST_P(PolicyStoreSuite, EmptyStoreHasNoPolicies) {
  auto current = store().current_policy(kApp);
  ASSERT_OK(current);
  EXPECT_EQ(*current, std::nullopt);
  auto one = store().get_policy_version(kApp, 1);
  ASSERT_OK(one);
  EXPECT_EQ(*one, std::nullopt);
  EXPECT_THAT(versions_of(store().list_policy_versions(kApp)), IsEmpty());
  ASSERT_OK(store().policy_generation());
}

TEST_P(PolicyStoreSuite, AssignsVersionsAndTimesIgnoringTheGivenOnes) {
  // The store's clock (std::time may read a coarse clock a tick behind it).
  const int64_t before = unix_seconds();
  PolicyVersion given = draft(kApp, "version: 1\n", "first");
  given.version = 42;
  given.created_at = 7;
  auto first = store().add_policy_version(given);
  ASSERT_OK(first);
  EXPECT_EQ(first->version, 1);
  EXPECT_GE(first->created_at, before);
  EXPECT_LE(first->created_at, unix_seconds());
  EXPECT_EQ(first->scope, kApp);
  EXPECT_EQ(first->author, "alice");
  EXPECT_EQ(first->comment, "first");
  EXPECT_EQ(first->restored_from, std::nullopt);

  auto second = store().add_policy_version(draft(kApp, "version: 1\nkev: flag\n", "second"));
  ASSERT_OK(second);
  EXPECT_EQ(second->version, 2);
}

TEST_P(PolicyStoreSuite, CurrentIsNewestAndListIsNewestFirst) {
  ASSERT_OK(store().add_policy_version(draft(kApp, "a", "one")));
  ASSERT_OK(store().add_policy_version(draft(kApp, "b", "two")));
  ASSERT_OK(store().add_policy_version(draft(kApp, "c", "three")));
  auto current = store().current_policy(kApp);
  ASSERT_OK(current);
  ASSERT_TRUE(current->has_value());
  EXPECT_EQ((*current)->version, 3);
  EXPECT_EQ((*current)->document, "c");
  EXPECT_EQ((*current)->comment, "three");

  auto listed = store().list_policy_versions(kApp);
  EXPECT_THAT(versions_of(listed), ElementsAre(3, 2, 1));
  ASSERT_OK(listed);
  EXPECT_EQ((*listed)[2].document, "a");

  auto second = store().get_policy_version(kApp, 2);
  ASSERT_OK(second);
  ASSERT_TRUE(second->has_value());
  EXPECT_EQ((*second)->document, "b");
  EXPECT_EQ((*second)->comment, "two");
  auto missing = store().get_policy_version(kApp, 4);
  ASSERT_OK(missing);
  EXPECT_EQ(*missing, std::nullopt);
}

TEST_P(PolicyStoreSuite, ScopesAreNumberedApart) {
  ASSERT_OK(store().add_policy_version(draft(kApp, "a")));
  ASSERT_OK(store().add_policy_version(draft(kApp, "b")));
  auto env = store().add_policy_version(draft(kProduction, "p"));
  ASSERT_OK(env);
  EXPECT_EQ(env->version, 1);
  EXPECT_THAT(versions_of(store().list_policy_versions(kProduction)), ElementsAre(1));
  EXPECT_THAT(versions_of(store().list_policy_versions("project:other")), IsEmpty());
  // Scope names are matched exactly (no prefix or pattern matching).
  EXPECT_THAT(versions_of(store().list_policy_versions("project:ap")), IsEmpty());
  EXPECT_THAT(versions_of(store().list_policy_versions("project:app%")), IsEmpty());
}

TEST_P(PolicyStoreSuite, RestoreNamesAnExistingVersion) {
  ASSERT_OK(store().add_policy_version(draft(kApp, "a")));
  ASSERT_OK(store().add_policy_version(draft(kApp, "b")));
  auto restored = store().add_policy_version(draft(kApp, "a", "back to one", 1));
  ASSERT_OK(restored);
  EXPECT_EQ(restored->version, 3);
  EXPECT_EQ(restored->restored_from, 1);
  auto read = store().get_policy_version(kApp, 3);
  ASSERT_OK(read);
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->restored_from, 1);
  EXPECT_EQ((*read)->comment, "back to one");
  auto plain = store().get_policy_version(kApp, 2);
  ASSERT_OK(plain);
  EXPECT_EQ((*plain)->restored_from, std::nullopt);
}

TEST_P(PolicyStoreSuite, RestoringAMissingVersionIsNotFoundAndAddsNothing) {
  ASSERT_OK(store().add_policy_version(draft(kApp, "a")));
  // Version 1 exists in another scope only.
  ASSERT_OK(store().add_policy_version(draft(kProduction, "p")));
  auto generation = store().policy_generation();
  ASSERT_OK(generation);
  for (int64_t missing : {int64_t{2}, int64_t{0}, int64_t{-1}}) {
    auto refused = store().add_policy_version(draft(kApp, "x", "bad", missing));
    ASSERT_FALSE(refused) << "restored_from " << missing;
    EXPECT_EQ(refused.error().code, ErrorCode::kNotFound);
  }
  auto other = store().add_policy_version(draft("project:other", "x", "bad", 1));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(versions_of(store().list_policy_versions(kApp)), ElementsAre(1));
  EXPECT_THAT(versions_of(store().list_policy_versions("project:other")), IsEmpty());
  auto after = store().policy_generation();
  ASSERT_OK(after);
  EXPECT_EQ(*after, *generation);
}

TEST_P(PolicyStoreSuite, KeepsDocumentsByteForByteIncludingEmpty) {
  const std::string yaml =
      "# comment kept\nversion: 1\nexceptions:\n  - vulnerability: CVE-2024-1\n"
      "    justification: \"naïve — ü\\ttab\"\n    approver: bob\n    expires: 2030-01-01\n";
  ASSERT_OK(store().add_policy_version(draft(kApp, yaml)));
  ASSERT_OK(store().add_policy_version(draft(kApp, "", "removed")));
  auto one = store().get_policy_version(kApp, 1);
  ASSERT_OK(one);
  EXPECT_EQ((*one)->document, yaml);
  auto current = store().current_policy(kApp);
  ASSERT_OK(current);
  ASSERT_TRUE(current->has_value());
  EXPECT_EQ((*current)->version, 2);
  EXPECT_EQ((*current)->document, "");
}

TEST_P(PolicyStoreSuite, GenerationChangesWithEveryVersionAndOnlyThen) {
  std::set<int64_t> seen;
  auto g0 = store().policy_generation();
  ASSERT_OK(g0);
  seen.insert(*g0);
  for (std::string_view scope : {kApp, kApp, kProduction}) {
    ASSERT_OK(store().add_policy_version(draft(scope, "d")));
    auto g = store().policy_generation();
    ASSERT_OK(g);
    EXPECT_TRUE(seen.insert(*g).second) << "generation " << *g << " repeated";
    // Reads leave it alone.
    ASSERT_OK(store().current_policy(scope));
    ASSERT_OK(store().list_policy_versions(scope));
    auto again = store().policy_generation();
    ASSERT_OK(again);
    EXPECT_EQ(*again, *g);
  }
}

TEST_P(PolicyStoreSuite, SurvivesReopen) {
  ASSERT_OK(store().add_policy_version(draft(kApp, "a", "one")));
  ASSERT_OK(store().add_policy_version(draft(kApp, "b", "two")));
  auto generation = store().policy_generation();
  ASSERT_OK(generation);
  harness().reopen();
  EXPECT_THAT(versions_of(store().list_policy_versions(kApp)), ElementsAre(2, 1));
  auto after = store().policy_generation();
  ASSERT_OK(after);
  EXPECT_EQ(*after, *generation);
  auto next = store().add_policy_version(draft(kApp, "c"));
  ASSERT_OK(next);
  EXPECT_EQ(next->version, 3);
}

TEST_P(PolicyStoreSuite, ConcurrentWritersGetDistinctConsecutiveVersions) {
  constexpr int kThreads = 4;
  constexpr int kEach = 10;
  std::vector<std::thread> threads;
  std::vector<std::vector<int64_t>> got(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto added = store().add_policy_version(draft(kApp, "d" + std::to_string(t)));
        if (added) got[t].push_back(added->version);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::vector<int64_t> all;
  for (const auto& g : got) all.insert(all.end(), g.begin(), g.end());
  std::sort(all.begin(), all.end());
  std::vector<int64_t> expected;
  for (int64_t v = 1; v <= kThreads * kEach; ++v) expected.push_back(v);
  EXPECT_EQ(all, expected);
}

}  // namespace
}  // namespace bulwark::metadata
