#include "auth/network.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include "common/strict_json.h"

namespace bulwark::auth {
namespace {

constexpr std::array<uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

// The address as 16 bytes (IPv4 mapped into IPv6) and whether it was written as IPv4.
std::optional<std::pair<std::array<uint8_t, 16>, bool>> parse_address(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char buf[INET6_ADDRSTRLEN] = {};
  std::memcpy(buf, text.data(), text.size());
  std::array<uint8_t, 16> out{};
  in_addr v4{};
  if (inet_pton(AF_INET, buf, &v4) == 1) {
    std::memcpy(out.data(), kMappedPrefix.data(), kMappedPrefix.size());
    std::memcpy(out.data() + 12, &v4, 4);
    return std::pair{out, true};
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, buf, &v6) == 1) {
    std::memcpy(out.data(), &v6, 16);
    return std::pair{out, false};
  }
  return std::nullopt;
}

bool prefix_equal(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b, int bits) {
  int whole = bits / 8;
  if (std::memcmp(a.data(), b.data(), static_cast<size_t>(whole)) != 0) return false;
  int rest = bits % 8;
  if (rest == 0) return true;
  auto mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[static_cast<size_t>(whole)] & mask) == (b[static_cast<size_t>(whole)] & mask);
}

}  // namespace

Result<NetworkSet> NetworkSet::parse(std::span<const std::string> entries) {
  NetworkSet set;
  for (const std::string& entry : entries) {
    auto bad = [&](std::string_view why) {
      return fail(ErrorCode::kInvalidArgument,
                  "network " + quote_untrusted(entry) + ": " + std::string(why));
    };
    std::string_view text = entry;
    auto slash = text.find('/');
    auto address = parse_address(text.substr(0, slash));
    if (!address) return bad("not an IPv4 or IPv6 address");
    auto [bytes, is_v4] = *address;
    int max_bits = is_v4 ? 32 : 128;
    int bits = max_bits;
    if (slash != std::string_view::npos) {
      std::string_view digits = text.substr(slash + 1);
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
      if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || bits < 0 ||
          bits > max_bits) {
        return bad("prefix length must be 0.." + std::to_string(max_bits));
      }
    }
    Network net{bytes, is_v4 ? bits + 96 : bits};
    std::array<uint8_t, 16> zero_host = bytes;
    for (int i = net.prefix; i < 128; ++i) {
      zero_host[static_cast<size_t>(i / 8)] &= static_cast<uint8_t>(~(0x80 >> (i % 8)));
    }
    if (zero_host != bytes) return bad("address has bits set beyond the prefix length");
    set.networks_.push_back(net);
  }
  return set;
}

bool NetworkSet::contains(std::string_view address) const {
  auto parsed = parse_address(address);
  if (!parsed) return false;
  for (const Network& net : networks_) {
    if (prefix_equal(parsed->first, net.bytes, net.prefix)) return true;
  }
  return false;
}

}  // namespace bulwark::auth
