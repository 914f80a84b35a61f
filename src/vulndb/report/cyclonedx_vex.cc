// The CycloneDX 1.6 VEX report: what the scan found, as CycloneDX vulnerabilities about the
// image's packages, for tools that consume VEX (Dependency-Track, OpenVEX converters, ...).
//
// components: the affected packages (bom-ref = purl), plus the images when there are several (one
// image is metadata.component). vulnerabilities: one entry per (vulnerability, package, state):
// id, source (the importer whose record matched), aliases as references, ratings (severity,
// method from the CVSS vector or the severity source, score, vector), cwes as numbers, the
// summary, advisories from the references, recommendation (the fixed version), analysis and
// affects[].ref. A finding is analysis.state "in_triage" (Bulwark matched it, nobody has judged
// it yet), with response "update" when a fix exists and "will_not_fix" when the distribution says
// so; a MatchResult::not_affected entry is "not_affected" without a justification (the
// distribution does not say why) and a detail naming who said so.
#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <cstdio>
#include <set>

#include "scan/sbom/common.h"
#include "vulndb/report/common.h"

namespace bulwark::vulndb {
namespace {

namespace json = boost::json;
using namespace report_detail;

// CycloneDX's severity words.
struct SeverityWord {
  Severity severity;
  std::string_view word;
};
constexpr SeverityWord kSeverities[] = {
    {Severity::kCritical, "critical"}, {Severity::kHigh, "high"},
    {Severity::kMedium, "medium"},     {Severity::kLow, "low"},
    {Severity::kNegligible, "info"},   {Severity::kUnknown, "unknown"},
};

std::string_view severity_word(Severity severity) {
  for (const auto& s : kSeverities) {
    if (s.severity == severity) return s.word;
  }
  return "unknown";
}

// CycloneDX scoreMethod from the CVSS vector's prefix, else from the severity source's words.
struct MethodRule {
  std::string_view vector_prefix;  // "" for CVSS v2 vectors, which have none
  std::string_view source_text;    // in Finding::severity_source ("nvd:CVSS 3.1")
  std::string_view method;
};
constexpr MethodRule kMethods[] = {
    {"CVSS:4.0/", "CVSS 4", "CVSSv4"},
    {"CVSS:3.1/", "CVSS 3.1", "CVSSv31"},
    {"CVSS:3.0/", "CVSS 3", "CVSSv3"},
    {"AV:", "CVSS 2", "CVSSv2"},
};

std::string_view method_of(const Finding& f) {
  for (const auto& rule : kMethods) {
    if (!f.cvss_vector.empty() && f.cvss_vector.rfind(rule.vector_prefix, 0) == 0)
      return rule.method;
  }
  if (f.cvss_vector.empty()) {
    for (const auto& rule : kMethods) {
      if (f.severity_source.find(rule.source_text) != std::string::npos) return rule.method;
    }
  }
  return "other";
}

std::string number_text(double value) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", value);
  return buf;
}

// The bom-ref of the finding's package: its purl, else a name built from type, name, version.
std::string package_ref(const Finding& f) {
  if (!f.purl.empty()) return f.purl;
  return "package:" + f.package_type + "/" + f.package_name + "@" + f.installed_version;
}

json::object package_component(const Finding& f) {
  json::object c;
  c["type"] = "library";
  c["bom-ref"] = text(package_ref(f));
  c["name"] = text(f.package_name.empty() ? "unknown" : f.package_name);
  if (!f.installed_version.empty()) c["version"] = text(f.installed_version);
  if (!f.purl.empty()) c["purl"] = text(f.purl);
  return c;
}

json::object image_component(const ImageReport& image) {
  scan::Inventory inventory = image_inventory(image);
  std::string purl = scan::image_purl(inventory);
  json::object c;
  c["type"] = "container";
  c["bom-ref"] = text(!purl.empty() ? purl : "image:" + scan::image_name(inventory) + ":" + image.platform);
  c["name"] = text(scan::image_name(inventory));
  if (!image.manifest_digest.empty()) c["version"] = text(image.manifest_digest);
  if (!purl.empty()) c["purl"] = text(purl);
  if (!image.platform.empty())
    c["properties"] = json::array{json::object{{"name", "bulwark:image:platform"},
                                               {"value", text(image.platform)}}};
  return c;
}

void add_property(json::array& properties, std::string_view name, std::string_view value) {
  if (value.empty()) return;
  properties.push_back(json::object{{"name", name}, {"value", text(value)}});
}

// "GHSA-xxxx" -> "GHSA": who names an alias.
std::string id_source(std::string_view id) {
  size_t dash = id.find('-');
  return std::string(dash == std::string_view::npos ? id : id.substr(0, dash));
}

json::object vulnerability_json(const Finding& f, bool not_affected) {
  json::object v;
  std::string state = not_affected ? "not_affected" : "in_triage";
  v["bom-ref"] = text("vulnerability:" + f.vulnerability + ":" + package_ref(f) + ":" + state);
  v["id"] = text(f.vulnerability);
  if (!f.advisory_source.empty()) v["source"] = json::object{{"name", text(f.advisory_source)}};
  json::array references;
  std::set<std::string> seen_ids{f.vulnerability};
  std::vector<std::string> ids = f.aliases;
  if (!f.advisory.empty()) ids.insert(ids.begin(), f.advisory);
  for (const auto& id : ids) {
    if (id.empty() || !seen_ids.insert(id).second) continue;
    references.push_back(
        json::object{{"id", text(id)}, {"source", json::object{{"name", text(id_source(id))}}}});
  }
  if (!references.empty()) v["references"] = std::move(references);

  json::object rating;
  if (!f.severity_source.empty()) {
    std::string source = f.severity_source.substr(0, f.severity_source.find(':'));
    rating["source"] = json::object{{"name", text(source)}};
  }
  if (f.cvss_score) rating["score"] = *f.cvss_score;
  rating["severity"] = severity_word(f.severity);
  rating["method"] = method_of(f);
  if (!f.cvss_vector.empty()) rating["vector"] = text(f.cvss_vector);
  v["ratings"] = json::array{std::move(rating)};

  std::set<int64_t> cwes;
  for (const auto& cwe : f.cwes) {
    std::string_view digits = cwe;
    if (digits.rfind("CWE-", 0) == 0) digits.remove_prefix(4);
    int64_t n = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec == std::errc() && end == digits.data() + digits.size() && n >= 0) cwes.insert(n);
  }
  if (!cwes.empty()) {
    json::array list;
    for (int64_t n : cwes) list.push_back(n);
    v["cwes"] = std::move(list);
  }
  if (!f.summary.empty()) v["description"] = text(f.summary);
  if (!not_affected && !f.fixed_version.empty()) {
    v["recommendation"] =
        text("Upgrade " + f.package_name + " to " + f.fixed_version + " or later.");
  }
  json::array advisories;
  std::set<std::string> seen_urls;
  for (const auto& ref : f.references) {
    if (ref.empty() || !seen_urls.insert(ref).second) continue;
    advisories.push_back(json::object{{"url", text(uri_escape(ref))}});
  }
  if (!advisories.empty()) v["advisories"] = std::move(advisories);

  json::object analysis;
  analysis["state"] = state;
  if (not_affected) {
    analysis["detail"] = text("The " + (f.advisory_source.empty() ? std::string("distribution's")
                                                                  : f.advisory_source + " feed's") +
                              " record " + f.advisory + " states that " + f.package_name + " " +
                              f.installed_version + " is not affected.");
  } else if (!f.fixed_version.empty()) {
    analysis["response"] = json::array{"update"};
    analysis["detail"] = text("Fixed in " + f.fixed_version + " (" + f.advisory + ").");
  } else if (f.status == AffectedStatus::kWillNotFix) {
    analysis["response"] = json::array{"will_not_fix"};
    analysis["detail"] = text("The distribution will not fix this (" + f.advisory + ").");
  } else {
    analysis["detail"] = text("No fix is available yet (" + f.advisory + ").");
  }
  v["analysis"] = std::move(analysis);

  json::object affect;
  affect["ref"] = text(package_ref(f));
  if (!f.installed_version.empty()) {
    affect["versions"] = json::array{json::object{
        {"version", text(f.installed_version)}, {"status", not_affected ? "unaffected" : "affected"}}};
  }
  v["affects"] = json::array{std::move(affect)};

  json::array properties;
  add_property(properties, "bulwark:advisory", f.advisory);
  add_property(properties, "bulwark:severity-source", f.severity_source);
  add_property(properties, "bulwark:status", fix_state(f));
  if (f.kev) {
    add_property(properties, "bulwark:kev", "true");
    add_property(properties, "bulwark:kev:due-date", f.kev_due_date);
  }
  if (f.epss) add_property(properties, "bulwark:epss", number_text(*f.epss));
  if (f.epss_percentile) add_property(properties, "bulwark:epss:percentile", number_text(*f.epss_percentile));
  if (!properties.empty()) v["properties"] = std::move(properties);
  return v;
}

}  // namespace

std::string write_cyclonedx_vex_report(const ScanReport& report) {
  json::array components;
  json::array vulnerabilities;
  std::set<std::string> component_refs;
  std::set<std::string> vulnerability_refs;
  auto add = [&](const Finding& f, bool not_affected) {
    if (component_refs.insert(package_ref(f)).second) components.push_back(package_component(f));
    json::object v = vulnerability_json(f, not_affected);
    if (vulnerability_refs.insert(std::string(v["bom-ref"].as_string())).second)
      vulnerabilities.push_back(std::move(v));
  };
  for (const auto& image : report.images) {
    for (const auto& f : image.result.findings) add(f, false);
    for (const auto& f : image.result.not_affected) add(f, true);
  }

  json::object metadata;
  metadata["timestamp"] = rfc3339(report.scanned_at);
  metadata["tools"] = json::object{
      {"components", json::array{json::object{{"type", "application"}, {"name", "bulwark"}}}}};
  if (report.images.size() == 1) {
    metadata["component"] = image_component(report.images.front());
  } else {
    for (const auto& image : report.images) {
      json::object c = image_component(image);
      if (component_refs.insert(std::string(c["bom-ref"].as_string())).second)
        components.push_back(std::move(c));
    }
  }
  metadata["properties"] = json::array{
      json::object{{"name", "bulwark:vulndb:generation"},
                   {"value", std::to_string(report.db_generation)}},
      json::object{{"name", "bulwark:vulndb:updated-at"}, {"value", rfc3339(report.db_updated_at)}}};

  json::object bom;
  bom["bomFormat"] = "CycloneDX";
  bom["specVersion"] = "1.6";
  bom["serialNumber"] = "";  // filled below, from the rest of the document
  bom["version"] = 1;
  bom["metadata"] = std::move(metadata);
  bom["components"] = std::move(components);
  bom["vulnerabilities"] = std::move(vulnerabilities);
  bom["serialNumber"] = "urn:uuid:" + scan::uuid_from(json::serialize(bom));
  return json::serialize(bom) + "\n";
}

}  // namespace bulwark::vulndb
