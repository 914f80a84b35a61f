// Tests of the matcher (match.h): synthetic advisories for each rule (statuses, intervals,
// last_affected, listed versions, distribution isolation, source packages, rpm epochs, name
// normalisation, Go versions, alias merging, severity precedence, KEV/EPSS, fix choice), and real
// samples read by their importers (Go vulndb, Alpine secdb) with expected findings worked out by
// hand from the sample files (the advisory ids are cited beside each expectation).
#include "vulndb/match.h"

#include <gtest/gtest.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "vulndb/sources/importer_testing.h"

namespace bulwark::vulndb {
namespace {

using Kind = VersionEvent::Kind;
using Events = std::vector<VersionEvent>;

// ---- builders -----------------------------------------------------------------------------------

Advisory advisory(std::string id, std::string source, std::vector<std::string> aliases = {}) {
  Advisory a;
  a.id = std::move(id);
  a.source = std::move(source);
  a.aliases = std::move(aliases);
  return a;
}

Affected affected(std::string ecosystem, std::string distro, std::string package,
                  AffectedStatus status = AffectedStatus::kAffected,
                  std::vector<Events> ranges = {}, std::string severity = {}) {
  Affected a;
  a.ecosystem = std::move(ecosystem);
  a.distro = std::move(distro);
  a.package = std::move(package);
  a.status = status;
  for (auto& events : ranges) a.ranges.push_back({"ECOSYSTEM", std::move(events)});
  a.severity = std::move(severity);
  return a;
}

// [0, fixed)
Events fixed_in(std::string version) {
  return {{Kind::kIntroduced, "0"}, {Kind::kFixed, std::move(version)}};
}

MatchPackage package(std::string type, std::string name, std::string version,
                     std::string source_name = {}, std::string source_version = {}) {
  MatchPackage p;
  p.type = std::move(type);
  p.name = std::move(name);
  p.version = std::move(version);
  p.source_name = std::move(source_name);
  p.source_version = std::move(source_version);
  p.purl = "pkg:" + p.type + "/" + p.name + "@" + p.version;
  return p;
}

// "VULN package@installed fix=V status" per finding, in the result's order.
std::string status_name(AffectedStatus s) {
  switch (s) {
    case AffectedStatus::kAffected:
      return "affected";
    case AffectedStatus::kUnfixed:
      return "unfixed";
    case AffectedStatus::kWillNotFix:
      return "wontfix";
    case AffectedStatus::kNotAffected:
      return "not-affected";
  }
  return "?";
}
std::vector<std::string> lines(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const Finding& f : findings) {
    out.push_back(f.vulnerability + " " + f.package_name + "@" + f.installed_version +
                  " fix=" + f.fixed_version + " " + status_name(f.status));
  }
  return out;
}
std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

const Finding* find(const std::vector<Finding>& findings, std::string_view vulnerability,
                    std::string_view installed = {}) {
  for (const Finding& f : findings) {
    if (f.vulnerability == vulnerability &&
        (installed.empty() || f.installed_version == installed)) {
      return &f;
    }
  }
  return nullptr;
}

constexpr const char* kCvss31Critical = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";  // 9.8
constexpr const char* kCvss31High = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N";      // 7.5
constexpr const char* kCvss31Medium = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N";    // 5.4
// 6.9 MEDIUM (FIRST's CVSS v4.0 calculator examples).
constexpr const char* kCvss40Medium =
    "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:N/SC:N/SI:L/SA:N";
constexpr const char* kCvss2High = "AV:N/AC:L/Au:N/C:P/I:P/A:P";  // 7.5

// ---- the synthetic database ---------------------------------------------------------------------

std::vector<Advisory> synthetic_advisories() {
  std::vector<Advisory> db;
  // Debian tracker records: every status, two releases.
  {
    Advisory a = advisory("CVE-2024-0001", "debian");
    a.summary = "openssl: fixed in a point release";
    a.affected.push_back(affected("deb", "debian:12", "openssl", AffectedStatus::kAffected,
                                  {fixed_in("3.0.11-1~deb12u2")}, "high"));
    a.affected.push_back(affected("deb", "debian:11", "openssl", AffectedStatus::kAffected,
                                  {fixed_in("1.1.1w-0+deb11u1")}, "high"));
    db.push_back(std::move(a));
  }
  {
    Advisory a = advisory("CVE-2024-0002", "debian");
    a.affected.push_back(
        affected("deb", "debian:12", "openssl", AffectedStatus::kUnfixed, {}, "low"));
    db.push_back(std::move(a));
  }
  {
    Advisory a = advisory("CVE-2024-0003", "debian");
    a.affected.push_back(
        affected("deb", "debian:12", "openssl", AffectedStatus::kWillNotFix, {}, "unimportant"));
    db.push_back(std::move(a));
  }
  {
    Advisory a = advisory("CVE-2024-0004", "debian");
    a.affected.push_back(affected("deb", "debian:12", "openssl", AffectedStatus::kNotAffected));
    db.push_back(std::move(a));
  }
  {
    Advisory a = advisory("CVE-2024-0005", "debian");  // bullseye only
    a.affected.push_back(affected("deb", "debian:11", "openssl", AffectedStatus::kUnfixed));
    db.push_back(std::move(a));
  }
  // npm: unsorted events with two intervals, a last_affected range, a listed version.
  {
    Advisory a = advisory("GHSA-1111-1111-1111", "osv");
    Affected x = affected("npm", "", "lodash", AffectedStatus::kAffected,
                          {{{Kind::kFixed, "2.0.0"},
                            {Kind::kIntroduced, "3.0.0"},
                            {Kind::kIntroduced, "0"},
                            {Kind::kFixed, "3.2.1"}},
                           {{Kind::kIntroduced, "5.0.0"}, {Kind::kLastAffected, "5.1.0"}}});
    x.ranges.push_back({"GIT", {{Kind::kIntroduced, "0"}, {Kind::kFixed, "abcdef"}}});
    x.versions = {"6.0.0-beta.1"};
    a.affected.push_back(std::move(x));
    db.push_back(std::move(a));
  }
  // PyPI names as the feeds write them.
  {
    Advisory a = advisory("PYSEC-2024-1", "osv");
    a.affected.push_back(
        affected("pypi", "", "Django", AffectedStatus::kAffected, {fixed_in("4.2.8")}));
    a.affected.push_back(
        affected("pypi", "", "zope.interface", AffectedStatus::kAffected, {fixed_in("5.0")}));
    db.push_back(std::move(a));
  }
  // rpm: epochs, and a binary package name (AlmaLinux style) besides a source one.
  {
    Advisory a = advisory("ALSA-2024:0001", "osv");
    a.related = {"CVE-2024-2000"};  // related, not an alias: stays its own vulnerability
    a.affected.push_back(affected("rpm", "almalinux:8", "bind", AffectedStatus::kAffected,
                                  {fixed_in("32:9.11.36-14.el8")}));
    a.affected.push_back(affected("rpm", "almalinux:8", "libtiff-devel", AffectedStatus::kAffected,
                                  {fixed_in("4.0.9-38.el8")}));
    a.affected.push_back(affected("rpm", "almalinux:8", "vim-minimal", AffectedStatus::kAffected,
                                  {fixed_in("2:8.0.1763-16.el8")}));
    db.push_back(std::move(a));
  }
  // apk by origin.
  {
    Advisory a = advisory("CVE-2024-1000", "alpine");
    a.affected.push_back(affected("apk", "alpine:3.19", "openssl", AffectedStatus::kAffected,
                                  {fixed_in("3.1.4-r1")}));
    db.push_back(std::move(a));
  }
  // Go: a module ("1.2.3" without "v", as OSV writes it) and the standard library.
  {
    Advisory a = advisory("GO-2024-0001", "osv");
    a.affected.push_back(affected("golang", "", "github.com/foo/bar", AffectedStatus::kAffected,
                                  {fixed_in("1.2.3")}));
    a.affected.push_back(affected("golang", "", "stdlib", AffectedStatus::kAffected,
                                  {{{Kind::kIntroduced, "0"},
                                    {Kind::kFixed, "1.20.12"},
                                    {Kind::kIntroduced, "1.21.0-0"},
                                    {Kind::kFixed, "1.21.5"}}}));
    db.push_back(std::move(a));
  }
  // One vulnerability in four records: GHSA (OSV), NVD, a DSA and the tracker's CVE.
  {
    Advisory a = advisory("GHSA-2222-2222-2222", "osv", {"CVE-2024-2000"});
    a.summary = "requests leaks credentials";
    a.severities.push_back({"CVSS_V3", kCvss31Critical, "ghsa"});
    a.affected.push_back(
        affected("pypi", "", "requests", AffectedStatus::kAffected, {fixed_in("2.31.0")}));
    db.push_back(std::move(a));
    Advisory nvd = advisory("CVE-2024-2000", "nvd");
    nvd.details = "NVD's description.\nSecond line.";
    nvd.severities.push_back({"CVSS_V3", kCvss31High, "nvd"});
    nvd.cwes = {"CWE-200"};
    db.push_back(std::move(nvd));
    Advisory dsa = advisory("DSA-5500-1", "debian", {"CVE-2024-2000"});
    dsa.summary = "requests - security update";
    dsa.affected.push_back(affected("deb", "debian:12", "requests", AffectedStatus::kAffected,
                                    {fixed_in("2.28.1+dfsg-1+deb12u1")}));
    db.push_back(std::move(dsa));
    Advisory tracker = advisory("CVE-2024-2000", "debian");
    tracker.affected.push_back(affected("deb", "debian:12", "requests", AffectedStatus::kAffected,
                                        {fixed_in("2.28.1+dfsg-1+deb12u2")}, "medium"));
    db.push_back(std::move(tracker));
  }
  // Two CVEs joined by one GHSA: the group is named by the smaller (natural order).
  {
    Advisory a = advisory("GHSA-3333-3333-3333", "osv", {"CVE-2024-10001", "CVE-2024-9999"});
    a.severities.push_back({"TEXT", "moderate", "ghsa"});
    a.affected.push_back(
        affected("npm", "", "left-pad", AffectedStatus::kAffected, {fixed_in("1.3.0")}));
    db.push_back(std::move(a));
  }
  // Severity precedence among CVSS ratings.
  {
    Advisory a = advisory("GHSA-4444-4444-4444", "osv", {"CVE-2024-4000"});
    a.severities.push_back({"CVSS_V3", kCvss31Critical, "ghsa"});
    a.severities.push_back({"CVSS_V4", kCvss40Medium, "ghsa"});
    a.affected.push_back(
        affected("npm", "", "v4pkg", AffectedStatus::kAffected, {fixed_in("1.0.0")}));
    db.push_back(std::move(a));
  }
  {
    Advisory a = advisory("RUSTSEC-2024-0001", "rustsec");
    a.severities.push_back({"CVSS_V3", "CVSS:3.1/AV:X/AC:L", "rustsec"});   // invalid: skipped
    a.severities.push_back({"CVSS_V4", "CVSS:4.0/AV:N/bogus", "rustsec"});  // invalid: skipped
    a.severities.push_back({"CVSS_V2", kCvss2High, ""});  // rater: the advisory's source
    a.affected.push_back(
        affected("cargo", "", "my_crate", AffectedStatus::kAffected, {fixed_in("0.5.0")}));
    db.push_back(std::move(a));
  }
  {
    // No rating of its own: the group's NVD rating wins over another record's.
    Advisory a = advisory("GHSA-5555-5555-5555", "osv", {"CVE-2024-5000"});
    a.details = "\n  First line of the details.  \nMore.";
    a.affected.push_back(
        affected("gem", "", "rack", AffectedStatus::kAffected, {fixed_in("3.0.1")}));
    db.push_back(std::move(a));
    Advisory other = advisory("OSV-2024-5000", "osv", {"CVE-2024-5000"});
    other.severities.push_back({"CVSS_V3", kCvss31Critical, "other"});
    db.push_back(std::move(other));
    Advisory nvd = advisory("CVE-2024-5000", "nvd");
    nvd.severities.push_back({"CVSS_V3", kCvss31Medium, "nvd"});
    db.push_back(std::move(nvd));
  }
  {
    Advisory a = advisory("GHSA-6666-6666-6666", "osv");  // no rating anywhere
    a.affected.push_back(
        affected("nuget", "", "Newtonsoft.Json", AffectedStatus::kAffected, {fixed_in("13.0.1")}));
    db.push_back(std::move(a));
  }
  {
    Advisory tracker = advisory("CVE-2024-6000", "debian");
    tracker.affected.push_back(affected("deb", "debian:12", "zlib", AffectedStatus::kAffected,
                                        {fixed_in("1.0-2")}, "critical"));
    db.push_back(std::move(tracker));
    Advisory dsa = advisory("DSA-6000-1", "debian", {"CVE-2024-6000"});
    dsa.affected.push_back(
        affected("deb", "debian:12", "zlib", AffectedStatus::kAffected, {fixed_in("1.0-3")}));
    db.push_back(std::move(dsa));
  }
  {
    Advisory a = advisory("GHSA-7777-7777-7777", "osv");
    a.withdrawn = true;
    a.affected.push_back(
        affected("npm", "", "lodash", AffectedStatus::kAffected, {fixed_in("99.0.0")}));
    db.push_back(std::move(a));
  }
  return db;
}

std::vector<KevEntry> synthetic_kev() {
  KevEntry k;
  k.cve = "CVE-2024-0001";
  k.due_date = "2024-02-01";
  return {k};
}

std::vector<EpssScore> synthetic_epss() {
  return {{"CVE-2024-0001", 0.5, 0.9}, {"CVE-2024-10001", 0.2, 0.7}, {"CVE-2024-9999", 0.4, 0.8}};
}

class MatchTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    index_ = MatchIndex::build(synthetic_advisories(), synthetic_kev(), synthetic_epss());
  }
  static void TearDownTestSuite() { index_.reset(); }
  static MatchResult run(std::string distro, std::vector<MatchPackage> packages) {
    return index_->match(MatchInput{std::move(distro), std::move(packages)});
  }
  static std::shared_ptr<const MatchIndex> index_;
};
std::shared_ptr<const MatchIndex> MatchTest::index_;

// ---- table-driven matching ----------------------------------------------------------------------

struct Case {
  std::string name;
  std::string distro;
  std::vector<MatchPackage> packages;
  std::vector<std::string> findings;      // lines(), sorted
  std::vector<std::string> not_affected;  // lines(), sorted
};

TEST_F(MatchTest, Table) {
  const std::vector<Case> cases = {
      {"debian 12: fixed, unfixed, will-not-fix and not-affected, by source package and version",
       "debian:12",
       {package("deb", "libssl3", "3.0.11-1~deb12u1+b1", "openssl", "3.0.11-1~deb12u1")},
       {"CVE-2024-0001 openssl@3.0.11-1~deb12u1+b1 fix=3.0.11-1~deb12u2 affected",
        "CVE-2024-0002 openssl@3.0.11-1~deb12u1+b1 fix= unfixed",
        "CVE-2024-0003 openssl@3.0.11-1~deb12u1+b1 fix= wontfix"},
       {"CVE-2024-0004 openssl@3.0.11-1~deb12u1+b1 fix= not-affected"}},
      {"debian 12 at the fix: only the open issues remain",
       "debian:12",
       {package("deb", "libssl3", "3.0.11-1~deb12u2", "openssl", "3.0.11-1~deb12u2")},
       {"CVE-2024-0002 openssl@3.0.11-1~deb12u2 fix= unfixed",
        "CVE-2024-0003 openssl@3.0.11-1~deb12u2 fix= wontfix"},
       {"CVE-2024-0004 openssl@3.0.11-1~deb12u2 fix= not-affected"}},
      {"debian 11 sees only bullseye's records",
       "debian:11",
       {package("deb", "libssl1.1", "1.1.1n-0+deb11u5", "openssl", "1.1.1n-0+deb11u5")},
       {"CVE-2024-0001 openssl@1.1.1n-0+deb11u5 fix=1.1.1w-0+deb11u1 affected",
        "CVE-2024-0005 openssl@1.1.1n-0+deb11u5 fix= unfixed"},
       {}},
      {"ubuntu image: no Debian records",
       "ubuntu:22.04",
       {package("deb", "libssl3", "3.0.2-0ubuntu1", "openssl", "3.0.2-0ubuntu1")},
       {},
       {}},
      {"unknown OS: OS packages are not matched",
       "",
       {package("deb", "libssl3", "3.0.0-1", "openssl", "3.0.0-1")},
       {},
       {}},
      {"deb binaries match by their source package only",
       "debian:12",
       {package("deb", "openssl", "1.0", "libressl", "1.0")},
       {},
       {}},
      {"deb without a source name: the binary name",
       "debian:12",
       {package("deb", "openssl", "3.0.0-1")},
       {"CVE-2024-0001 openssl@3.0.0-1 fix=3.0.11-1~deb12u2 affected",
        "CVE-2024-0002 openssl@3.0.0-1 fix= unfixed", "CVE-2024-0003 openssl@3.0.0-1 fix= wontfix"},
       {"CVE-2024-0004 openssl@3.0.0-1 fix= not-affected"}},
      {"npm: two intervals from unsorted events, last_affected, listed versions, GIT ignored",
       "",
       {package("npm", "lodash", "1.9.9"), package("npm", "lodash", "2.0.0"),
        package("npm", "lodash", "2.5.0"), package("npm", "lodash", "3.0.0"),
        package("npm", "lodash", "3.2.0"), package("npm", "lodash", "3.2.1"),
        package("npm", "lodash", "4.9.9"), package("npm", "lodash", "5.0.0"),
        package("npm", "lodash", "5.1.0"), package("npm", "lodash", "5.1.1"),
        package("npm", "lodash", "6.0.0-beta.1"), package("npm", "lodash", "6.0.0"),
        package("npm", "Lodash", "1.0.0")},  // npm names are case-sensitive
       {"GHSA-1111-1111-1111 lodash@1.9.9 fix=2.0.0 affected",
        "GHSA-1111-1111-1111 lodash@3.0.0 fix=3.2.1 affected",
        "GHSA-1111-1111-1111 lodash@3.2.0 fix=3.2.1 affected",
        "GHSA-1111-1111-1111 lodash@5.0.0 fix= affected",
        "GHSA-1111-1111-1111 lodash@5.1.0 fix= affected",
        "GHSA-1111-1111-1111 lodash@6.0.0-beta.1 fix= affected"},
       {}},
      {"PyPI names per PEP 503",
       "debian:12",
       {package("pypi", "django", "4.2.7"), package("pypi", "DJANGO", "4.2.8"),
        package("pypi", "zope-interface", "4.0"), package("pypi", "Zope_Interface", "4.1")},
       {"PYSEC-2024-1 Django@4.2.7 fix=4.2.8 affected",
        "PYSEC-2024-1 zope.interface@4.0 fix=5.0 affected",
        "PYSEC-2024-1 zope.interface@4.1 fix=5.0 affected"},
       {}},
      {"rpm: epochs, source and binary names",
       "almalinux:8",
       {package("rpm", "bind-libs", "32:9.11.36-11.el8", "bind"),
        package("rpm", "bind-utils", "32:9.11.36-14.el8", "bind"),
        package("rpm", "libtiff-devel", "4.0.9-37.el8", "libtiff"),
        package("rpm", "vim-minimal", "2:8.0.1763-19.el8", "vim"),   // above the fix
        package("rpm", "vim-minimal", "8.0.1763-19.el8", "vim"),     // epoch 0 < 2: below it
        package("rpm", "vim-minimal", "3:8.0.1763-10.el8", "vim")},  // epoch 3 > 2: above it
       {"ALSA-2024:0001 bind@32:9.11.36-11.el8 fix=32:9.11.36-14.el8 affected",
        "ALSA-2024:0001 libtiff-devel@4.0.9-37.el8 fix=4.0.9-38.el8 affected",
        "ALSA-2024:0001 vim-minimal@8.0.1763-19.el8 fix=2:8.0.1763-16.el8 affected"},
       {}},
      {"rpm on another release",
       "almalinux:9",
       {package("rpm", "bind-libs", "32:9.11.36-11.el8", "bind")},
       {},
       {}},
      {"apk by origin",
       "alpine:3.19",
       {package("apk", "libcrypto3", "3.1.4-r0", "openssl"),
        package("apk", "libssl3", "3.1.4-r1", "openssl")},
       {"CVE-2024-1000 openssl@3.1.4-r0 fix=3.1.4-r1 affected"},
       {}},
      {"golang: v-prefixed module versions and the standard library",
       "",
       {package("golang", "github.com/foo/bar", "v1.2.2"),
        package("golang", "github.com/foo/bar", "v1.2.3"),
        package("golang", "github.com/foo/bar", "v1.2.2-0.20230101000000-abcdefabcdef"),
        package("golang", "github.com/foo/bar", ""),  // version unknown: not matched
        package("golang", "stdlib", "1.20.11"), package("golang", "stdlib", "1.20.12"),
        package("golang", "stdlib", "1.21.4"), package("golang", "stdlib", "1.21.5"),
        package("golang", "stdlib", "1.21rc2")},
       {"GO-2024-0001 github.com/foo/bar@v1.2.2 fix=1.2.3 affected",
        "GO-2024-0001 github.com/foo/bar@v1.2.2-0.20230101000000-abcdefabcdef fix=1.2.3 affected",
        "GO-2024-0001 stdlib@1.20.11 fix=1.20.12 affected",
        "GO-2024-0001 stdlib@1.21.4 fix=1.21.5 affected",
        "GO-2024-0001 stdlib@1.21rc2 fix=1.21.5 affected"},
       {}},
      {"aliases merge: one finding per package from the DSA and the tracker, the higher fix",
       "debian:12",
       {package("deb", "python3-requests", "2.28.1+dfsg-1", "requests", "2.28.1+dfsg-1"),
        package("pypi", "requests", "2.30.0")},
       {"CVE-2024-2000 requests@2.28.1+dfsg-1 fix=2.28.1+dfsg-1+deb12u2 affected",
        "CVE-2024-2000 requests@2.30.0 fix=2.31.0 affected"},
       {}},
      {"cargo names: case and '_' vs '-'",
       "",
       {package("cargo", "My-Crate", "0.4.0")},
       {"RUSTSEC-2024-0001 my_crate@0.4.0 fix=0.5.0 affected"},
       {}},
      {"nuget names are case-insensitive",
       "",
       {package("nuget", "newtonsoft.json", "12.0.0")},
       {"GHSA-6666-6666-6666 Newtonsoft.Json@12.0.0 fix=13.0.1 affected"},
       {}},
      {"withdrawn advisories are dropped", "", {package("npm", "lodash", "98.0.0")}, {}, {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const MatchResult result = run(c.distro, c.packages);
    EXPECT_EQ(sorted(lines(result.findings)), sorted(c.findings));
    EXPECT_EQ(sorted(lines(result.not_affected)), sorted(c.not_affected));
  }
}

// ---- severity, aliases, KEV/EPSS, order ---------------------------------------------------------

TEST_F(MatchTest, DistributionRatingBeatsCvss) {
  const MatchResult r =
      run("debian:12",
          {package("deb", "python3-requests", "2.28.1+dfsg-1", "requests", "2.28.1+dfsg-1")});
  ASSERT_EQ(r.findings.size(), 1u);
  const Finding& f = r.findings[0];
  EXPECT_EQ(f.advisory, "CVE-2024-2000");  // the tracker's record: the higher fix
  EXPECT_EQ(f.advisory_source, "debian");
  EXPECT_EQ(f.severity, Severity::kMedium);
  EXPECT_EQ(f.severity_source, "debian");
  EXPECT_FALSE(f.cvss_score.has_value());
  EXPECT_EQ(f.aliases, (std::vector<std::string>{"DSA-5500-1", "GHSA-2222-2222-2222"}));
  EXPECT_EQ(f.summary, "requests leaks credentials");  // the tracker record has none: the group's
  EXPECT_EQ(f.cwes, std::vector<std::string>{"CWE-200"});
}

TEST_F(MatchTest, DistributionRatingFromAnyMatchedRecord) {
  // DSA-6000-1 (unrated) names a later fix than the tracker's CVE-2024-6000 (rated critical): the
  // DSA's record is reported, with the distribution's rating from the tracker's.
  MatchResult r = run("debian:12", {package("deb", "zlib1g", "1.0-1", "zlib", "1.0-1")});
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].advisory, "DSA-6000-1");
  EXPECT_EQ(r.findings[0].fixed_version, "1.0-3");
  EXPECT_EQ(r.findings[0].severity, Severity::kCritical);
  EXPECT_EQ(r.findings[0].severity_source, "debian");
  // Between the two fixes only the DSA matches; the tracker's rating is not borrowed then.
  r = run("debian:12", {package("deb", "zlib1g", "1.0-2", "zlib", "1.0-2")});
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].advisory, "DSA-6000-1");
  EXPECT_EQ(r.findings[0].severity, Severity::kUnknown);
}

TEST_F(MatchTest, OwnCvssOfTheMatchedAdvisory) {
  const MatchResult r = run("", {package("pypi", "requests", "2.30.0")});
  ASSERT_EQ(r.findings.size(), 1u);
  const Finding& f = r.findings[0];
  EXPECT_EQ(f.vulnerability, "CVE-2024-2000");
  EXPECT_EQ(f.advisory, "GHSA-2222-2222-2222");
  EXPECT_EQ(f.severity, Severity::kCritical);
  EXPECT_EQ(f.severity_source, "ghsa:CVSS 3.1");
  ASSERT_TRUE(f.cvss_score.has_value());
  EXPECT_DOUBLE_EQ(*f.cvss_score, 9.8);
  EXPECT_EQ(f.cvss_vector, kCvss31Critical);
  EXPECT_EQ(f.summary, "requests leaks credentials");
  EXPECT_EQ(f.aliases, (std::vector<std::string>{"DSA-5500-1", "GHSA-2222-2222-2222"}));
}

TEST_F(MatchTest, Cvss40BeatsCvss31) {
  const MatchResult r = run("", {package("npm", "v4pkg", "0.9.0")});
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].severity, Severity::kMedium);
  EXPECT_EQ(r.findings[0].severity_source, "ghsa:CVSS 4.0");
  EXPECT_DOUBLE_EQ(r.findings[0].cvss_score.value_or(-1), 6.9);
}

TEST_F(MatchTest, InvalidVectorsAreSkipped) {
  const MatchResult r = run("", {package("cargo", "my-crate", "0.4.0")});
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].severity, Severity::kHigh);
  EXPECT_EQ(r.findings[0].severity_source, "rustsec:CVSS 2.0");
  EXPECT_DOUBLE_EQ(r.findings[0].cvss_score.value_or(-1), 7.5);
}

TEST_F(MatchTest, GroupCvssPrefersNvd) {
  const MatchResult r = run("", {package("gem", "rack", "3.0.0")});
  ASSERT_EQ(r.findings.size(), 1u);
  const Finding& f = r.findings[0];
  EXPECT_EQ(f.vulnerability, "CVE-2024-5000");
  EXPECT_EQ(f.severity, Severity::kMedium);
  EXPECT_EQ(f.severity_source, "nvd:CVSS 3.1");
  EXPECT_EQ(f.summary, "First line of the details.");
  EXPECT_EQ(f.aliases, (std::vector<std::string>{"GHSA-5555-5555-5555", "OSV-2024-5000"}));
}

TEST_F(MatchTest, TextRatingAndNoRating) {
  MatchResult r = run("", {package("npm", "left-pad", "1.2.0")});
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].vulnerability, "CVE-2024-9999");  // smaller than CVE-2024-10001
  EXPECT_EQ(r.findings[0].severity, Severity::kMedium);
  EXPECT_EQ(r.findings[0].severity_source, "ghsa:text");
  EXPECT_FALSE(r.findings[0].cvss_score.has_value());
  r = run("", {package("nuget", "NEWTONSOFT.JSON", "12.0.0")});
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].severity, Severity::kUnknown);
  EXPECT_EQ(r.findings[0].severity_source, "");
}

TEST_F(MatchTest, KevAndEpss) {
  MatchResult r = run("debian:12", {package("deb", "openssl", "3.0.0-1")});
  const Finding* f = find(r.findings, "CVE-2024-0001");
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(f->kev);
  EXPECT_EQ(f->kev_due_date, "2024-02-01");
  EXPECT_DOUBLE_EQ(f->epss.value_or(-1), 0.5);
  EXPECT_DOUBLE_EQ(f->epss_percentile.value_or(-1), 0.9);
  EXPECT_EQ(f->severity, Severity::kHigh);
  EXPECT_EQ(f->summary, "openssl: fixed in a point release");
  f = find(r.findings, "CVE-2024-0002");
  ASSERT_NE(f, nullptr);
  EXPECT_FALSE(f->kev);
  EXPECT_FALSE(f->epss.has_value());
  // The highest EPSS of the group's CVEs.
  r = run("", {package("npm", "left-pad", "1.2.0")});
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_DOUBLE_EQ(r.findings[0].epss.value_or(-1), 0.4);
  EXPECT_DOUBLE_EQ(r.findings[0].epss_percentile.value_or(-1), 0.8);
}

TEST_F(MatchTest, FindingsSortedBySeverityThenVulnerability) {
  const MatchResult r =
      run("debian:12", {package("deb", "openssl", "3.0.0-1"), package("npm", "left-pad", "1.0.0"),
                        package("cargo", "my_crate", "0.1.0")});
  EXPECT_EQ(lines(r.findings),
            (std::vector<std::string>{
                "CVE-2024-0001 openssl@3.0.0-1 fix=3.0.11-1~deb12u2 affected",  // high
                "RUSTSEC-2024-0001 my_crate@0.1.0 fix=0.5.0 affected",          // high (7.5)
                "CVE-2024-9999 left-pad@1.0.0 fix=1.3.0 affected",              // medium
                "CVE-2024-0002 openssl@3.0.0-1 fix= unfixed",                   // low
                "CVE-2024-0003 openssl@3.0.0-1 fix= wontfix"}));                // negligible
}

// introduced_after X (RubySec "<= X" unaffected): X itself is not affected, the next version is,
// the fix is not. Events at the same version are ordered whatever the input order: "fixed 2.0.0"
// listed after "introduced_after 2.0.0" still closes the first stretch at 2.0.0 before the second
// opens above it.
TEST(MatchExclusiveStart, IntroducedAfterExcludesItsVersion) {
  std::vector<Advisory> db;
  Advisory nokogiri = advisory("GHSA-8888-8888-8888", "rubysec");
  nokogiri.affected.push_back(
      affected("gem", "", "nokogiri", AffectedStatus::kAffected,
               {{{Kind::kFixed, "1.13.10"}, {Kind::kIntroducedAfter, "1.13.7"}}}));
  db.push_back(std::move(nokogiri));
  Advisory two = advisory("RUSTSEC-2024-0009", "rustsec");
  two.affected.push_back(affected("cargo", "", "two_gaps", AffectedStatus::kAffected,
                                  {{{Kind::kIntroducedAfter, "2.0.0"},
                                    {Kind::kIntroduced, "0"},
                                    {Kind::kFixed, "2.1.0"},
                                    {Kind::kFixed, "2.0.0"}}}));
  db.push_back(std::move(two));
  const auto index = MatchIndex::build(std::move(db), {}, {});
  const MatchResult r = index->match(MatchInput{
      "",
      {package("gem", "nokogiri", "1.13.6"), package("gem", "nokogiri", "1.13.7"),
       package("gem", "nokogiri", "1.13.7.0"),  // Gem::Version: equal to 1.13.7
       package("gem", "nokogiri", "1.13.7.1"), package("gem", "nokogiri", "1.13.9"),
       package("gem", "nokogiri", "1.13.10"), package("gem", "nokogiri", "1.14.0"),
       package("cargo", "two_gaps", "1.9.0"), package("cargo", "two_gaps", "2.0.0"),
       package("cargo", "two_gaps", "2.0.1"), package("cargo", "two_gaps", "2.1.0")}});
  EXPECT_EQ(sorted(lines(r.findings)),
            sorted({"GHSA-8888-8888-8888 nokogiri@1.13.7.1 fix=1.13.10 affected",
                    "GHSA-8888-8888-8888 nokogiri@1.13.9 fix=1.13.10 affected",
                    "RUSTSEC-2024-0009 two_gaps@1.9.0 fix=2.0.0 affected",
                    "RUSTSEC-2024-0009 two_gaps@2.0.1 fix=2.1.0 affected"}));
  EXPECT_TRUE(r.not_affected.empty());
}

TEST_F(MatchTest, AliasesOfAndStats) {
  const std::vector<std::string> all = {"CVE-2024-2000", "DSA-5500-1", "GHSA-2222-2222-2222"};
  EXPECT_EQ(index_->aliases_of("DSA-5500-1"), all);
  EXPECT_EQ(index_->aliases_of("CVE-2024-2000"), all);
  // "related" ids are not aliases.
  EXPECT_EQ(index_->aliases_of("ALSA-2024:0001"), std::vector<std::string>{"ALSA-2024:0001"});
  EXPECT_TRUE(index_->aliases_of("CVE-1999-0001").empty());
  EXPECT_TRUE(index_->aliases_of("GHSA-7777-7777-7777").empty());  // withdrawn
  const IndexStats s = index_->stats();
  EXPECT_EQ(s.advisories, 23u);       // 24 records, one withdrawn
  EXPECT_EQ(s.vulnerabilities, 17u);  // CVE-2024-0001..0005, GHSA-1111, PYSEC, ALSA, 1000, GO,
                                      // 2000, 3333, 4444, RUSTSEC, 5000, 6666, 6000
  EXPECT_EQ(s.kev, 1u);
  EXPECT_EQ(s.epss, 3u);
  EXPECT_EQ(s.affected_entries,
            25u);  // every Affected of the 23 (the GIT-only range is part of one)
}

TEST_F(MatchTest, MatchInventory) {
  scan::Inventory inventory;
  inventory.os =
      scan::OsRelease{"debian", "12", "bookworm", "Debian GNU/Linux 12", "/etc/os-release"};
  scan::Package p;
  p.type = "deb";
  p.name = "libssl3";
  p.version = "3.0.11-1~deb12u1";
  p.source_name = "openssl";
  inventory.packages.push_back(p);
  const MatchResult r = match_inventory(*index_, inventory);
  EXPECT_EQ(sorted(lines(r.findings)),
            (std::vector<std::string>{
                "CVE-2024-0001 openssl@3.0.11-1~deb12u1 fix=3.0.11-1~deb12u2 affected",
                "CVE-2024-0002 openssl@3.0.11-1~deb12u1 fix= unfixed",
                "CVE-2024-0003 openssl@3.0.11-1~deb12u1 fix= wontfix"}));
}

// ---- package-side helpers -----------------------------------------------------------------------

TEST(MatchHelpers, DistroOf) {
  struct Row {
    std::string family, version, codename, expected;
  };
  const std::vector<Row> rows = {
      {"debian", "12", "bookworm", "debian:12"},
      {"debian", "trixie", "trixie", "debian:13"},  // testing: no VERSION_ID
      {"debian", "trixie/sid", "", "debian:13"},    // /etc/debian_version of testing/unstable
      {"debian", "sid", "sid", "debian:unstable"},
      {"debian", "", "", ""},
      {"ubuntu", "22.04", "jammy", "ubuntu:22.04"},
      {"alpine", "3.19.1", "", "alpine:3.19"},
      {"alpine", "3.20.0_alpha20240315", "", "alpine:edge"},
      {"almalinux", "8.9", "", "almalinux:8"},
      {"rocky", "9.3", "", "rocky:9"},
      {"rhel", "9.2", "", "redhat:9"},
      {"centos", "7", "", "redhat:7"},
      {"ol", "8.8", "", "oracle:8"},
      {"amzn", "2023", "", "amazon:2023"},
      {"wolfi", "20230201", "", "wolfi"},
      {"fedora", "39", "", ""},
      {"linux", "", "", ""},
  };
  for (const Row& row : rows) {
    scan::OsRelease os;
    os.family = row.family;
    os.version = row.version;
    os.codename = row.codename;
    EXPECT_EQ(distro_of(os), row.expected) << row.family << " " << row.version;
  }
}

TEST(MatchHelpers, NormalizePackageName) {
  EXPECT_EQ(normalize_package_name("pypi", "Zope.Interface"), "zope-interface");
  EXPECT_EQ(normalize_package_name("pypi", "a__b-._c"), "a-b-c");
  EXPECT_EQ(normalize_package_name("nuget", "Newtonsoft.Json"), "newtonsoft.json");
  EXPECT_EQ(normalize_package_name("composer", "Symfony/HTTP-Kernel"), "symfony/http-kernel");
  EXPECT_EQ(normalize_package_name("cargo", "My_Crate"), "my-crate");
  EXPECT_EQ(normalize_package_name("npm", "@Scope/Pkg_x"), "@Scope/Pkg_x");
  EXPECT_EQ(normalize_package_name("maven", "org.Apache:Foo"), "org.Apache:Foo");
  EXPECT_EQ(normalize_package_name("golang", "github.com/Foo/bar"), "github.com/Foo/bar");
}

TEST(MatchHelpers, FeedNameAndMatchPackage) {
  scan::Package p;
  p.type = "golang";
  p.namespace_ = "github.com/gin-gonic";
  p.name = "gin";
  EXPECT_EQ(feed_package_name(p), "github.com/gin-gonic/gin");
  p.namespace_.clear();
  p.name = "stdlib";
  EXPECT_EQ(feed_package_name(p), "stdlib");
  p = {};
  p.type = "maven";
  p.namespace_ = "org.apache.logging.log4j";
  p.name = "log4j-core";
  EXPECT_EQ(feed_package_name(p), "org.apache.logging.log4j:log4j-core");
  p.type = "npm";
  p.namespace_ = "@babel";
  p.name = "core";
  EXPECT_EQ(feed_package_name(p), "@babel/core");
  p.namespace_ = "babel";
  EXPECT_EQ(feed_package_name(p), "@babel/core");
  p.type = "composer";
  p.namespace_ = "symfony";
  p.name = "http-kernel";
  EXPECT_EQ(feed_package_name(p), "symfony/http-kernel");

  scan::Package rpm;
  rpm.type = "rpm";
  rpm.name = "vim-minimal";
  rpm.version = "8.0.1763-19.el8";
  rpm.epoch = 2;
  rpm.source_name = "vim";
  rpm.source_version = "8.0.1763-19.el8";
  MatchPackage m = match_package(rpm);
  EXPECT_EQ(m.version, "2:8.0.1763-19.el8");
  EXPECT_EQ(m.source_name, "vim");
  EXPECT_EQ(m.source_version, "");  // rpm feeds name binary versions
  rpm.epoch = 0;
  EXPECT_EQ(match_package(rpm).version, "8.0.1763-19.el8");
  rpm.epoch.reset();
  rpm.source_name.clear();
  EXPECT_EQ(match_package(rpm).source_name, "vim-minimal");

  scan::Package deb;
  deb.type = "deb";
  deb.name = "libssl3";
  deb.version = "3.0.11-1~deb12u2";
  deb.purl = "pkg:deb/debian/libssl3@3.0.11-1~deb12u2";
  m = match_package(deb);
  EXPECT_EQ(m.source_name, "libssl3");
  EXPECT_EQ(m.source_version, "3.0.11-1~deb12u2");
  EXPECT_EQ(m.purl, deb.purl);
  deb.source_name = "openssl";
  deb.source_version = "3.0.11-1~deb12u1";
  m = match_package(deb);
  EXPECT_EQ(m.source_name, "openssl");
  EXPECT_EQ(m.source_version, "3.0.11-1~deb12u1");

  scan::Package py;
  py.type = "pypi";
  py.name = "Django";
  py.version = "4.2";
  m = match_package(py);
  EXPECT_EQ(m.name, "Django");
  EXPECT_EQ(m.source_name, "");
}

// ---- real samples through their importers -------------------------------------------------------

std::vector<Advisory> import_sample(std::string_view importer, const std::filesystem::path& path) {
  importer_testing::CollectingSink sink;
  for (const Importer& i : all_importers()) {
    if (i.name != importer) continue;
    auto stats = i.import(path, sink);
    EXPECT_TRUE(stats.has_value()) << path << ": " << (stats ? "" : stats.error().message);
  }
  EXPECT_FALSE(sink.advisories.empty()) << path;
  return std::move(sink.advisories);
}

const std::filesystem::path kShared = VULNDB_SHARED_DATA;

// This thread's CPU time in milliseconds (the build machines are shared: wall time is noisy).
double cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

TEST(MatchSamples, GoVulndb) {
  const auto start = std::chrono::steady_clock::now();
  auto index =
      MatchIndex::build(import_sample("osv", kShared / "vulndb/golang-vulndb/data/osv"), {}, {});
  const auto built = std::chrono::steady_clock::now();
  MatchInput input;
  input.packages = {
      // GO-2020-0001 (CVE-2020-36567): [0, 1.6.0) -> not v1.6.0.
      // GO-2021-0052 (CVE-2020-28483): [0, 1.7.7).
      // GO-2023-1737 (CVE-2023-29401): [1.3.1-0.20190301021747-ccb9e902956d, 1.9.1).
      package("golang", "github.com/gin-gonic/gin", "v1.6.0"),
      // GO-2021-0113 (CVE-2021-38561): [0, 0.3.7) -> not v0.3.7.
      // GO-2022-1059 (CVE-2022-32149): [0, 0.3.8).  GO-2026-5970 (CVE-2026-56852): [0, 0.39.0).
      package("golang", "golang.org/x/text", "v0.3.7"),
      package("golang", "github.com/unknown/module", "v1.0.0"),
  };
  const MatchResult r = index->match(input);
  std::printf(
      "go vulndb: build %.1f ms, match %.3f ms\n",
      std::chrono::duration<double, std::milli>(built - start).count(),
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - built).count());
  EXPECT_EQ(
      sorted(lines(r.findings)),
      (std::vector<std::string>{"CVE-2020-28483 github.com/gin-gonic/gin@v1.6.0 fix=1.7.7 affected",
                                "CVE-2022-32149 golang.org/x/text@v0.3.7 fix=0.3.8 affected",
                                "CVE-2023-29401 github.com/gin-gonic/gin@v1.6.0 fix=1.9.1 affected",
                                "CVE-2026-56852 golang.org/x/text@v0.3.7 fix=0.39.0 affected"}));
  const Finding* f = find(r.findings, "CVE-2023-29401");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->advisory, "GO-2023-1737");
  EXPECT_EQ(f->aliases, (std::vector<std::string>{"GHSA-2c4m-59x9-fr2g", "GO-2023-1737"}));

  // The standard library as the Go analyzer reports it ("1.21.5", no "go" or "v").
  input.packages = {package("golang", "stdlib", "1.21.5")};
  const MatchResult std_result = index->match(input);
  // GO-2024-2598 (CVE-2024-24783): [0, 1.21.8), [1.22.0-0, 1.22.1).
  f = find(std_result.findings, "CVE-2024-24783");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->fixed_version, "1.21.8");
  // GO-2025-3373 (CVE-2024-45341): [0, 1.22.11), ...: the first fix above 1.21.5 is 1.22.11.
  f = find(std_result.findings, "CVE-2024-45341");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->fixed_version, "1.22.11");
  // GO-2023-2382 (CVE-2023-39326): fixed in 1.21.5 itself.
  EXPECT_EQ(find(std_result.findings, "CVE-2023-39326"), nullptr);
  // GO-2023-2044 (CVE-2023-39321): [1.21.0-0, 1.21.1).
  EXPECT_EQ(find(std_result.findings, "CVE-2023-39321"), nullptr);
  // GO-2023-2185 (CVE-2023-45283), two stdlib entries: [.., 1.21.4) and [1.21.4, 1.21.5).
  EXPECT_EQ(find(std_result.findings, "CVE-2023-45283"), nullptr);
  // ... but 1.21.4 is in its second entry, fixed in 1.21.5.
  input.packages = {package("golang", "stdlib", "1.21.4")};
  f = find(index->match(input).findings, "CVE-2023-45283");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->fixed_version, "1.21.5");
}

TEST(MatchSamples, AlpineSecdb) {
  auto index = MatchIndex::build(import_sample("alpine", kShared / "vulndb/alpine-secdb"), {}, {});
  // libcrypto1.1 is built from origin "openssl".
  const std::vector<MatchPackage> packages = {
      package("apk", "libcrypto1.1", "1.1.1d-r0", "openssl"),
      package("apk", "ansible", "2.8.3-r0", "ansible"),
  };
  // v3.10/main.yaml: openssl 1.1.1d-r0 fixes CVE-2019-1547/1549/1563; 1.1.1b-r1 CVE-2019-1543;
  // 1.1.1a-r0 CVE-2018-0734/0735: nothing left at 1.1.1d-r0. ansible 2.8.4-r0 fixes
  // CVE-2019-10206 and CVE-2019-10217; the other ansible fixes are older than 2.8.3-r0.
  MatchResult r = index->match(MatchInput{"alpine:3.10", packages});
  EXPECT_EQ(sorted(lines(r.findings)),
            (std::vector<std::string>{"CVE-2019-10206 ansible@2.8.3-r0 fix=2.8.4-r0 affected",
                                      "CVE-2019-10217 ansible@2.8.3-r0 fix=2.8.4-r0 affected"}));
  // v3.11/main.yaml: openssl 1.1.1d-r3 fixes CVE-2019-1551 and 1.1.1d-r1 CVE-2019-1547/1549/1563.
  r = index->match(MatchInput{"alpine:3.11", {packages[0]}});
  EXPECT_EQ(sorted(lines(r.findings)),
            (std::vector<std::string>{"CVE-2019-1547 openssl@1.1.1d-r0 fix=1.1.1d-r1 affected",
                                      "CVE-2019-1549 openssl@1.1.1d-r0 fix=1.1.1d-r1 affected",
                                      "CVE-2019-1551 openssl@1.1.1d-r0 fix=1.1.1d-r3 affected",
                                      "CVE-2019-1563 openssl@1.1.1d-r0 fix=1.1.1d-r1 affected"}));
  r = index->match(MatchInput{"alpine:3.12", {packages[0]}});  // no secdb for 3.12 in the sample
  EXPECT_TRUE(r.findings.empty());
}

// Every sample the importers read, in one index: builds, and a 1,000-package input matches.
// Timing is printed, not asserted (benchmarks belong in bench/).
TEST(MatchSamples, EverythingAndThousandPackages) {
  importer_testing::CollectingSink sink;
  const std::filesystem::path root = kShared / "vulndb";
  for (const auto& dir : std::filesystem::directory_iterator(root)) {
    for (const Importer& importer : all_importers()) {
      if (importer.recognizes(dir.path())) (void)importer.import(dir.path(), sink);
    }
  }
  const size_t advisories = sink.advisories.size();
  const auto start = std::chrono::steady_clock::now();
  auto index =
      MatchIndex::build(std::move(sink.advisories), std::move(sink.kev), std::move(sink.epss));
  const auto built = std::chrono::steady_clock::now();
  MatchInput input;
  input.distro = "almalinux:8";
  for (int i = 0; i < 1000; ++i) {
    switch (i % 4) {
      case 0:
        input.packages.push_back(
            package("rpm", "libtiff", "4.0.9-" + std::to_string(i % 40) + ".el8", "libtiff"));
        break;
      case 1:  // a Go binary's standard library now and then, else another unknown package
        if (i % 100 == 1) {
          input.packages.push_back(
              package("golang", "stdlib", "1.2" + std::to_string(i % 6) + ".1"));
        } else {
          input.packages.push_back(package("pypi", "Py_Pkg." + std::to_string(i), "1.0"));
        }
        break;
      case 2:
        input.packages.push_back(
            package("golang", "golang.org/x/net", "v0.0." + std::to_string(i)));
        break;
      default:
        input.packages.push_back(package("npm", "pkg" + std::to_string(i), "1.0.0"));
        break;
    }
  }
  const double match_start = cpu_ms();
  const MatchResult r = index->match(input);
  const double done = cpu_ms();
  std::printf(
      "all samples: %zu advisories, build %.1f ms; 1000 packages: %zu findings in %.3f ms CPU\n",
      advisories, std::chrono::duration<double, std::milli>(built - start).count(),
      r.findings.size(), done - match_start);
  // The same packages, all above every fix but the standard libraries: the lookup cost alone.
  for (MatchPackage& p : input.packages) {
    if (p.type == "rpm") p.version = "99.0-1.el8";
    if (p.name == "golang.org/x/net") p.version = "v99.0.0";
  }
  const double quiet_start = cpu_ms();
  const MatchResult quiet = index->match(input);
  std::printf("1000 packages, up to date: %zu findings in %.3f ms CPU\n", quiet.findings.size(),
              cpu_ms() - quiet_start);
  EXPECT_LT(quiet.findings.size(), r.findings.size());
  EXPECT_GT(index->stats().advisories, 1000u);
  EXPECT_GT(index->stats().kev, 0u);
  EXPECT_GT(index->stats().epss, 0u);
  EXPECT_FALSE(r.findings.empty());
}

// ---- changed keys (incremental re-matching) ----------------------------------------------------

TEST(MatchKeys, PackagesAndFindingsMapToTheKeysTheirEntriesAreFiledUnder) {
  // PEP 503: "Zope_Interface" is looked up as "zope-interface"; a language package has no distro.
  EXPECT_EQ(match_keys_of(package("pypi", "Zope_Interface", "1"), "debian:12"),
            std::vector<std::string>{"pypi\x1f\x1fzope-interface"});
  // deb by source package within the distribution; none without a distribution.
  EXPECT_EQ(match_keys_of(package("deb", "libssl3", "3.0", "openssl"), "debian:12"),
            std::vector<std::string>{"deb\x1f" "debian:12\x1fopenssl"});
  EXPECT_TRUE(match_keys_of(package("deb", "libssl3", "3.0", "openssl"), "").empty());
  // rpm by source and binary name.
  EXPECT_EQ(match_keys_of(package("rpm", "openssl-libs", "1", "openssl"), "almalinux:9").size(), 2u);
  EXPECT_EQ(finding_match_key("pypi", "zope.interface", "debian:12"), "pypi\x1f\x1fzope-interface");
  EXPECT_EQ(finding_match_key("deb", "openssl", "debian:12"), "deb\x1f" "debian:12\x1fopenssl");
}

TEST(MatchKeys, ChangedKeysFollowRecordsAliasGroupsAndKev) {
  auto base = [] {
    std::vector<Advisory> db;
    Advisory a = advisory("PYSEC-1", "osv");
    a.affected.push_back(affected("pypi", "", "alpha", AffectedStatus::kAffected, {fixed_in("2")}));
    db.push_back(a);
    Advisory b = advisory("PYSEC-2", "osv", {"CVE-2099-2"});
    b.affected.push_back(affected("pypi", "", "beta", AffectedStatus::kAffected, {fixed_in("2")}));
    db.push_back(b);
    Advisory c = advisory("GHSA-3", "osv");
    c.affected.push_back(affected("npm", "", "gamma", AffectedStatus::kAffected, {fixed_in("2")}));
    db.push_back(c);
    return db;
  };
  const auto before = MatchIndex::build(base(), {}, {})->key_fingerprints();
  EXPECT_EQ(before.size(), 3u);
  EXPECT_TRUE(changed_match_keys(before, MatchIndex::build(base(), {}, {})->key_fingerprints()).empty());

  // A new record merging PYSEC-1 into CVE-2099-2's group renames alpha's vulnerability: alpha
  // and beta change (and the new record's delta appears); gamma does not.
  auto merged = base();
  Advisory d = advisory("GHSA-4", "osv", {"PYSEC-1", "CVE-2099-2"});
  d.affected.push_back(affected("npm", "", "delta", AffectedStatus::kAffected, {fixed_in("2")}));
  merged.push_back(d);
  EXPECT_EQ(changed_match_keys(before, MatchIndex::build(merged, {}, {})->key_fingerprints()),
            (std::vector<std::string>{"npm\x1f\x1f" "delta", "pypi\x1f\x1f" "alpha",
                                      "pypi\x1f\x1f" "beta"}));

  // A fix moving, and a withdrawn record (its key disappears).
  auto fixed = base();
  fixed[0].affected[0] = affected("pypi", "", "alpha", AffectedStatus::kAffected, {fixed_in("3")});
  fixed[2].withdrawn = true;
  EXPECT_EQ(changed_match_keys(before, MatchIndex::build(fixed, {}, {})->key_fingerprints()),
            (std::vector<std::string>{"npm\x1f\x1fgamma", "pypi\x1f\x1f" "alpha"}));

  // KEV and EPSS data of CVE-2099-2 change beta's findings only.
  KevEntry kev;
  kev.cve = "CVE-2099-2";
  kev.due_date = "2099-02-01";
  EXPECT_EQ(changed_match_keys(before, MatchIndex::build(base(), {kev}, {})->key_fingerprints()),
            std::vector<std::string>{"pypi\x1f\x1f" "beta"});
  EpssScore epss;
  epss.cve = "CVE-2099-2";
  epss.score = 0.5;
  EXPECT_EQ(changed_match_keys(before, MatchIndex::build(base(), {}, {epss})->key_fingerprints()),
            std::vector<std::string>{"pypi\x1f\x1f" "beta"});
}

}  // namespace
}  // namespace bulwark::vulndb
