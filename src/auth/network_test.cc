#include "auth/network.h"

#include <gtest/gtest.h>

namespace bulwark::auth {
namespace {

NetworkSet parsed(std::vector<std::string> entries) {
  auto set = NetworkSet::parse(entries);
  EXPECT_TRUE(set) << set.error().message;
  return set ? *set : NetworkSet();
}

TEST(NetworkSet, Ipv4NetworksAndSingleAddresses) {
  NetworkSet set = parsed({"10.0.0.0/8", "192.0.2.7", "198.51.100.128/25"});
  EXPECT_TRUE(set.contains("10.255.0.1"));
  EXPECT_TRUE(set.contains("192.0.2.7"));
  EXPECT_FALSE(set.contains("192.0.2.8"));
  EXPECT_TRUE(set.contains("198.51.100.200"));
  EXPECT_FALSE(set.contains("198.51.100.127"));
  EXPECT_FALSE(set.contains("11.0.0.1"));
}

TEST(NetworkSet, Ipv6AndIpv4MappedClients) {
  NetworkSet set = parsed({"2001:db8::/32", "::1", "127.0.0.0/8"});
  EXPECT_TRUE(set.contains("2001:db8:1::5"));
  EXPECT_FALSE(set.contains("2001:db9::5"));
  EXPECT_TRUE(set.contains("::1"));
  EXPECT_TRUE(set.contains("::ffff:127.0.0.1"));  // an IPv4 client on a dual-stack socket
  EXPECT_FALSE(set.contains("::ffff:128.0.0.1"));
}

TEST(NetworkSet, ZeroPrefixMatchesEverythingOfItsFamilyOnly) {
  NetworkSet v4 = parsed({"0.0.0.0/0"});
  EXPECT_TRUE(v4.contains("203.0.113.9"));
  EXPECT_FALSE(v4.contains("2001:db8::1"));
  EXPECT_TRUE(parsed({"::/0"}).contains("2001:db8::1"));
}

TEST(NetworkSet, EmptySetAndUnparsableClientsMatchNothing) {
  NetworkSet none = parsed({});
  EXPECT_TRUE(none.empty());
  EXPECT_FALSE(none.contains("10.0.0.1"));
  NetworkSet set = parsed({"10.0.0.0/8"});
  EXPECT_FALSE(set.contains(""));
  EXPECT_FALSE(set.contains("10.0.0.1:5000"));
  EXPECT_FALSE(set.contains("localhost"));
}

TEST(NetworkSet, MalformedEntriesAreRefusedByName) {
  for (std::string bad : {"10.0.0.0/33", "10.1.2.3/8", "2001:db8::1/129", "10.0.0/8", "", "/8",
                          "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8x", "example.com"}) {
    auto set = NetworkSet::parse(std::vector<std::string>{bad});
    ASSERT_FALSE(set) << bad;
    EXPECT_EQ(set.error().code, ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace bulwark::auth
