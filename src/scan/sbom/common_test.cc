#include "scan/sbom/common.h"

#include <gtest/gtest.h>

#include <regex>

#include "scan/sbom/sample_inventory_test.h"

namespace bulwark::scan {
namespace {

TEST(SbomTimestamp, NormalisesRfc3339ToUtcSeconds) {
  EXPECT_EQ(sbom_timestamp("2024-01-11T21:23:49Z"), "2024-01-11T21:23:49Z");
  EXPECT_EQ(sbom_timestamp("2024-01-11T21:23:49.123456789Z"), "2024-01-11T21:23:49Z");
  EXPECT_EQ(sbom_timestamp("2024-01-11t21:23:49z"), "2024-01-11T21:23:49Z");
  EXPECT_EQ(sbom_timestamp("2024-01-11T22:23:49+01:00"), "2024-01-11T21:23:49Z");
  EXPECT_EQ(sbom_timestamp("2023-12-31T23:30:00-01:00"), "2024-01-01T00:30:00Z");
  EXPECT_EQ(sbom_timestamp("2024-02-29T00:00:00Z"), "2024-02-29T00:00:00Z");
  EXPECT_EQ(sbom_timestamp("1970-01-01T00:00:00+00:00"), "1970-01-01T00:00:00Z");
}

TEST(SbomTimestamp, AnythingElseIsTheEpoch) {
  for (const char* bad :
       {"", "now", "2024-01-11", "2024-01-11T21:23:49", "2024-01-11 21:23:49Z",
        "2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-01-32T00:00:00Z",
        "2024-01-11T24:00:00Z", "2024-01-11T21:23:49.Z", "2024-01-11T21:23:49+0100",
        "2024-01-11T21:23:49Zjunk", "0000-01-01T00:00:00+01:00", "+2024-01-11T21:23:49Z"}) {
    EXPECT_EQ(sbom_timestamp(bad), "1970-01-01T00:00:00Z") << bad;
  }
}

TEST(UuidFrom, DeterministicVersion4Shape) {
  std::string a = uuid_from("seed"), b = uuid_from("seed"), c = uuid_from("other seed");
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  std::regex shape("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  EXPECT_TRUE(std::regex_match(a, shape)) << a;
  EXPECT_TRUE(std::regex_match(c, shape)) << c;
}

TEST(ValidUtf8, ReplacesInvalidBytesOnly) {
  EXPECT_EQ(valid_utf8("caf\xC3\xA9 \xF0\x9F\x98\x83"), "caf\xC3\xA9 \xF0\x9F\x98\x83");
  EXPECT_EQ(valid_utf8("a\xFF"
                       "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(valid_utf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong '/'
  EXPECT_EQ(valid_utf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(valid_utf8("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // truncated
}

TEST(Printable, ReplacesControlAndBidiCharacters) {
  EXPECT_EQ(printable("evil\x1B[31mred\x7F\n"), "evil?[31mred??");
  EXPECT_EQ(printable("a\xC2\x9B"
                      "b"),
            "a?b");                               // C1 CSI
  EXPECT_EQ(printable("x\xE2\x80\xAEy"), "x?y");  // RIGHT-TO-LEFT OVERRIDE
  EXPECT_EQ(printable("caf\xC3\xA9"), "caf\xC3\xA9");
}

TEST(DisplayNames, PerEcosystem) {
  auto inv = testing::sample_inventory();
  EXPECT_EQ(display_name(inv.packages[3]), "@babel/core");
  EXPECT_EQ(display_name(inv.packages[7]), "org.apache.logging.log4j:log4j-core");
  EXPECT_EQ(display_name(inv.packages[8]), "github.com/sirupsen/logrus");
  EXPECT_EQ(display_name(inv.packages[0]), "libssl3");
  EXPECT_EQ(display_version(inv.packages[2]), "2:8.0.1763-19.el8_6.4");
  EXPECT_EQ(display_version(inv.packages[0]), "3.0.11-1~deb12u2");
}

TEST(LayerDigest, OutOfRangeIsEmpty) {
  auto inv = testing::sample_inventory();
  EXPECT_EQ(layer_digest(inv.packages[0], inv), testing::kLayer0);
  inv.packages[0].layer = 7;
  EXPECT_EQ(layer_digest(inv.packages[0], inv), "");
  inv.packages[0].layer = -1;
  EXPECT_EQ(layer_digest(inv.packages[0], inv), "");
}

TEST(ImagePurl, RegistryReferencesAndOthers) {
  Inventory inv;
  inv.manifest_digest = testing::kManifestDigest;
  inv.platform = "linux/arm64/v8";
  inv.name = "docker://ghcr.io/acme/Tools/app:1.2";
  // Not a valid repository (upper case): falls back to the last path component.
  EXPECT_EQ(image_purl(inv),
            std::string("pkg:oci/app@sha256:") + std::string(64, '1') + "?arch=arm64");
  inv.name = "docker.io/library/debian:12";
  EXPECT_EQ(image_purl(inv), std::string("pkg:oci/debian@sha256:") + std::string(64, '1') +
                                 "?arch=arm64&repository_url=docker.io/library/debian&tag=12");
  inv.name = "oci:/tmp/layout:v1";
  inv.platform.clear();
  EXPECT_EQ(image_purl(inv), std::string("pkg:oci/layout@sha256:") + std::string(64, '1'));
  inv.manifest_digest.clear();
  EXPECT_EQ(image_purl(inv), "");
}

}  // namespace
}  // namespace bulwark::scan
