#include "auth/login_throttle.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>

#include "common/digest.h"

namespace bulwark::auth {
namespace {

using std::chrono::seconds;

// Keys are bounded so an attacker cannot make one key large; long names sharing a prefix this
// long share a counter, which only makes the throttle stricter.
constexpr size_t kMaxKeyBytes = 256;

std::string account_key(std::string_view account) {
  std::string key = "u:";
  for (char c : account.substr(0, kMaxKeyBytes)) key += (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
  return key;
}

std::string address_key(std::string_view address) {
  std::string text(address.substr(0, kMaxKeyBytes));
  std::array<unsigned char, 16> v6{};
  if (inet_pton(AF_INET6, text.c_str(), v6.data()) == 1) {
    constexpr std::array<unsigned char, 12> kV4Mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(kV4Mapped.begin(), kV4Mapped.end(), v6.begin())) {
      return "a:" + std::to_string(v6[12]) + "." + std::to_string(v6[13]) + "." +
             std::to_string(v6[14]) + "." + std::to_string(v6[15]);
    }
    return "a:" + to_hex(std::span<const unsigned char>(v6.data(), 8)) + "::/64";
  }
  return "a:" + text;
}

// Delay after `failures` failures: none for the free ones, then first_delay doubling to max_delay.
seconds delay_for(int failures, const Backoff& b) {
  if (failures <= b.free_failures) return seconds(0);
  int doublings = std::min(failures - b.free_failures - 1, 30);
  return std::min(b.max_delay, b.first_delay * (int64_t{1} << doublings));
}

}  // namespace

LoginThrottle::LoginThrottle(ThrottleParams params) : params_(params) {}

seconds LoginThrottle::remaining(const std::string& key, Clock::time_point now) const {
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.blocked_until <= now) return seconds(0);
  return std::chrono::ceil<seconds>(it->second.blocked_until - now);
}

seconds LoginThrottle::check(std::string_view account, std::string_view address,
                             Clock::time_point now) const {
  std::lock_guard lock(mu_);
  return std::max(remaining(account_key(account), now), remaining(address_key(address), now));
}

void LoginThrottle::fail(const std::string& key, const Backoff& backoff, Clock::time_point now) {
  auto [it, inserted] = entries_.try_emplace(key);
  Entry& e = it->second;
  if (inserted) {
    recency_.push_front(key);
  } else {
    recency_.splice(recency_.begin(), recency_, e.position);
    if (now - e.last_failure >= params_.forget_after) e.failures = 0;
  }
  e.position = recency_.begin();
  e.failures = std::min(e.failures + 1, 1 << 20);
  e.last_failure = now;
  e.blocked_until = std::max(e.blocked_until, now + delay_for(e.failures, backoff));
  while (entries_.size() > std::max<size_t>(params_.max_tracked, 2)) {
    entries_.erase(recency_.back());
    recency_.pop_back();
  }
}

void LoginThrottle::record_failure(std::string_view account, std::string_view address,
                                   Clock::time_point now) {
  std::lock_guard lock(mu_);
  fail(account_key(account), params_.account, now);
  fail(address_key(address), params_.address, now);
}

void LoginThrottle::record_success(std::string_view account) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(account_key(account));
  if (it == entries_.end()) return;
  recency_.erase(it->second.position);
  entries_.erase(it);
}

size_t LoginThrottle::tracked() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace bulwark::auth
