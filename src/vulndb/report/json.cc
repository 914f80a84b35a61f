// Bulwark's JSON report: the machine-readable form of `bulwark scan`, and the body of the
// registry's report referrer artifact (kScanReportMediaType) and /api/v1 scan reports.
//
// The shape (schemaVersion 1; every key is always present, so consumers need no existence
// checks; strings are "" when unknown, optional numbers null):
//
//   {
//     "schemaVersion": 1,
//     "scanner": "bulwark",
//     "scannedAt": "2024-05-01T12:00:00Z",
//     "database": {"generation": 7, "updatedAt": "2024-04-30T00:00:00Z"},
//     "images": [{
//       "name": "docker://host/repo:tag", "manifestDigest": "sha256:...",
//       "platform": "linux/amd64", "distro": "debian:12", "os": "Debian GNU/Linux 12 (bookworm)",
//       "summary": {"total": 3, "critical": 1, "high": 1, "medium": 0, "low": 1,
//                   "negligible": 0, "unknown": 0},
//       "findings": [FINDING...],       // worst first (MatchResult order)
//       "notAffected": [FINDING...],    // the distribution says these are not affected
//       "warnings": ["..."]
//     }]
//   }
//
//   FINDING = {
//     "vulnerability": "CVE-2024-1", "aliases": ["DSA-5000-1", "GHSA-..."],
//     "advisory": "DSA-5000-1", "advisorySource": "debian", "summary": "...",
//     "package": {"name": "openssl", "type": "deb", "version": "3.0.11-1~deb12u1",
//                 "purl": "pkg:deb/debian/openssl@..."},
//     "status": "fixed" | "unfixed" | "will-not-fix" | "not-affected",
//     "fixedVersion": "3.0.13-1~deb12u2",          // "" when no fix
//     "severity": "critical" | "high" | "medium" | "low" | "negligible" | "unknown",
//     "severitySource": "debian" | "nvd:CVSS 3.1" | ... | "",
//     "cvss": {"score": 9.8, "vector": "CVSS:3.1/..."} | null,
//     "kev": {"dueDate": "2024-06-01"} | null,
//     "epss": {"score": 0.97, "percentile": 0.99} | null,
//     "cwes": ["CWE-79"], "references": ["https://..."]
//   }
#include <cstring>
#include <optional>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "common/fnv.h"
#include "scan/sbom/common.h"
#include "vulndb/report/common.h"

namespace bulwark::vulndb {
namespace {

namespace json = boost::json;
using namespace report_detail;

constexpr int kSchemaVersion = 1;

json::array strings(const std::vector<std::string>& values) {
  json::array out;
  for (const auto& v : values) out.push_back(text(v));
  return out;
}

}  // namespace

json::object finding_json(const Finding& f) {
  json::object o;
  o["vulnerability"] = text(f.vulnerability);
  o["aliases"] = strings(f.aliases);
  o["advisory"] = text(f.advisory);
  o["advisorySource"] = text(f.advisory_source);
  o["summary"] = text(f.summary);
  o["package"] = json::object{{"name", text(f.package_name)},
                              {"type", text(f.package_type)},
                              {"version", text(f.installed_version)},
                              {"purl", text(f.purl)}};
  o["status"] = fix_state(f);
  o["fixedVersion"] = text(f.fixed_version);
  o["severity"] = severity_name(f.severity);
  o["severitySource"] = text(f.severity_source);
  if (f.cvss_score || !f.cvss_vector.empty()) {
    json::object cvss;
    cvss["score"] = f.cvss_score ? json::value(*f.cvss_score) : json::value(nullptr);
    cvss["vector"] = text(f.cvss_vector);
    o["cvss"] = std::move(cvss);
  } else {
    o["cvss"] = nullptr;
  }
  if (f.kev) {
    o["kev"] = json::object{{"dueDate", text(f.kev_due_date)}};
  } else {
    o["kev"] = nullptr;
  }
  if (f.epss) {
    json::object epss;
    epss["score"] = *f.epss;
    epss["percentile"] = f.epss_percentile ? json::value(*f.epss_percentile) : json::value(nullptr);
    o["epss"] = std::move(epss);
  } else {
    o["epss"] = nullptr;
  }
  o["cwes"] = strings(f.cwes);
  o["references"] = strings(f.references);
  return o;
}

namespace {

// The report's fields into the hash: lists end with a marker, optional numbers by their bits.
void add(Fnv1a& h, const std::vector<std::string>& list) {
  for (const auto& s : list) h.add(s);
  h.end_list();
}
void add(Fnv1a& h, std::optional<double> v) {
  if (!v) {
    h.add("-");
    return;
  }
  uint64_t bits = 0;
  std::memcpy(&bits, &*v, sizeof bits);
  h.add_u64(bits);
}

}  // namespace

uint64_t finding_fingerprint(const Finding& f) {
  Fnv1a h;
  h.add(f.vulnerability);
  add(h, f.aliases);
  h.add(f.advisory).add(f.advisory_source).add(f.summary);
  h.add(f.package_name).add(f.package_type).add(f.installed_version).add(f.purl);
  h.add(fix_state(f)).add(f.fixed_version).add(severity_name(f.severity)).add(f.severity_source);
  add(h, f.cvss_score);
  h.add(f.cvss_vector);
  h.add(f.kev ? std::string_view("kev") : std::string_view()).add(f.kev_due_date);
  add(h, f.epss);
  add(h, f.epss_percentile);
  add(h, f.cwes);
  add(h, f.references);
  return h.value();
}

namespace {

json::array findings_json(const std::vector<Finding>& findings) {
  json::array out;
  for (const auto& f : findings) out.push_back(finding_json(f));
  return out;
}

json::object image_json(const ImageReport& image) {
  json::object o;
  o["name"] = text(image.name);
  o["manifestDigest"] = text(image.manifest_digest);
  o["platform"] = text(image.platform);
  o["distro"] = text(image.distro);
  o["os"] = text(image.os_pretty_name);
  SeverityCounts counts = count_by_severity(image.result);
  json::object summary;
  summary["total"] = image.result.findings.size();
  for (size_t i = counts.size(); i-- > 0;)
    summary[severity_name(static_cast<Severity>(i))] = counts[i];
  o["summary"] = std::move(summary);
  o["findings"] = findings_json(image.result.findings);
  o["notAffected"] = findings_json(image.result.not_affected);
  o["warnings"] = strings(image.warnings);
  return o;
}

}  // namespace

std::string write_json_report(const ScanReport& report) {
  json::object doc;
  doc["schemaVersion"] = kSchemaVersion;
  doc["scanner"] = "bulwark";
  doc["scannedAt"] = rfc3339(report.scanned_at);
  doc["database"] = json::object{{"generation", report.db_generation},
                                 {"updatedAt", rfc3339(report.db_updated_at)}};
  json::array images;
  for (const auto& image : report.images) images.push_back(image_json(image));
  doc["images"] = std::move(images);
  return json::serialize(doc) + "\n";
}

}  // namespace bulwark::vulndb
