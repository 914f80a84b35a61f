// Failed-login rate limiting: exponential backoff per account name and per client address, so
// neither guessing one account's password from many addresses nor spraying many accounts from one
// address gets far.
//
// The account is keyed by the name as typed (ASCII-lowercased, so case variants share a counter),
// whether or not such an account exists: known and unknown names get the same answers. IPv6
// addresses are keyed by their /64 prefix (one host usually holds the whole /64). Memory is
// bounded: at most `max_tracked` keys, the least recently failed evicted first. Time is passed in
// by the caller (`now`), so tests and callers control the clock.
//
// Thread-safe: all members may be called concurrently (one internal mutex).
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace bulwark::auth {

struct Backoff {
  int free_failures = 5;                    // failures tolerated before any delay
  std::chrono::seconds first_delay{1};      // delay after the first failure beyond those
  std::chrono::seconds max_delay{15 * 60};  // doubling stops here
};

struct ThrottleParams {
  Backoff account{};
  Backoff address{20, std::chrono::seconds(1), std::chrono::seconds(15 * 60)};  // NAT: be lenient
  std::chrono::seconds forget_after{60 * 60};  // failures older than this no longer count
  size_t max_tracked = 100000;                 // keys (accounts + addresses) held at most
};

class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LoginThrottle(ThrottleParams params = {});

  // Zero when a login attempt for `account` from `address` may proceed now; otherwise how long to
  // wait (whole seconds, rounded up) — the larger of the two keys' remaining delays.
  std::chrono::seconds check(std::string_view account, std::string_view address,
                             Clock::time_point now) const;
  // Counts a failed attempt against both keys and extends their delays.
  void record_failure(std::string_view account, std::string_view address, Clock::time_point now);
  // A successful login resets the account's counter (not the address's: one valid account must
  // not launder an address that is spraying others).
  void record_success(std::string_view account);

  // Keys currently held (for tests and metrics).
  size_t tracked() const;

 private:
  struct Entry {
    int failures = 0;
    Clock::time_point last_failure;
    Clock::time_point blocked_until;
    std::list<std::string>::iterator position;  // in recency_
  };

  std::chrono::seconds remaining(const std::string& key, Clock::time_point now) const;
  void fail(const std::string& key, const Backoff& backoff, Clock::time_point now);

  const ThrottleParams params_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // guarded by mu_
  std::list<std::string> recency_;                  // keys, most recently failed first; mu_
};

}  // namespace bulwark::auth
