// Client network allow-lists: a set of IPv4/IPv6 networks in CIDR notation ("10.0.0.0/8",
// "2001:db8::/32") or single addresses ("192.0.2.7", "::1"), and the test whether a client
// address lies in one of them. IPv4-mapped IPv6 addresses ("::ffff:192.0.2.7", as dual-stack
// sockets report IPv4 clients) are compared as the IPv4 address they carry.
//
// Value type; thread-safe for concurrent reads.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace bulwark::auth {

class NetworkSet {
 public:
  // Parses every entry; the first malformed one fails with kInvalidArgument naming it. Host bits
  // set below the prefix ("10.1.2.3/8") are refused: such an entry usually hides a typo.
  static Result<NetworkSet> parse(std::span<const std::string> entries);

  bool empty() const { return networks_.empty(); }
  // True when `address` (an IP address without port) is in one of the networks. An address that
  // does not parse is in none.
  bool contains(std::string_view address) const;

 private:
  struct Network {
    std::array<uint8_t, 16> bytes{};  // IPv4 as IPv4-mapped IPv6
    int prefix = 0;                   // of the 128 bits
  };
  std::vector<Network> networks_;
};

}  // namespace bulwark::auth
