#include "audit/coalescer.h"

#include <gmock/gmock.h>

#include <thread>

namespace bulwark::audit {
namespace {

using testing::ElementsAre;

Event pull(std::string actor = "ci", std::string digest = "sha256:aa") {
  Event e;
  e.actor = std::move(actor);
  e.client_address = "10.0.0.5";
  e.action = "manifest.pull";
  e.resource = {"team/app", std::move(digest), "v1"};
  return e;
}

struct Harness {
  int64_t now = 1'000'000;
  std::vector<Event> seen;
  EventCoalescer coalescer{[this](Event e) { seen.push_back(std::move(e)); },
                           {1000, 100, [this] { return now; }}};
};

TEST(EventCoalescer, FirstOccurrencePassesAtOnceRepeatsBecomeOneSummary) {
  Harness h;
  h.coalescer.submit(pull());
  ASSERT_EQ(h.seen.size(), 1u);  // not delayed
  EXPECT_EQ(h.seen[0].time_ms, 1'000'000);
  for (int i = 1; i <= 500; ++i) {
    h.now += 1;
    h.coalescer.submit(pull());
  }
  EXPECT_EQ(h.seen.size(), 1u);
  h.now += 600;  // the window (1000 ms from the first) is over
  h.coalescer.flush_expired();
  ASSERT_EQ(h.seen.size(), 2u);
  EXPECT_EQ(h.seen[1].reason, "repeated 500 more times in 500 ms");
  EXPECT_EQ(h.seen[1].time_ms, 1'000'500);
  EXPECT_EQ(h.seen[1].resource, h.seen[0].resource);
  EXPECT_EQ(h.seen[1].actor, "ci");
}

TEST(EventCoalescer, DistinctActorsDigestsAndOutcomesAreNeverMerged) {
  Harness h;
  h.coalescer.submit(pull("ci"));
  h.coalescer.submit(pull("alice"));
  h.coalescer.submit(pull("ci", "sha256:bb"));
  Event denied = pull("ci");
  denied.outcome = Outcome::kDenied;
  denied.reason = "developer may only pull";
  h.coalescer.submit(denied);
  h.coalescer.submit(pull("ci"));  // a repeat of the first
  std::vector<std::string> got;
  for (const Event& e : h.seen)
    got.push_back(e.actor + " " + e.resource.digest + " " + std::string(outcome_name(e.outcome)));
  EXPECT_THAT(got, ElementsAre("ci sha256:aa allowed", "alice sha256:aa allowed",
                               "ci sha256:bb allowed", "ci sha256:aa denied"));
  h.coalescer.flush();
  ASSERT_EQ(h.seen.size(), 5u);
  EXPECT_EQ(h.seen[4].reason, "repeated 1 more times in 0 ms");
}

TEST(EventCoalescer, AnEventAfterItsWindowStartsANewOneAndSummarisesTheOld) {
  Harness h;
  h.coalescer.submit(pull());
  h.now += 10;
  h.coalescer.submit(pull());
  h.now += 2000;
  h.coalescer.submit(pull());  // new window: the old summary, then this one at once
  ASSERT_EQ(h.seen.size(), 3u);
  EXPECT_EQ(h.seen[1].reason, "repeated 1 more times in 10 ms");
  EXPECT_EQ(h.seen[2].reason, "");
  h.coalescer.flush();
  EXPECT_EQ(h.seen.size(), 3u);  // no repeats pending: nothing more
}

TEST(EventCoalescer, BeyondMaxKeysEventsPassThroughUncounted) {
  Harness h;
  for (int i = 0; i < 150; ++i) h.coalescer.submit(pull("actor" + std::to_string(i)));
  for (int i = 0; i < 150; ++i) h.coalescer.submit(pull("actor" + std::to_string(i)));
  // 100 are being counted (their repeats folded); the other 50 pass through each time.
  EXPECT_EQ(h.seen.size(), 150u + 50u);
  h.coalescer.flush();
  EXPECT_EQ(h.seen.size(), 150u + 50u + 100u);
}

TEST(EventCoalescer, ConcurrentSubmitsLoseNoCount) {
  std::mutex mu;
  std::vector<Event> seen;
  EventCoalescer coalescer(
      [&](Event e) {
        std::lock_guard lock(mu);
        seen.push_back(std::move(e));
      },
      {60'000, 100, {}});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) coalescer.submit(pull());
    });
  }
  for (auto& t : threads) t.join();
  coalescer.flush();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_THAT(seen[1].reason, testing::StartsWith("repeated 19999 more times"));
}

}  // namespace
}  // namespace bulwark::audit
