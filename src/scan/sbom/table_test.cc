#include "scan/sbom/table.h"

#include <gtest/gtest.h>

#include "scan/sbom/sample_inventory_test.h"

namespace bulwark::scan {
namespace {

TEST(Table, HeaderRowsAndWarnings) {
  Inventory inv = testing::sample_inventory();
  inv.packages.resize(4);
  inv.packages[3].evidence.clear();
  inv.packages[3].layer = -1;
  EXPECT_EQ(to_table(inv),
            "Image:    docker.io/library/debian:12\n"
            "Digest:   sha256:1111111111111111111111111111111111111111111111111111111111111111\n"
            "Platform: linux/amd64\n"
            "OS:       Debian GNU/Linux 12 (bookworm)\n"
            "\n"
            "TYPE  NAME         VERSION                LAYER         EVIDENCE\n"
            "deb   libssl3      3.0.11-1~deb12u2       aaaaaaaaaaaa  /var/lib/dpkg/status\n"
            "deb   bash         5.2.15-2+b2            aaaaaaaaaaaa  /var/lib/dpkg/status\n"
            "rpm   vim-minimal  2:8.0.1763-19.el8_6.4  aaaaaaaaaaaa  /var/lib/rpm/rpmdb.sqlite\n"
            "npm   @babel/core  7.23.0                 -             -\n"
            "\n"
            "4 packages\n"
            "\n"
            "Warnings:\n"
            "  /app/broken/package-lock.json: npm-lock: not valid JSON\n");
}

TEST(Table, EmptyInventory) {
  EXPECT_EQ(to_table(Inventory{}),
            "Image:    image\n"
            "Digest:   -\n"
            "Platform: -\n"
            "OS:       unknown\n"
            "\n"
            "No packages found.\n");
}

TEST(Table, TextFromTheImageCannotDriveTheTerminal) {
  Inventory inv;
  inv.os = OsRelease{"evil", "1", "", "Evil\x1B]0;pwned\x07OS", ""};
  inv.packages = {testing::make_package("npm", "", "x\x1B[2Jy",
                                        "1\xE2\x80\xAE"
                                        "0",
                                        {}, "/p\r", -1)};
  inv.warnings = {"bad\x1B[31m file"};
  std::string table = to_table(inv);
  EXPECT_EQ(table.find('\x1B'), std::string::npos) << table;
  EXPECT_EQ(table.find('\r'), std::string::npos) << table;
  EXPECT_EQ(table.find("\xE2\x80\xAE"), std::string::npos) << table;
  EXPECT_NE(table.find("OS:       Evil?]0;pwned?OS\n"), std::string::npos) << table;
  EXPECT_NE(table.find("npm   x?[2Jy  1?0      -      /p?\n"), std::string::npos) << table;
  EXPECT_NE(table.find("  bad?[31m file\n"), std::string::npos) << table;
}

TEST(Table, AlignsByCharactersNotBytes) {
  Inventory inv;
  inv.packages = {testing::make_package("pypi", "", "caf\xC3\xA9", "1", {}, "/a", -1),
                  testing::make_package("pypi", "", "cafe", "2", {}, "/b", -1)};
  std::string table = to_table(inv);
  EXPECT_NE(table.find("pypi  caf\xC3\xA9  1        -      /a\n"), std::string::npos) << table;
  EXPECT_NE(table.find("pypi  cafe  2        -      /b\n"), std::string::npos) << table;
  EXPECT_NE(table.find("\n2 packages\n"), std::string::npos) << table;
}

}  // namespace
}  // namespace bulwark::scan
