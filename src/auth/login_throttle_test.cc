#include "auth/login_throttle.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace bulwark::auth {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = LoginThrottle::Clock;

const Clock::time_point t0 = Clock::time_point() + std::chrono::hours(1000);

ThrottleParams params(int account_free, int address_free) {
  ThrottleParams p;
  p.account = {account_free, seconds(1), seconds(60)};
  p.address = {address_free, seconds(1), seconds(60)};
  return p;
}

TEST(LoginThrottle, BacksOffExponentiallyAfterTheFreeFailures) {
  LoginThrottle throttle(params(3, 1000));
  Clock::time_point now = t0;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(throttle.check("alice", "10.0.0.1", now), seconds(0));
    throttle.record_failure("alice", "10.0.0.1", now);
  }
  EXPECT_EQ(throttle.check("alice", "10.0.0.1", now), seconds(0));  // 3 failures: still free
  // Each further failure (made once the previous delay has passed) doubles the delay up to 60 s.
  for (int64_t expected : {1, 2, 4, 8, 16, 32, 60, 60}) {
    throttle.record_failure("alice", "10.0.0.1", now);
    EXPECT_EQ(throttle.check("alice", "10.0.0.1", now), seconds(expected));
    now += seconds(expected);
    EXPECT_EQ(throttle.check("alice", "10.0.0.1", now), seconds(0));
  }
}

TEST(LoginThrottle, RetryAfterRoundsUpAndCountsDown) {
  LoginThrottle throttle(params(0, 1000));
  throttle.record_failure("alice", "10.0.0.1", t0);
  throttle.record_failure("alice", "10.0.0.1", t0);  // second failure: 2 s
  EXPECT_EQ(throttle.check("alice", "10.0.0.1", t0), seconds(2));
  EXPECT_EQ(throttle.check("alice", "10.0.0.1", t0 + milliseconds(500)), seconds(2));
  EXPECT_EQ(throttle.check("alice", "10.0.0.1", t0 + milliseconds(1001)), seconds(1));
  EXPECT_EQ(throttle.check("alice", "10.0.0.1", t0 + seconds(2)), seconds(0));
}

TEST(LoginThrottle, AccountIsThrottledFromEveryAddress) {
  LoginThrottle throttle(params(2, 1000));
  for (int i = 0; i < 3; ++i) throttle.record_failure("alice", "10.0.0." + std::to_string(i), t0);
  EXPECT_EQ(throttle.check("alice", "192.168.7.7", t0), seconds(1));
  EXPECT_EQ(throttle.check("bob", "10.0.0.1", t0), seconds(0));
}

TEST(LoginThrottle, AddressIsThrottledForEveryAccount) {
  LoginThrottle throttle(params(1000, 4));
  for (int i = 0; i < 5; ++i) throttle.record_failure("user" + std::to_string(i), "10.0.0.9", t0);
  EXPECT_EQ(throttle.check("never-tried", "10.0.0.9", t0), seconds(1));
  EXPECT_EQ(throttle.check("never-tried", "10.0.0.10", t0), seconds(0));
}

TEST(LoginThrottle, SuccessResetsTheAccountButNotTheAddress) {
  LoginThrottle throttle(params(1, 1));
  throttle.record_failure("alice", "10.0.0.1", t0);
  throttle.record_failure("alice", "10.0.0.1", t0);
  EXPECT_EQ(throttle.check("alice", "10.0.0.2", t0), seconds(1));
  throttle.record_success("alice");
  EXPECT_EQ(throttle.check("alice", "10.0.0.2", t0), seconds(0));
  EXPECT_EQ(throttle.check("alice", "10.0.0.1", t0), seconds(1));  // the address still waits
  // And the account starts from zero: one more failure is free again.
  throttle.record_failure("alice", "10.0.0.2", t0 + seconds(5));
  EXPECT_EQ(throttle.check("alice", "10.0.0.3", t0 + seconds(5)), seconds(0));
}

TEST(LoginThrottle, AccountNamesAreCaseInsensitiveAndExistenceBlind) {
  LoginThrottle throttle(params(1, 1000));
  throttle.record_failure("Admin", "10.0.0.1", t0);
  throttle.record_failure("ADMIN", "10.0.0.2", t0);
  EXPECT_EQ(throttle.check("admin", "10.0.0.3", t0), seconds(1));
  // A name that belongs to nobody is answered exactly like one that exists (the throttle never
  // knows which is which).
  throttle.record_failure("no-such-user", "10.0.0.1", t0);
  throttle.record_failure("no-such-user", "10.0.0.2", t0);
  EXPECT_EQ(throttle.check("no-such-user", "10.0.0.3", t0),
            throttle.check("admin", "10.0.0.3", t0));
}

TEST(LoginThrottle, Ipv6IsKeyedByItsSlash64) {
  LoginThrottle throttle(params(1000, 1));
  throttle.record_failure("a", "2001:db8::1", t0);
  throttle.record_failure("b", "2001:db8:0:0:ffff::2", t0);
  EXPECT_EQ(throttle.check("c", "2001:db8::abcd", t0), seconds(1));
  EXPECT_EQ(throttle.check("c", "2001:db8:0:1::1", t0), seconds(0));
  // An IPv4-mapped address is the IPv4 address.
  throttle.record_failure("a", "::ffff:192.0.2.1", t0);
  throttle.record_failure("b", "192.0.2.1", t0);
  EXPECT_EQ(throttle.check("c", "192.0.2.1", t0), seconds(1));
}

TEST(LoginThrottle, OldFailuresAreForgotten) {
  ThrottleParams p = params(2, 1000);
  p.forget_after = seconds(600);
  LoginThrottle throttle(p);
  throttle.record_failure("alice", "10.0.0.1", t0);
  throttle.record_failure("alice", "10.0.0.1", t0);
  // Ten minutes later those two no longer count: the next failure is the first again.
  throttle.record_failure("alice", "10.0.0.1", t0 + seconds(600));
  EXPECT_EQ(throttle.check("alice", "10.0.0.1", t0 + seconds(600)), seconds(0));
  // Without the pause the third failure would have cost a delay.
  throttle.record_failure("alice", "10.0.0.1", t0 + seconds(601));
  throttle.record_failure("alice", "10.0.0.1", t0 + seconds(601));
  EXPECT_EQ(throttle.check("alice", "10.0.0.1", t0 + seconds(601)), seconds(1));
}

TEST(LoginThrottle, MemoryIsBoundedAndTheOldestKeysGoFirst) {
  ThrottleParams p = params(0, 50);
  p.max_tracked = 10;
  LoginThrottle throttle(p);
  for (int i = 0; i < 100; ++i) {
    throttle.record_failure("user" + std::to_string(i), "10.0.0.1", t0 + seconds(i));
  }
  EXPECT_LE(throttle.tracked(), 10u);
  EXPECT_GT(throttle.check("user99", "10.9.9.9", t0 + seconds(99)), seconds(0));
  EXPECT_EQ(throttle.check("user0", "10.9.9.9", t0), seconds(0));  // evicted
  // The shared address key keeps being refreshed, so it survives the churn.
  throttle.record_failure("x", "10.0.0.1", t0 + seconds(100));
  EXPECT_GT(throttle.check("y", "10.0.0.1", t0 + seconds(100)), seconds(0));
}

TEST(LoginThrottle, LongNamesAreBounded) {
  LoginThrottle throttle(params(0, 1000));
  std::string huge(1 << 20, 'a');
  throttle.record_failure(huge, "10.0.0.1", t0);
  // Names sharing a long prefix share the counter (stricter, never looser).
  EXPECT_EQ(throttle.check(huge + "b", "10.0.0.2", t0), seconds(1));
  EXPECT_EQ(throttle.check("a", "10.0.0.2", t0), seconds(0));
}

TEST(LoginThrottle, ConcurrentFailuresAreAllCounted) {
  // 4 threads × 500 failures: the 2000th failure is the first beyond the free ones, so exactly a
  // one-second delay shows that no failure was lost (1999 would show none).
  LoginThrottle throttle(params(1999, 1'000'000));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        throttle.record_failure("alice", "10.0." + std::to_string(t) + ".1", t0);
        (void)throttle.check("alice", "10.0.0.1", t0);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(throttle.check("alice", "10.1.1.1", t0), seconds(1));
}

}  // namespace
}  // namespace bulwark::auth
