// The importer table: every shared feed sample is claimed by exactly its own importer, so
// `bulwark db import PATH` can pick the importer from the path alone.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "vulndb/advisory.h"

namespace bulwark::vulndb {
namespace {

TEST(Importers, EachSampleIsRecognizedByItsOwnImporterOnly) {
  const std::string data = VULNDB_SHARED_DATA;
  const struct {
    std::string path;
    std::string importer;
  } kSamples[] = {
      {data + "/vulndb/golang-vulndb/data", "osv"},
      {data + "/vulndb/pypa-advisory-db/vulns", "osv"},
      {data + "/vulndb/almalinux-osv/advisories", "osv"},
      {data + "/vulndb/vunnel-fixtures/debian/input/debian.json", "debian"},
      {data + "/vulndb/alpine-secdb/v3.9/main.yaml", "alpine"},
      {data + "/vulndb/kev/known_exploited_vulnerabilities.json", "kev"},
      {data + "/vulndb/epss/EPSS_CVE_data/CVE_2021_EPSS.csv", "epss"},
      {data + "/vulndb/rustsec/crates", "rustsec"},
      {data + "/vulndb/rubysec/gems", "rubysec"},
      {data + "/vulndb/friendsofphp", "friendsofphp"},
      {data + "/vulndb/vunnel-fixtures/nvd", "nvd"},
  };
  std::set<std::string_view> names;
  for (const auto& importer : all_importers()) {
    EXPECT_TRUE(names.insert(importer.name).second) << "duplicate importer " << importer.name;
  }
  for (const auto& sample : kSamples) {
    std::vector<std::string> claimed;
    for (const auto& importer : all_importers()) {
      if (importer.recognizes(sample.path)) claimed.emplace_back(importer.name);
    }
    EXPECT_EQ(claimed, std::vector<std::string>{sample.importer}) << sample.path;
  }
}

}  // namespace
}  // namespace bulwark::vulndb
