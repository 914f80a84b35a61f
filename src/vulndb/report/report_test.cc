// The report formats from a hand-built ScanReport: each format's content (the JSON ones parsed
// back and checked field by field), determinism, and the CycloneDX VEX and SARIF documents
// against the official schemas with the real ajv (node tests/ajv/validate.js), each also shown
// rejected once broken so a validator that accepts everything cannot pass.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "common/strict_json.h"
#include "common/temp_dir.h"
#include "vulndb/report/report.h"

namespace bulwark::vulndb {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

Finding openssl_finding() {
  Finding f;
  f.vulnerability = "CVE-2024-0001";
  f.aliases = {"DSA-5600-1", "GHSA-aaaa-bbbb-cccc"};
  f.advisory = "DSA-5600-1";
  f.advisory_source = "debian";
  f.summary = "openssl: buffer overflow in X.509 parsing";
  f.package_name = "openssl";
  f.package_type = "deb";
  f.installed_version = "3.0.11-1~deb12u1";
  f.purl = "pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64&distro=debian-12";
  f.status = AffectedStatus::kAffected;
  f.fixed_version = "3.0.13-1~deb12u1";
  f.severity = Severity::kCritical;
  f.severity_source = "nvd:CVSS 3.1";
  f.cvss_score = 9.8;
  f.cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
  f.kev = true;
  f.kev_due_date = "2024-03-01";
  f.epss = 0.9731;
  f.epss_percentile = 0.9991;
  f.cwes = {"CWE-787", "CWE-120"};
  f.references = {"https://security-tracker.debian.org/tracker/CVE-2024-0001",
                  "https://www.openssl.org/news/secadv/20240101.txt"};
  return f;
}

Finding zlib_finding() {
  Finding f;
  f.vulnerability = "CVE-2023-45853";
  f.advisory = "CVE-2023-45853";
  f.advisory_source = "debian";
  f.summary = "MiniZip in zlib has an integer overflow";
  f.package_name = "zlib";
  f.package_type = "deb";
  f.installed_version = "1:1.2.13.dfsg-1";
  f.purl = "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12";
  f.status = AffectedStatus::kWillNotFix;
  f.severity = Severity::kNegligible;
  f.severity_source = "debian";
  f.cwes = {"CWE-190"};
  return f;
}

Finding lodash_finding() {
  Finding f;
  f.vulnerability = "GHSA-p6mc-m468-83gw";
  f.advisory = "GHSA-p6mc-m468-83gw";
  f.advisory_source = "osv";
  f.summary = "Prototype pollution in lodash";
  f.package_name = "lodash";
  f.package_type = "npm";
  f.installed_version = "4.17.15";
  f.purl = "pkg:npm/lodash@4.17.15";
  f.status = AffectedStatus::kUnfixed;
  f.severity = Severity::kMedium;
  f.severity_source = "ghsa:CVSS 4.0";
  f.cvss_score = 5.3;
  f.cvss_vector = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:L/VA:N/SC:N/SI:N/SA:N";
  return f;
}

Finding not_affected_finding() {
  Finding f;
  f.vulnerability = "CVE-2022-1111";
  f.advisory = "CVE-2022-1111";
  f.advisory_source = "debian";
  f.package_name = "bash";
  f.package_type = "deb";
  f.installed_version = "5.2.15-2+b2";
  f.purl = "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12";
  f.status = AffectedStatus::kNotAffected;
  return f;
}

constexpr int64_t kScannedAt = 1714564800;   // 2024-05-01T12:00:00Z
constexpr int64_t kUpdatedAt = 1714305600;   // 2024-04-28T12:00:00Z (3 days before)

ScanReport sample_report() {
  ScanReport report;
  report.db_generation = 7;
  report.db_updated_at = kUpdatedAt;
  report.scanned_at = kScannedAt;
  ImageReport image;
  image.name = "docker://registry.example/app:1.0";
  image.manifest_digest = "sha256:" + std::string(64, 'a');
  image.platform = "linux/amd64";
  image.distro = "debian:12";
  image.os_pretty_name = "Debian GNU/Linux 12 (bookworm)";
  image.result.findings = {openssl_finding(), lodash_finding(), zlib_finding()};
  image.result.not_affected = {not_affected_finding()};
  image.warnings = {"/usr/lib/broken.jar: not a zip file"};
  report.images.push_back(image);
  return report;
}

ScanReport two_platform_report() {
  ScanReport report = sample_report();
  ImageReport arm;
  arm.name = report.images[0].name;
  arm.manifest_digest = "sha256:" + std::string(64, 'b');
  arm.platform = "linux/arm64";
  arm.distro = "debian:12";
  Finding f = openssl_finding();
  f.purl = "pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=arm64&distro=debian-12";
  arm.result.findings = {f};
  report.images.push_back(arm);
  return report;
}

std::string render(std::string_view format, const ScanReport& report) {
  const ReportFormat* f = find_report_format(format);
  EXPECT_NE(f, nullptr) << format;
  return f == nullptr ? "" : f->write(report);
}

// Strictly: a repeated key is an error.
json::value parse(const std::string& text) {
  auto doc = parse_strict_json(text);
  EXPECT_TRUE(doc.has_value()) << doc.error().message;
  return doc ? *doc : json::value();
}

TEST(ReportFormats, TableListsEveryFormat) {
  std::vector<std::string> names;
  for (const auto& f : report_formats()) {
    names.emplace_back(f.name);
    EXPECT_NE(f.write, nullptr);
    EXPECT_FALSE(f.media_type.empty());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"table", "json", "sarif", "cyclonedx-vex"}));
  EXPECT_EQ(find_report_format("xml"), nullptr);
  EXPECT_EQ(find_report_format("json")->media_type, kScanReportMediaType);
}

TEST(ReportFormats, EveryFormatIsDeterministic) {
  for (const auto& f : report_formats()) {
    EXPECT_EQ(f.write(two_platform_report()), f.write(two_platform_report())) << f.name;
  }
}

TEST(TableReport, HeaderRowsAndCounts) {
  std::string out = render("table", sample_report());
  std::istringstream lines(out);
  std::string header;
  std::getline(lines, header);
  EXPECT_NE(header.find("docker://registry.example/app:1.0"), std::string::npos) << header;
  EXPECT_NE(header.find("linux/amd64"), std::string::npos) << header;
  EXPECT_NE(header.find("debian:12"), std::string::npos) << header;
  EXPECT_NE(header.find("generation 7"), std::string::npos) << header;
  EXPECT_NE(header.find("2024-04-28T12:00:00Z"), std::string::npos) << header;
  EXPECT_NE(header.find("3 days before the scan"), std::string::npos) << header;
  EXPECT_NE(out.find("warning: /usr/lib/broken.jar: not a zip file"), std::string::npos);

  // Column header, then one row per finding in order, whitespace-separated cells.
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(lines, line);) {
    std::istringstream cells(line);
    std::vector<std::string> row;
    for (std::string cell; cells >> cell;) row.push_back(cell);
    if (row.size() == 8) rows.push_back(row);
  }
  ASSERT_EQ(rows.size(), 4u) << out;
  EXPECT_EQ(rows[0], (std::vector<std::string>{"VULNERABILITY", "SEVERITY", "PACKAGE", "INSTALLED",
                                               "FIXED", "STATUS", "KEV", "EPSS"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"CVE-2024-0001", "critical", "openssl",
                                               "3.0.11-1~deb12u1", "3.0.13-1~deb12u1", "fixed",
                                               "yes", "97.31%"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"GHSA-p6mc-m468-83gw", "medium", "lodash", "4.17.15",
                                               "-", "unfixed", "-", "-"}));
  EXPECT_EQ(rows[3], (std::vector<std::string>{"CVE-2023-45853", "negligible", "zlib",
                                               "1:1.2.13.dfsg-1", "-", "will-not-fix", "-", "-"}));
  EXPECT_NE(out.find("Total: 3 (critical: 1, high: 0, medium: 1, low: 0, negligible: 1, unknown: 0)"),
            std::string::npos)
      << out;
  // Not-affected entries are not findings.
  EXPECT_EQ(out.find("CVE-2022-1111"), std::string::npos);
}

TEST(TableReport, NoFindingsAndHostileText) {
  ScanReport report = sample_report();
  report.images[0].result = {};
  report.images[0].name = "oci:/tmp/x\x1b[31m";
  std::string out = render("table", report);
  EXPECT_NE(out.find("No vulnerabilities found"), std::string::npos);
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << "terminal escapes must not pass through";
}

TEST(JsonReport, EveryFindingField) {
  json::value doc = parse(render("json", sample_report()));
  EXPECT_EQ(doc.at("schemaVersion").as_int64(), 1);
  EXPECT_EQ(doc.at("scannedAt").as_string(), "2024-05-01T12:00:00Z");
  EXPECT_EQ(doc.at("database").at("generation").as_int64(), 7);
  EXPECT_EQ(doc.at("database").at("updatedAt").as_string(), "2024-04-28T12:00:00Z");
  const json::array& images = doc.at("images").as_array();
  ASSERT_EQ(images.size(), 1u);
  const json::object& image = images[0].as_object();
  EXPECT_EQ(image.at("name").as_string(), "docker://registry.example/app:1.0");
  EXPECT_EQ(image.at("manifestDigest").as_string(), "sha256:" + std::string(64, 'a'));
  EXPECT_EQ(image.at("platform").as_string(), "linux/amd64");
  EXPECT_EQ(image.at("distro").as_string(), "debian:12");
  EXPECT_EQ(image.at("os").as_string(), "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(image.at("summary").at("total").as_int64(), 3);
  EXPECT_EQ(image.at("summary").at("critical").as_int64(), 1);
  EXPECT_EQ(image.at("summary").at("medium").as_int64(), 1);
  EXPECT_EQ(image.at("summary").at("negligible").as_int64(), 1);
  EXPECT_EQ(image.at("summary").at("high").as_int64(), 0);
  EXPECT_EQ(image.at("warnings").as_array().size(), 1u);

  const json::array& findings = image.at("findings").as_array();
  ASSERT_EQ(findings.size(), 3u);
  const json::object& f = findings[0].as_object();
  EXPECT_EQ(f.at("vulnerability").as_string(), "CVE-2024-0001");
  EXPECT_EQ(f.at("aliases").as_array(), (json::array{"DSA-5600-1", "GHSA-aaaa-bbbb-cccc"}));
  EXPECT_EQ(f.at("advisory").as_string(), "DSA-5600-1");
  EXPECT_EQ(f.at("advisorySource").as_string(), "debian");
  EXPECT_EQ(f.at("summary").as_string(), "openssl: buffer overflow in X.509 parsing");
  EXPECT_EQ(f.at("package").at("name").as_string(), "openssl");
  EXPECT_EQ(f.at("package").at("type").as_string(), "deb");
  EXPECT_EQ(f.at("package").at("version").as_string(), "3.0.11-1~deb12u1");
  EXPECT_EQ(f.at("package").at("purl").as_string(), openssl_finding().purl);
  EXPECT_EQ(f.at("status").as_string(), "fixed");
  EXPECT_EQ(f.at("fixedVersion").as_string(), "3.0.13-1~deb12u1");
  EXPECT_EQ(f.at("severity").as_string(), "critical");
  EXPECT_EQ(f.at("severitySource").as_string(), "nvd:CVSS 3.1");
  EXPECT_DOUBLE_EQ(f.at("cvss").at("score").as_double(), 9.8);
  EXPECT_EQ(f.at("cvss").at("vector").as_string(), openssl_finding().cvss_vector);
  EXPECT_EQ(f.at("kev").at("dueDate").as_string(), "2024-03-01");
  EXPECT_DOUBLE_EQ(f.at("epss").at("score").as_double(), 0.9731);
  EXPECT_DOUBLE_EQ(f.at("epss").at("percentile").as_double(), 0.9991);
  EXPECT_EQ(f.at("cwes").as_array(), (json::array{"CWE-787", "CWE-120"}));
  EXPECT_EQ(f.at("references").as_array().size(), 2u);

  const json::object& zlib = findings[2].as_object();
  EXPECT_EQ(zlib.at("status").as_string(), "will-not-fix");
  EXPECT_EQ(zlib.at("fixedVersion").as_string(), "");
  EXPECT_TRUE(zlib.at("cvss").is_null());
  EXPECT_TRUE(zlib.at("kev").is_null());
  EXPECT_TRUE(zlib.at("epss").is_null());
  // The same keys in every finding.
  for (const auto& v : findings) EXPECT_EQ(v.as_object().size(), f.size());

  const json::array& not_affected = image.at("notAffected").as_array();
  ASSERT_EQ(not_affected.size(), 1u);
  EXPECT_EQ(not_affected[0].at("status").as_string(), "not-affected");
}

// The fingerprint sees every field finding_json writes: changing any one changes it.
TEST(JsonReport, FingerprintChangesWithEveryField) {
  const Finding base = openssl_finding();
  EXPECT_EQ(finding_fingerprint(base), finding_fingerprint(openssl_finding()));
  using Mutation = void (*)(Finding&);
  const Mutation mutations[] = {
      [](Finding& f) { f.vulnerability += "x"; },
      [](Finding& f) { f.aliases.push_back("GHSA-x"); },
      [](Finding& f) { f.advisory += "x"; },
      [](Finding& f) { f.advisory_source += "x"; },
      [](Finding& f) { f.summary += "x"; },
      [](Finding& f) { f.package_name += "x"; },
      [](Finding& f) { f.package_type += "x"; },
      [](Finding& f) { f.installed_version += "x"; },
      [](Finding& f) { f.purl += "x"; },
      [](Finding& f) { f.fixed_version += "x"; },
      [](Finding& f) { f.severity = Severity::kLow; },
      [](Finding& f) { f.severity_source += "x"; },
      [](Finding& f) { f.cvss_score = f.cvss_score.value_or(0) + 0.1; },
      [](Finding& f) { f.cvss_vector += "x"; },
      [](Finding& f) { f.kev = !f.kev; },
      [](Finding& f) { f.kev_due_date += "1"; },
      [](Finding& f) { f.epss = f.epss.value_or(0) + 0.001; },
      [](Finding& f) { f.epss_percentile = f.epss_percentile.value_or(0) + 0.001; },
      [](Finding& f) { f.cwes.push_back("CWE-1"); },
      [](Finding& f) { f.references.push_back("https://x"); },
  };
  for (size_t i = 0; i < std::size(mutations); ++i) {
    Finding changed = base;
    mutations[i](changed);
    EXPECT_NE(finding_fingerprint(changed), finding_fingerprint(base)) << "mutation " << i;
  }
  // The state as the report spells it: unfixed and will-not-fix differ.
  Finding unfixed = base, never = base;
  unfixed.fixed_version.clear();
  never.fixed_version.clear();
  unfixed.status = AffectedStatus::kUnfixed;
  never.status = AffectedStatus::kWillNotFix;
  EXPECT_NE(finding_fingerprint(unfixed), finding_fingerprint(never));
  // Field boundaries count: moving a character from one field to the next is a change.
  Finding a = base, b = base;
  a.advisory = "ab";
  a.advisory_source = "c";
  b.advisory = "a";
  b.advisory_source = "bc";
  EXPECT_NE(finding_fingerprint(a), finding_fingerprint(b));
}

TEST(JsonReport, InvalidUtf8IsReplaced) {
  ScanReport report = sample_report();
  report.images[0].result.findings[0].summary = "bad \xff byte";
  json::value doc = parse(render("json", report));
  EXPECT_EQ(doc.at("images").at(0).at("findings").at(0).at("summary").as_string(),
            "bad \xEF\xBF\xBD byte");
}

TEST(SarifReport, RulesResultsAndLocations) {
  json::value doc = parse(render("sarif", two_platform_report()));
  EXPECT_EQ(doc.at("version").as_string(), "2.1.0");
  const json::array& runs = doc.at("runs").as_array();
  ASSERT_EQ(runs.size(), 1u);
  const json::object& driver = runs[0].at("tool").at("driver").as_object();
  EXPECT_EQ(driver.at("name").as_string(), "bulwark");
  const json::array& rules = driver.at("rules").as_array();
  // One rule per vulnerability, although CVE-2024-0001 is found on both platforms.
  ASSERT_EQ(rules.size(), 3u);
  std::map<std::string, const json::object*> by_id;
  for (const auto& r : rules) by_id[std::string(r.at("id").as_string())] = &r.as_object();
  ASSERT_TRUE(by_id.count("CVE-2024-0001"));
  const json::object& rule = *by_id["CVE-2024-0001"];
  EXPECT_EQ(rule.at("shortDescription").at("text").as_string(),
            "openssl: buffer overflow in X.509 parsing");
  EXPECT_EQ(rule.at("helpUri").as_string(),
            "https://security-tracker.debian.org/tracker/CVE-2024-0001");
  EXPECT_EQ(rule.at("properties").at("security-severity").as_string(), "9.8");
  EXPECT_EQ(by_id["GHSA-p6mc-m468-83gw"]->at("properties").at("security-severity").as_string(),
            "5.3");
  // No CVSS score: no security-severity.
  EXPECT_FALSE(by_id["CVE-2023-45853"]->at("properties").as_object().contains("security-severity"));

  const json::array& results = runs[0].at("results").as_array();
  ASSERT_EQ(results.size(), 4u);  // 3 on amd64, 1 on arm64; not-affected left out
  std::map<std::string, std::string> levels;
  for (const auto& r : results) {
    std::string id(r.at("ruleId").as_string());
    levels[id] = std::string(r.at("level").as_string());
    // ruleIndex points at the rule of the same id.
    EXPECT_EQ(rules.at(r.at("ruleIndex").as_int64()).at("id").as_string(), id);
  }
  EXPECT_EQ(levels["CVE-2024-0001"], "error");
  EXPECT_EQ(levels["GHSA-p6mc-m468-83gw"], "warning");
  EXPECT_EQ(levels["CVE-2023-45853"], "note");
  const json::object& first = results[0].as_object();
  std::string message(first.at("message").at("text").as_string());
  EXPECT_NE(message.find("openssl"), std::string::npos) << message;
  EXPECT_NE(message.find("3.0.11-1~deb12u1"), std::string::npos) << message;
  EXPECT_NE(message.find("fixed in 3.0.13-1~deb12u1"), std::string::npos) << message;
  const json::object& location = first.at("locations").at(0).as_object();
  EXPECT_EQ(location.at("physicalLocation").at("artifactLocation").at("uri").as_string(),
            openssl_finding().purl);
  EXPECT_EQ(location.at("logicalLocations").at(0).at("name").as_string(),
            "docker://registry.example/app:1.0");
  // The arm64 result names its own platform.
  EXPECT_NE(std::string(results[3].at("locations").at(0).at("logicalLocations").at(0)
                            .at("fullyQualifiedName").as_string())
                .find("linux/arm64"),
            std::string::npos);
}

TEST(CycloneDxVexReport, ComponentsVulnerabilitiesAndAnalysis) {
  json::value doc = parse(render("cyclonedx-vex", sample_report()));
  EXPECT_EQ(doc.at("bomFormat").as_string(), "CycloneDX");
  EXPECT_EQ(doc.at("specVersion").as_string(), "1.6");
  EXPECT_EQ(doc.at("metadata").at("timestamp").as_string(), "2024-05-01T12:00:00Z");
  EXPECT_EQ(doc.at("metadata").at("component").at("type").as_string(), "container");
  std::set<std::string> refs;
  for (const auto& c : doc.at("components").as_array())
    refs.insert(std::string(c.at("bom-ref").as_string()));
  EXPECT_EQ(refs, (std::set<std::string>{openssl_finding().purl, zlib_finding().purl,
                                         lodash_finding().purl, not_affected_finding().purl}));

  std::map<std::string, const json::object*> vulns;
  for (const auto& v : doc.at("vulnerabilities").as_array())
    vulns[std::string(v.at("id").as_string())] = &v.as_object();
  ASSERT_EQ(vulns.size(), 4u);
  const json::object& v = *vulns["CVE-2024-0001"];
  EXPECT_EQ(v.at("source").at("name").as_string(), "debian");
  const json::object& rating = v.at("ratings").at(0).as_object();
  EXPECT_EQ(rating.at("severity").as_string(), "critical");
  EXPECT_EQ(rating.at("method").as_string(), "CVSSv31");
  EXPECT_DOUBLE_EQ(rating.at("score").as_double(), 9.8);
  EXPECT_EQ(rating.at("vector").as_string(), openssl_finding().cvss_vector);
  EXPECT_EQ(v.at("cwes").as_array(), (json::array{120, 787}));
  EXPECT_EQ(v.at("affects").at(0).at("ref").as_string(), openssl_finding().purl);
  EXPECT_EQ(v.at("analysis").at("state").as_string(), "in_triage");
  EXPECT_EQ(v.at("analysis").at("response").as_array(), (json::array{"update"}));
  EXPECT_NE(std::string(v.at("recommendation").as_string()).find("3.0.13-1~deb12u1"),
            std::string::npos);
  std::set<std::string> aliases;
  for (const auto& r : v.at("references").as_array()) aliases.insert(std::string(r.at("id").as_string()));
  EXPECT_EQ(aliases, (std::set<std::string>{"DSA-5600-1", "GHSA-aaaa-bbbb-cccc"}));

  EXPECT_EQ(vulns["GHSA-p6mc-m468-83gw"]->at("ratings").at(0).at("method").as_string(), "CVSSv4");
  EXPECT_EQ(vulns["CVE-2023-45853"]->at("ratings").at(0).at("method").as_string(), "other");
  EXPECT_EQ(vulns["CVE-2023-45853"]->at("analysis").at("response").as_array(),
            (json::array{"will_not_fix"}));
  const json::object& na = vulns["CVE-2022-1111"]->at("analysis").as_object();
  EXPECT_EQ(na.at("state").as_string(), "not_affected");
  EXPECT_FALSE(na.contains("justification"));
  EXPECT_NE(std::string(na.at("detail").as_string()).find("debian"), std::string::npos);
  EXPECT_EQ(vulns["CVE-2022-1111"]->at("affects").at(0).at("versions").at(0).at("status").as_string(),
            "unaffected");
}

// --- the official schemas, with the real ajv ----------------------------------------------------

class ReportSchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(fs::path(VULNDB_SCHEMA_DIR) / "bom-1.6.SNAPSHOT.schema.json"))
        << "the shared schemas are missing: " << VULNDB_SCHEMA_DIR;
    ASSERT_EQ(std::system("command -v node >/dev/null"), 0)
        << "node is not installed: run scripts/install-deps";
    fs::path modules = fs::path(VULNDB_AJV_VALIDATE).parent_path() / "node_modules";
    ASSERT_TRUE(fs::exists(modules / "ajv-draft-04") && fs::exists(modules / "@microsoft" / "jest-sarif"))
        << "the npm packages of tests/ajv are not installed: run scripts/install-deps";
  }

  // node validate.js KIND FILE: 0 valid, 1 invalid, 2 usage or I/O error; output in `log`.
  int validate(std::string_view kind, const std::string& document, std::string& log) {
    std::string file = dir_.file("doc.json"), out = dir_.file("validate.log");
    std::ofstream(file, std::ios::binary) << document;
    std::string command = "BULWARK_SCHEMA_DIR='" + std::string(VULNDB_SCHEMA_DIR) + "' node '" +
                          VULNDB_AJV_VALIDATE + "' " + std::string(kind) + " '" + file + "' >'" +
                          out + "' 2>&1";
    int status = std::system(command.c_str());
    std::ifstream in(out);
    std::stringstream buf;
    buf << in.rdbuf();
    log = buf.str();
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  TempDir dir_{"vulndb-report-test"};
};

TEST_F(ReportSchemaTest, CycloneDxVexIsValid) {
  std::string log;
  for (const ScanReport& report : {sample_report(), two_platform_report()}) {
    EXPECT_EQ(validate("cyclonedx-1.6", render("cyclonedx-vex", report), log), 0) << log;
  }
  json::value broken = parse(render("cyclonedx-vex", sample_report()));
  broken.at("vulnerabilities").at(0).at("analysis").as_object()["state"] = "maybe";
  EXPECT_EQ(validate("cyclonedx-1.6", json::serialize(broken), log), 1) << log;
}

TEST_F(ReportSchemaTest, SarifIsValid) {
  std::string log;
  for (const ScanReport& report : {sample_report(), two_platform_report()}) {
    EXPECT_EQ(validate("sarif-2.1.0", render("sarif", report), log), 0) << log;
  }
  json::value broken = parse(render("sarif", sample_report()));
  broken.at("runs").at(0).at("results").at(0).as_object()["level"] = "fatal";
  EXPECT_EQ(validate("sarif-2.1.0", json::serialize(broken), log), 1) << log;
}

}  // namespace
}  // namespace bulwark::vulndb
