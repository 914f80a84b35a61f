#include "scan/sbom/cyclonedx.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <regex>
#include <set>

#include "scan/sbom/sample_inventory_test.h"

namespace bulwark::scan {
namespace {

namespace json = boost::json;
using testing::sample_inventory;

json::object parse(const std::string& text) {
  EXPECT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  return json::parse(text).as_object();  // Boost.JSON also rejects invalid UTF-8
}

const json::object& component(const json::object& bom, size_t i) {
  return bom.at("components").as_array().at(i).as_object();
}

// The value of the first property called `name`, or "" when there is none.
std::string property(const json::object& c, std::string_view name) {
  if (!c.contains("properties")) return "";
  for (const auto& p : c.at("properties").as_array()) {
    if (p.at("name").as_string() == name) return std::string(p.at("value").as_string());
  }
  return "";
}

TEST(CycloneDx, DocumentHeader) {
  for (int minor : {5, 6}) {
    auto bom = parse(to_cyclonedx(sample_inventory(), minor));
    std::string version = "1." + std::to_string(minor);
    EXPECT_EQ(bom.at("bomFormat"), "CycloneDX");
    EXPECT_EQ(bom.at("specVersion"), json::value(version));
    EXPECT_EQ(bom.at("$schema"),
              json::value("http://cyclonedx.org/schema/bom-" + version + ".schema.json"));
    EXPECT_EQ(bom.at("version"), 1);
    std::string serial(bom.at("serialNumber").as_string());
    EXPECT_TRUE(std::regex_match(
        serial,
        std::regex(
            "^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")))
        << serial;
  }
}

TEST(CycloneDx, MetadataDescribesTheImage) {
  auto bom = parse(to_cyclonedx(sample_inventory(), 6));
  const auto& metadata = bom.at("metadata").as_object();
  // The config's "created" (+01:00) in UTC, without the fraction.
  EXPECT_EQ(metadata.at("timestamp"), "2024-01-11T21:23:49Z");
  EXPECT_EQ(metadata.at("tools").at("components").at(0).at("name"), "bulwark");
  const auto& image = metadata.at("component").as_object();
  const std::string purl = std::string("pkg:oci/debian@") + testing::kManifestDigest +
                           "?arch=amd64&repository_url=docker.io/library/debian&tag=12";
  EXPECT_EQ(image.at("type"), "container");
  EXPECT_EQ(image.at("name"), "docker.io/library/debian:12");
  EXPECT_EQ(image.at("version"), testing::kManifestDigest);
  EXPECT_EQ(image.at("purl"), json::value(purl));
  EXPECT_EQ(image.at("bom-ref"), json::value(purl));
  EXPECT_EQ(property(image, "bulwark:image:platform"), "linux/amd64");
  EXPECT_EQ(property(image, "bulwark:image:layer"), testing::kLayer0);
}

TEST(CycloneDx, OperatingSystemComponent) {
  auto bom = parse(to_cyclonedx(sample_inventory(), 6));
  const auto& os = component(bom, 0);
  EXPECT_EQ(os.at("type"), "operating-system");
  EXPECT_EQ(os.at("name"), "debian");
  EXPECT_EQ(os.at("version"), "12");
  EXPECT_EQ(os.at("description"), "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(property(os, "bulwark:evidence"), "/etc/os-release");
}

TEST(CycloneDx, DebianPackageWithSourcePackage) {
  auto bom = parse(to_cyclonedx(sample_inventory(), 6));
  const auto& c = component(bom, 1);
  const std::string purl =
      "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl";
  EXPECT_EQ(c.at("type"), "library");
  EXPECT_EQ(c.at("bom-ref"), json::value(purl));
  EXPECT_EQ(c.at("purl"), json::value(purl));
  EXPECT_EQ(c.at("name"), "libssl3");
  EXPECT_EQ(c.at("version"), "3.0.11-1~deb12u2");
  EXPECT_FALSE(c.contains("group"));
  EXPECT_EQ(c.at("licenses"), json::parse(R"([{"license":{"id":"Apache-2.0"}}])"));
  EXPECT_EQ(property(c, "bulwark:package:type"), "deb");
  EXPECT_EQ(property(c, "bulwark:layer:digest"), testing::kLayer0);
  EXPECT_EQ(property(c, "bulwark:layer:diff-id"), "sha256:d0");
  EXPECT_EQ(property(c, "bulwark:evidence"), "/var/lib/dpkg/status");
  EXPECT_EQ(property(c, "bulwark:package:source-name"), "openssl");
  EXPECT_EQ(property(c, "bulwark:package:source-version"), "3.0.11-1~deb12u2");
}

TEST(CycloneDx, Licences) {
  auto bom = parse(to_cyclonedx(sample_inventory(), 6));
  // An SPDX id next to free text: a list of id and name.
  EXPECT_EQ(
      component(bom, 2).at("licenses"),
      json::parse(
          R"([{"license":{"id":"GPL-3.0-or-later"}},{"license":{"name":"Bash Custom Licence"}}])"));
  // An expression (normalised).
  EXPECT_EQ(component(bom, 5).at("licenses"),
            json::parse(R"([{"expression":"MIT OR Apache-2.0"}])"));
  // No licence: no licenses member.
  EXPECT_FALSE(component(bom, 9).contains("licenses"));
  EXPECT_EQ(component(bom, 10).at("licenses"),
            json::parse(R"([{"license":{"name":"BSD License"}},{"license":{"id":"MIT"}}])"));
}

TEST(CycloneDx, LicenceMixes) {
  Inventory inv;
  auto with = [&](std::vector<std::string> licenses) {
    inv.packages = {testing::make_package("npm", "", "x", "1", std::move(licenses), "", -1)};
    return parse(to_cyclonedx(inv, 6)).at("components").at(0).at("licenses");
  };
  // Expressions and ids together: one expression.
  EXPECT_EQ(with({"MIT", "GPL-2.0-only OR BSD-2-Clause"}),
            json::parse(R"j([{"expression":"MIT AND (GPL-2.0-only OR BSD-2-Clause)"}])j"));
  // An expression next to free text cannot be one expression: names.
  EXPECT_EQ(
      with({"MIT OR Apache-2.0", "Custom"}),
      json::parse(R"([{"license":{"name":"MIT OR Apache-2.0"}},{"license":{"name":"Custom"}}])"));
  // Duplicates collapse; empty strings vanish.
  EXPECT_EQ(with({"mit", "MIT", " "}), json::parse(R"([{"license":{"id":"MIT"}}])"));
}

TEST(CycloneDx, RpmWithEpochNpmScopedMavenGolangPypi) {
  auto bom = parse(to_cyclonedx(sample_inventory(), 6));
  const auto& vim = component(bom, 3);
  EXPECT_EQ(vim.at("version"), "2:8.0.1763-19.el8_6.4");
  EXPECT_EQ(vim.at("purl"),
            "pkg:rpm/redhat/vim-minimal@8.0.1763-19.el8_6.4?arch=x86_64&distro=debian-12&epoch=2"
            "&upstream=vim-8.0.1763-19.el8_6.4.src.rpm");
  EXPECT_EQ(property(vim, "bulwark:package:epoch"), "2");
  EXPECT_FALSE(vim.contains("group"));  // an OS package's namespace is its vendor

  const auto& babel = component(bom, 4);
  EXPECT_EQ(babel.at("group"), "@babel");
  EXPECT_EQ(babel.at("name"), "core");
  EXPECT_EQ(babel.at("purl"), "pkg:npm/%40babel/core@7.23.0");
  EXPECT_EQ(property(babel, "bulwark:layer:digest"), testing::kLayer1);

  const auto& log4j = component(bom, 8);
  EXPECT_EQ(log4j.at("group"), "org.apache.logging.log4j");
  EXPECT_EQ(log4j.at("purl"), "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1");
  EXPECT_EQ(property(log4j, "bulwark:evidence"),
            "/app/app.jar!/BOOT-INF/lib/log4j-core-2.17.1.jar");

  const auto& logrus = component(bom, 9);
  EXPECT_EQ(logrus.at("purl"), "pkg:golang/github.com/sirupsen/logrus@v1.9.3");
  EXPECT_EQ(logrus.at("name"), "github.com/sirupsen/logrus");
  EXPECT_FALSE(logrus.contains("group"));
  EXPECT_EQ(component(bom, 10).at("purl"), "pkg:pypi/django-rest@3.14.0");
  EXPECT_EQ(component(bom, 10).at("name"), "Django_Rest");
}

TEST(CycloneDx, DuplicatePurlsGetUniqueBomRefs) {
  auto bom = parse(to_cyclonedx(sample_inventory(), 6));
  EXPECT_EQ(component(bom, 6).at("purl"), "pkg:npm/ms@2.1.3");
  EXPECT_EQ(component(bom, 7).at("purl"), "pkg:npm/ms@2.1.3");
  EXPECT_EQ(component(bom, 6).at("bom-ref"), "pkg:npm/ms@2.1.3");
  EXPECT_EQ(component(bom, 7).at("bom-ref"), "pkg:npm/ms@2.1.3?package-id=6");

  // Every bom-ref is unique, and the image depends on every component.
  std::set<std::string> refs;
  for (const auto& c : bom.at("components").as_array()) {
    EXPECT_TRUE(refs.insert(std::string(c.at("bom-ref").as_string())).second) << c;
  }
  EXPECT_EQ(refs.size(), 11u);
  const auto& deps = bom.at("dependencies").as_array();
  ASSERT_EQ(deps.size(), 1u);
  EXPECT_EQ(deps[0].at("ref"), bom.at("metadata").at("component").at("bom-ref"));
  std::set<std::string> depends_on;
  for (const auto& d : deps[0].at("dependsOn").as_array())
    depends_on.insert(std::string(d.as_string()));
  EXPECT_EQ(depends_on, refs);
}

TEST(CycloneDx, UsesThePurlTheWalkerSet) {
  Inventory inv = sample_inventory();
  inv.packages[0].purl = "pkg:deb/debian/libssl3@preset";
  auto bom = parse(to_cyclonedx(inv, 6));
  EXPECT_EQ(component(bom, 1).at("purl"), "pkg:deb/debian/libssl3@preset");
}

TEST(CycloneDx, Deterministic) {
  const Inventory inv = sample_inventory();
  const std::string a = to_cyclonedx(inv, 6);
  EXPECT_EQ(a, to_cyclonedx(inv, 6));
  // A different spec version or different content is a different BOM.
  auto serial = [](const std::string& doc) { return parse(doc).at("serialNumber"); };
  EXPECT_NE(serial(a), serial(to_cyclonedx(inv, 5)));
  Inventory changed = inv;
  changed.packages[1].version = "5.2.15-2+b3";
  EXPECT_NE(serial(a), serial(to_cyclonedx(changed, 6)));
}

TEST(CycloneDx, NoTimestampNoOsNoPackages) {
  Inventory inv;
  inv.created = "yesterday";
  auto bom = parse(to_cyclonedx(inv, 6));
  EXPECT_EQ(bom.at("metadata").at("timestamp"), "1970-01-01T00:00:00Z");
  EXPECT_EQ(bom.at("metadata").at("component").at("bom-ref"), "bulwark:image");
  EXPECT_EQ(bom.at("metadata").at("component").at("name"), "image");
  EXPECT_TRUE(bom.at("components").as_array().empty());
}

TEST(CycloneDx, InvalidUtf8FromTheImageStaysValidJson) {
  Inventory inv = sample_inventory();
  inv.packages[0].name = "bad\xFFname\"quote";
  inv.packages[0].licenses = {"Weird \xC0 licence"};
  auto bom = parse(to_cyclonedx(inv, 6));
  EXPECT_EQ(component(bom, 1).at("name"), "bad\xEF\xBF\xBDname\"quote");
}

}  // namespace
}  // namespace bulwark::scan
