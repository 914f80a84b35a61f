#include "common/config.h"

#include <gtest/gtest.h>

namespace bulwark {
namespace {

TEST(Config, LayersApplyInOrder) {
  Config c;
  ASSERT_TRUE(apply_config_yaml(c, "listen: 0.0.0.0:6000\ndata: /srv/x\nuploads:\n  expiry: 2h\n"));
  EXPECT_EQ(c.listen, "0.0.0.0:6000");
  EXPECT_EQ(c.upload_expiry_seconds, 7200);
  ASSERT_TRUE(apply_config_env(c, {{"BULWARK_LISTEN", "127.0.0.1:7000"}}));
  EXPECT_EQ(c.listen, "127.0.0.1:7000");
  EXPECT_EQ(c.data_dir, "/srv/x");
}

TEST(Config, UnknownKeysAndBadValuesAreErrors) {
  Config c;
  auto r = apply_config_yaml(c, "lisen: x\n");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("lisen"), std::string::npos);
  EXPECT_FALSE(apply_config_yaml(c, "http:\n  worker_threads: many\n"));
  EXPECT_FALSE(apply_config_yaml(c, "listen: [a, b]\n"));
  EXPECT_FALSE(apply_config_yaml(c, "{{{"));
}

TEST(Config, Durations) {
  EXPECT_EQ(parse_duration_seconds("90").value(), 90);
  EXPECT_EQ(parse_duration_seconds("15m").value(), 900);
  EXPECT_EQ(parse_duration_seconds("7d").value(), 7 * 86400);
  EXPECT_FALSE(parse_duration_seconds("-1s"));
  EXPECT_FALSE(parse_duration_seconds("h"));
  EXPECT_FALSE(parse_duration_seconds("99999999999999999999d"));
}

}  // namespace
}  // namespace bulwark
