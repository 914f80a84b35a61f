// The SARIF 2.1.0 report, for code-scanning dashboards (GitHub, GitLab, Azure DevOps).
//
// One run; tool.driver "bulwark" has one rule per vulnerability (id, shortDescription, helpUri
// from its references, defaultConfiguration.level, and properties."security-severity" = the CVSS
// base score when one is known, which is what GitHub ranks by). One result per finding: ruleId,
// level from the severity (critical/high: error, medium: warning, others: note), a message naming
// the package, installed and fixed versions, and a location: the package's purl as the artifact
// and the image (name, platform, digest) as a logical location. Not-affected entries are left out.
#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <map>

#include "scan/sbom/common.h"
#include "vulndb/report/common.h"

namespace bulwark::vulndb {
namespace {

namespace json = boost::json;
using namespace report_detail;

// SARIF levels per severity.
struct LevelRule {
  Severity severity;
  std::string_view level;
};
constexpr LevelRule kLevels[] = {
    {Severity::kCritical, "error"}, {Severity::kHigh, "error"},     {Severity::kMedium, "warning"},
    {Severity::kLow, "note"},       {Severity::kNegligible, "note"}, {Severity::kUnknown, "note"},
};

std::string_view level_of(Severity severity) {
  for (const auto& rule : kLevels) {
    if (rule.severity == severity) return rule.level;
  }
  return "note";
}

std::string score_text(double score) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%.1f", score);
  return buf;
}

// The first http(s) reference, or "".
std::string help_uri(const Finding& f) {
  for (const auto& ref : f.references) {
    if (ref.rfind("https://", 0) == 0 || ref.rfind("http://", 0) == 0) return uri_escape(ref);
  }
  return "";
}

// A rule: the worst severity and highest CVSS score any finding of the vulnerability has.
struct RuleInfo {
  const Finding* first = nullptr;
  Severity severity = Severity::kUnknown;
  std::optional<double> score;
  size_t index = 0;
};

json::object rule_json(const std::string& id, const RuleInfo& info) {
  const Finding& f = *info.first;
  json::object rule;
  rule["id"] = text(id);
  rule["name"] = text(id);
  rule["shortDescription"] = json::object{{"text", text(f.summary.empty() ? id : f.summary)}};
  if (std::string uri = help_uri(f); !uri.empty()) rule["helpUri"] = uri;
  std::string help = id;
  if (!f.summary.empty()) help += ": " + f.summary;
  if (!f.aliases.empty()) {
    help += " (also known as";
    for (const auto& a : f.aliases) help += " " + a;
    help += ")";
  }
  rule["help"] = json::object{{"text", text(help)}};
  rule["defaultConfiguration"] = json::object{{"level", level_of(info.severity)}};
  json::object properties;
  properties["tags"] = json::array{"security", "vulnerability", severity_name(info.severity)};
  if (info.score) properties["security-severity"] = score_text(*info.score);
  rule["properties"] = std::move(properties);
  return rule;
}

std::string message_of(const Finding& f) {
  std::string out = f.vulnerability + " in " + f.package_name + " " + f.installed_version;
  if (!f.fixed_version.empty()) {
    out += ": fixed in " + f.fixed_version;
  } else if (f.status == AffectedStatus::kWillNotFix) {
    out += ": the distribution will not fix it";
  } else {
    out += ": no fix available";
  }
  out += " (severity " + std::string(severity_name(f.severity));
  if (f.cvss_score) out += ", CVSS " + score_text(*f.cvss_score);
  if (f.kev) out += ", known exploited";
  return out + ")";
}

json::object result_json(const Finding& f, const ImageReport& image, size_t rule_index) {
  json::object result;
  result["ruleId"] = text(f.vulnerability);
  result["ruleIndex"] = rule_index;
  result["level"] = level_of(f.severity);
  result["message"] = json::object{{"text", text(message_of(f))}};
  std::string image_name = image.name.empty() ? image.manifest_digest : image.name;
  json::object logical;
  logical["name"] = text(image_name);
  logical["fullyQualifiedName"] =
      text(image_name + (image.platform.empty() ? "" : " (" + image.platform + ")") +
           (image.manifest_digest.empty() ? "" : "@" + image.manifest_digest));
  logical["kind"] = "module";
  json::object location;
  std::string uri = f.purl.empty() ? image_name : f.purl;
  location["physicalLocation"] =
      json::object{{"artifactLocation", json::object{{"uri", text(uri_escape(uri))}}}};
  location["logicalLocations"] = json::array{std::move(logical)};
  result["locations"] = json::array{std::move(location)};
  result["partialFingerprints"] = json::object{
      {"vulnerabilityPackage/v1",
       scan::sha256_hex(f.vulnerability + "\n" + f.purl + "\n" + f.package_name + "\n" +
                        image.platform)}};
  json::object properties;
  properties["image"] = text(image.name);
  properties["platform"] = text(image.platform);
  properties["manifestDigest"] = text(image.manifest_digest);
  properties["package"] = text(f.package_name);
  properties["installedVersion"] = text(f.installed_version);
  properties["fixedVersion"] = text(f.fixed_version);
  properties["status"] = fix_state(f);
  properties["severity"] = severity_name(f.severity);
  properties["kev"] = f.kev;
  if (f.epss) properties["epss"] = *f.epss;
  result["properties"] = std::move(properties);
  return result;
}

}  // namespace

std::string write_sarif_report(const ScanReport& report) {
  std::map<std::string, RuleInfo> rules;  // by vulnerability id: sorted, deterministic
  for (const auto& image : report.images) {
    for (const auto& f : image.result.findings) {
      RuleInfo& info = rules[f.vulnerability];
      if (info.first == nullptr) info.first = &f;
      info.severity = std::max(info.severity, f.severity);
      if (f.cvss_score && (!info.score || *f.cvss_score > *info.score)) info.score = f.cvss_score;
    }
  }
  json::array rule_list;
  for (auto& [id, info] : rules) {
    info.index = rule_list.size();
    rule_list.push_back(rule_json(id, info));
  }
  json::array results;
  for (const auto& image : report.images) {
    for (const auto& f : image.result.findings)
      results.push_back(result_json(f, image, rules[f.vulnerability].index));
  }
  json::object driver;
  driver["name"] = "bulwark";
  driver["rules"] = std::move(rule_list);
  json::object run;
  run["tool"] = json::object{{"driver", std::move(driver)}};
  run["results"] = std::move(results);
  run["properties"] = json::object{{"databaseGeneration", report.db_generation},
                                   {"databaseUpdatedAt", rfc3339(report.db_updated_at)},
                                   {"scannedAt", rfc3339(report.scanned_at)}};
  json::object doc;
  doc["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  doc["version"] = "2.1.0";
  doc["runs"] = json::array{std::move(run)};
  return json::serialize(doc) + "\n";
}

}  // namespace bulwark::vulndb
