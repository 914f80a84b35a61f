#include "scan/sbom/format.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "scan/sbom/cyclonedx.h"
#include "scan/sbom/sample_inventory_test.h"
#include "scan/sbom/spdx.h"
#include "scan/sbom/table.h"

namespace bulwark::scan {
namespace {

TEST(SbomFormats, TheTable) {
  std::vector<std::pair<std::string_view, std::string_view>> got;
  for (const auto& f : sbom_formats()) got.emplace_back(f.name, f.media_type);
  EXPECT_EQ(got, (std::vector<std::pair<std::string_view, std::string_view>>{
                     {"cyclonedx", "application/vnd.cyclonedx+json"},
                     {"cyclonedx-1.5", "application/vnd.cyclonedx+json"},
                     {"cyclonedx-1.6", "application/vnd.cyclonedx+json"},
                     {"spdx", "application/spdx+json"},
                     {"table", "text/plain"},
                 }));
}

TEST(SbomFormats, FindByName) {
  for (const auto& f : sbom_formats()) EXPECT_EQ(find_sbom_format(f.name), &f);
  EXPECT_EQ(find_sbom_format("CycloneDX"), nullptr);
  EXPECT_EQ(find_sbom_format("json"), nullptr);
  EXPECT_EQ(find_sbom_format(""), nullptr);
}

TEST(SbomFormats, WritersProduceTheirFormat) {
  const Inventory inv = testing::sample_inventory();
  auto spec = [&](std::string_view name) {
    return boost::json::parse(find_sbom_format(name)->write(inv)).at("specVersion");
  };
  EXPECT_EQ(spec("cyclonedx"), "1.6");
  EXPECT_EQ(spec("cyclonedx-1.6"), "1.6");
  EXPECT_EQ(spec("cyclonedx-1.5"), "1.5");
  EXPECT_EQ(find_sbom_format("cyclonedx")->write(inv), to_cyclonedx(inv, 6));
  EXPECT_EQ(find_sbom_format("spdx")->write(inv), to_spdx(inv));
  EXPECT_EQ(find_sbom_format("table")->write(inv), to_table(inv));
}

}  // namespace
}  // namespace bulwark::scan
