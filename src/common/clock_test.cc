#include "common/clock.h"

#include <gtest/gtest.h>

namespace bulwark {
namespace {

TEST(Clock, ParsesRfc3339) {
  EXPECT_EQ(0, parse_rfc3339("1970-01-01T00:00:00Z").value());
  EXPECT_EQ(1610452407, parse_rfc3339("2021-01-12T11:53:27Z").value());
  EXPECT_EQ(1610452407, parse_rfc3339("2021-01-12T11:53:27.999999Z").value());
  EXPECT_EQ(1610452407, parse_rfc3339("2021-01-12T12:53:27+01:00").value());
  EXPECT_EQ(1610452407, parse_rfc3339("2021-01-12T10:53:27-01:00").value());
  EXPECT_EQ(951825600, parse_rfc3339("2000-02-29T12:00:00Z").value());
  for (std::string_view bad :
       {"", "2021-01-12", "2021-01-12T11:53:27", "2021-01-12 11:53:27Z", "2021-02-29T00:00:00Z",
        "2021-01-32T00:00:00Z", "2021-01-12T24:00:00Z", "2021-01-12T11:53:27.Z",
        "2021-01-12T11:53:27Zjunk", "2021-01-12T11:53:27+0100", "20x1-01-12T11:53:27Z"}) {
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
  }
}

TEST(Clock, FormatsRfc3339AndReadsItBack) {
  EXPECT_EQ(rfc3339_utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(rfc3339_utc(1610452407), "2021-01-12T11:53:27Z");
  EXPECT_EQ(rfc3339_utc(-5), "1970-01-01T00:00:00Z");  // outside 0000-9999: the epoch
  for (int64_t t : {int64_t{0}, int64_t{951825600}, int64_t{1795805333}, int64_t{253402300799}}) {
    EXPECT_EQ(parse_rfc3339(rfc3339_utc(t)).value(), t);
  }
}

}  // namespace
}  // namespace bulwark
