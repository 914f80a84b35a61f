#include "scan/sbom/spdx.h"

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
  return json::parse(text).as_object();
}

const json::object& package(const json::object& doc, size_t i) {
  return doc.at("packages").as_array().at(i).as_object();
}

json::value purl_ref(std::string_view purl) {
  return json::array{json::object{{"referenceCategory", "PACKAGE-MANAGER"},
                                  {"referenceType", "purl"},
                                  {"referenceLocator", purl}}};
}

TEST(Spdx, DocumentHeader) {
  auto doc = parse(to_spdx(sample_inventory()));
  EXPECT_EQ(doc.at("spdxVersion"), "SPDX-2.3");
  EXPECT_EQ(doc.at("dataLicense"), "CC0-1.0");
  EXPECT_EQ(doc.at("SPDXID"), "SPDXRef-DOCUMENT");
  EXPECT_EQ(doc.at("name"), "docker.io/library/debian:12");
  std::string ns(doc.at("documentNamespace").as_string());
  EXPECT_TRUE(std::regex_match(ns, std::regex(std::string("^https://bulwark.dev/spdx/") +
                                              testing::kManifestDigest + "-[0-9a-f]{32}$")))
      << ns;
  EXPECT_EQ(doc.at("creationInfo"),
            json::parse(R"({"created":"2024-01-11T21:23:49Z","creators":["Tool: bulwark"]})"));
  EXPECT_FALSE(doc.contains("documentDescribes"));
}

TEST(Spdx, ImageAndOperatingSystemPackages) {
  auto doc = parse(to_spdx(sample_inventory()));
  const auto& image = package(doc, 0);
  EXPECT_EQ(image.at("SPDXID"), "SPDXRef-Image");
  EXPECT_EQ(image.at("name"), "docker.io/library/debian:12");
  EXPECT_EQ(image.at("versionInfo"), testing::kManifestDigest);
  EXPECT_EQ(image.at("primaryPackagePurpose"), "CONTAINER");
  EXPECT_EQ(image.at("externalRefs"),
            purl_ref(std::string("pkg:oci/debian@") + testing::kManifestDigest +
                     "?arch=amd64&repository_url=docker.io/library/debian&tag=12"));
  const auto& os = package(doc, 1);
  EXPECT_EQ(os.at("SPDXID"), "SPDXRef-OperatingSystem");
  EXPECT_EQ(os.at("name"), "debian");
  EXPECT_EQ(os.at("versionInfo"), "12");
  EXPECT_EQ(os.at("primaryPackagePurpose"), "OPERATING_SYSTEM");
  EXPECT_EQ(os.at("description"), "Debian GNU/Linux 12 (bookworm)");
}

TEST(Spdx, PackageFields) {
  auto doc = parse(to_spdx(sample_inventory()));
  const auto& p = package(doc, 2);
  std::string id(p.at("SPDXID").as_string());
  EXPECT_TRUE(std::regex_match(id, std::regex("^SPDXRef-Package-deb-libssl3-[0-9a-f]{16}$"))) << id;
  EXPECT_EQ(p.at("name"), "libssl3");
  EXPECT_EQ(p.at("versionInfo"), "3.0.11-1~deb12u2");
  EXPECT_EQ(p.at("downloadLocation"), "NOASSERTION");
  EXPECT_EQ(p.at("filesAnalyzed"), false);
  EXPECT_EQ(p.at("licenseConcluded"), "NOASSERTION");
  EXPECT_EQ(p.at("licenseDeclared"), "Apache-2.0");
  EXPECT_EQ(
      p.at("externalRefs"),
      purl_ref(
          "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl"));
  EXPECT_EQ(p.at("sourceInfo"), json::value(std::string("layer ") + testing::kLayer0 +
                                            "; evidence /var/lib/dpkg/status; source package "
                                            "openssl 3.0.11-1~deb12u2"));
  // Names and versions as the ecosystems write them.
  EXPECT_EQ(package(doc, 4).at("versionInfo"), "2:8.0.1763-19.el8_6.4");
  EXPECT_EQ(package(doc, 5).at("name"), "@babel/core");
  EXPECT_EQ(package(doc, 9).at("name"), "org.apache.logging.log4j:log4j-core");
  EXPECT_EQ(package(doc, 10).at("name"), "github.com/sirupsen/logrus");
}

TEST(Spdx, LicensesDeclared) {
  auto doc = parse(to_spdx(sample_inventory()));
  // Free text becomes a LicenseRef defined in hasExtractedLicensingInfos.
  std::string bash(package(doc, 3).at("licenseDeclared").as_string());
  std::smatch m;
  ASSERT_TRUE(std::regex_match(
      bash, m, std::regex("^GPL-3.0-or-later AND (LicenseRef-Bash-Custom-Licence-[0-9a-f]{8})$")))
      << bash;
  EXPECT_EQ(package(doc, 6).at("licenseDeclared"), "MIT OR Apache-2.0");
  EXPECT_EQ(package(doc, 10).at("licenseDeclared"), "NOASSERTION");
  std::string django(package(doc, 11).at("licenseDeclared").as_string());
  EXPECT_TRUE(std::regex_match(django, std::regex("^LicenseRef-BSD-License-[0-9a-f]{8} AND MIT$")))
      << django;

  const auto& infos = doc.at("hasExtractedLicensingInfos").as_array();
  ASSERT_EQ(infos.size(), 2u);
  EXPECT_EQ(std::string(infos[0].at("licenseId").as_string()), m[1].str());
  EXPECT_EQ(infos[0].at("extractedText"), "Bash Custom Licence");
  EXPECT_EQ(infos[0].at("name"), "Bash Custom Licence");
  EXPECT_EQ(infos[1].at("extractedText"), "BSD License");
}

TEST(Spdx, LicenseRefsFromTheImageAreDefinedOnce) {
  Inventory inv;
  inv.packages = {testing::make_package("npm", "", "a", "1", {"LicenseRef-Acme OR MIT"}, "", -1),
                  testing::make_package("npm", "", "b", "1", {"LicenseRef-Acme", "???"}, "", -1)};
  auto doc = parse(to_spdx(inv));
  EXPECT_EQ(package(doc, 1).at("licenseDeclared"), "LicenseRef-Acme OR MIT");
  std::string b(package(doc, 2).at("licenseDeclared").as_string());
  EXPECT_TRUE(std::regex_match(b, std::regex("^LicenseRef-Acme AND LicenseRef-[0-9a-f]{8}$"))) << b;
  const auto& infos = doc.at("hasExtractedLicensingInfos").as_array();
  ASSERT_EQ(infos.size(), 2u);
  EXPECT_EQ(infos[0].at("licenseId"), "LicenseRef-Acme");
  EXPECT_EQ(infos[1].at("extractedText"), "???");
}

TEST(Spdx, IdsAreValidAndUniqueAndRelationshipsCoverEveryPackage) {
  auto doc = parse(to_spdx(sample_inventory()));
  std::set<std::string> ids;
  const std::regex valid("^SPDXRef-[A-Za-z0-9.-]+$");
  for (const auto& p : doc.at("packages").as_array()) {
    std::string id(p.at("SPDXID").as_string());
    EXPECT_TRUE(std::regex_match(id, valid)) << id;
    EXPECT_TRUE(ids.insert(id).second) << id;
  }
  EXPECT_EQ(ids.size(), 12u);
  // The duplicate purls (ms at two paths) have different ids.
  EXPECT_NE(package(doc, 7).at("SPDXID"), package(doc, 8).at("SPDXID"));

  const auto& rels = doc.at("relationships").as_array();
  ASSERT_EQ(rels.size(), 12u);
  EXPECT_EQ(rels[0],
            json::parse(R"({"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES",)"
                        R"("relatedSpdxElement":"SPDXRef-Image"})"));
  std::set<std::string> contained;
  for (size_t i = 1; i < rels.size(); ++i) {
    EXPECT_EQ(rels[i].at("spdxElementId"), "SPDXRef-Image");
    EXPECT_EQ(rels[i].at("relationshipType"), "CONTAINS");
    contained.insert(std::string(rels[i].at("relatedSpdxElement").as_string()));
  }
  ids.erase("SPDXRef-Image");
  EXPECT_EQ(contained, ids);
}

TEST(Spdx, IdenticalPackagesStillGetDistinctIds) {
  Inventory inv;
  auto p = testing::make_package("npm", "", "same", "1", {}, "/a/package.json", -1);
  inv.packages = {p, p};
  auto doc = parse(to_spdx(inv));
  std::string first(package(doc, 1).at("SPDXID").as_string());
  EXPECT_EQ(package(doc, 2).at("SPDXID"), json::value(first + "-1"));
}

TEST(Spdx, Deterministic) {
  const Inventory inv = sample_inventory();
  const std::string a = to_spdx(inv);
  EXPECT_EQ(a, to_spdx(inv));
  Inventory changed = inv;
  changed.packages[0].licenses = {"MIT"};
  EXPECT_NE(parse(a).at("documentNamespace"), parse(to_spdx(changed)).at("documentNamespace"));
}

TEST(Spdx, EmptyInventory) {
  auto doc = parse(to_spdx(Inventory{}));
  EXPECT_EQ(doc.at("name"), "image");
  EXPECT_EQ(doc.at("creationInfo").at("created"), "1970-01-01T00:00:00Z");
  std::string ns(doc.at("documentNamespace").as_string());
  EXPECT_TRUE(ns.starts_with("https://bulwark.dev/spdx/unknown-")) << ns;
  ASSERT_EQ(doc.at("packages").as_array().size(), 1u);
  EXPECT_FALSE(package(doc, 0).contains("externalRefs"));
  EXPECT_FALSE(doc.contains("hasExtractedLicensingInfos"));
}

}  // namespace
}  // namespace bulwark::scan
