// The NVD importer: NVD CVE API 2.0 JSON into one Advisory per CVE (source "nvd") with the English
// description, every CVSS metric (v2, v3.0, v3.1, v4.0; NVD's own and the CNAs'), CWEs and
// reference URLs. Reads an API response page ({"format": "NVD_CVE", "vulnerabilities":
// [{"cve": {...}}]}), a single CVE object as vuln-list-nvd stores it ({"id", "vulnStatus", ...}),
// or a vunnel snapshot ({"identifier", "item": {"cve": {...}}}). A CVE found in several files is
// kept once, from the file with the latest lastModified.
//
// Out of scope: the CPE "configurations" (CPE match criteria are not packages of an ecosystem), so
// NVD advisories carry no Affected entries; they contribute severities, CWEs and text to the
// records of other feeds that share the CVE id.
//
// Stateless; thread-safe.
#include <algorithm>
#include <map>
#include <regex>
#include <string>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "common/strict_json.h"
#include "vulndb/advisory.h"
#include "vulndb/sources/feed_io.h"

namespace bulwark::vulndb {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr size_t kMaxFileBytes = 64u << 20;
constexpr size_t kMaxVectorBytes = 256;   // the longest CVSS v4.0 vector is ~200 characters
constexpr size_t kMaxSummaryBytes = 200;  // the summary is the description's first line, cut

// The metric arrays of "metrics" and the SeverityRating type of each.
constexpr std::pair<std::string_view, std::string_view> kMetricTypes[] = {
    {"cvssMetricV2", "CVSS_V2"},
    {"cvssMetricV30", "CVSS_V3"},
    {"cvssMetricV31", "CVSS_V3"},
    {"cvssMetricV40", "CVSS_V4"},
};

// Rater addresses that have a short name.
constexpr std::pair<std::string_view, std::string_view> kSourceNames[] = {
    {"nvd@nist.gov", "nvd"},
};

bool is_nvd_file(const fs::path& file) {
  if (file.extension() != ".json") return false;
  const std::string head = feed::read_head(file, 8192);
  return head.find("\"NVD_CVE\"") != std::string::npos ||
         head.find("\"vulnStatus\"") != std::string::npos;
}

bool recognizes(const fs::path& path) { return feed::any_file(path, is_nvd_file); }

bool is_printable_ascii(std::string_view text) {
  for (const char c : text) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

// The first line of `text`, at most kMaxSummaryBytes, not cutting a UTF-8 sequence.
std::string summary_of(std::string_view text) {
  text = text.substr(0, text.find('\n'));
  if (text.size() <= kMaxSummaryBytes) return std::string(text);
  size_t end = kMaxSummaryBytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

// The array member `key` of `object` (nullptr when absent); a warning when present but not an array.
const json::array* array_field(const json::object& object, std::string_view key,
                               const std::string& where, ImportStats& stats) {
  const auto* value = object.if_contains(key);
  if (value == nullptr || value->is_null()) return nullptr;
  if (!value->is_array()) {
    feed::warn(stats, where + ": \"" + std::string(key) + "\" is not an array");
    return nullptr;
  }
  return &value->get_array();
}

void add_severities(const json::object& cve, const std::string& where, Advisory& advisory,
                    ImportStats& stats) {
  const auto* metrics_value = cve.if_contains("metrics");
  if (metrics_value == nullptr || metrics_value->is_null()) return;
  const auto* metrics = metrics_value->if_object();
  if (metrics == nullptr) {
    feed::warn(stats, where + ": \"metrics\" is not an object");
    return;
  }
  for (const auto& [key, type] : kMetricTypes) {
    const auto* list = array_field(*metrics, key, where, stats);
    if (list == nullptr) continue;
    for (const auto& value : *list) {
      const auto* metric = value.if_object();
      const auto* data = metric == nullptr ? nullptr : metric->if_contains("cvssData");
      const std::string_view vector = data == nullptr || !data->is_object()
                                          ? std::string_view()
                                          : feed::string_field(data->get_object(), "vectorString");
      if (vector.empty() || vector.size() > kMaxVectorBytes || !is_printable_ascii(vector)) {
        feed::warn(stats, where + ": " + std::string(key) + " metric without a usable vectorString " +
                              feed::quoted(vector));
        continue;
      }
      SeverityRating rating{std::string(type), std::string(vector),
                            std::string(feed::string_field(*metric, "source"))};
      for (const auto& [address, name] : kSourceNames) {
        if (rating.source == address) rating.source = name;
      }
      advisory.severities.push_back(std::move(rating));
    }
  }
}

void add_cwes(const json::object& cve, const std::string& where, Advisory& advisory,
              ImportStats& stats) {
  static const std::regex kCwe(R"(CWE-\d{1,6})");
  const auto* weaknesses = array_field(cve, "weaknesses", where, stats);
  if (weaknesses == nullptr) return;
  for (const auto& weakness : *weaknesses) {
    const auto* object = weakness.if_object();
    const auto* descriptions =
        object == nullptr ? nullptr : array_field(*object, "description", where, stats);
    if (descriptions == nullptr) continue;
    for (const auto& description : *descriptions) {
      if (!description.is_object()) continue;
      const std::string_view cwe = feed::string_field(description.get_object(), "value");
      if (cwe.rfind("NVD-CWE-", 0) == 0) continue;  // "NVD-CWE-Other", "NVD-CWE-noinfo"
      if (!feed::matches(cwe, kCwe)) {
        feed::warn(stats, where + ": not a CWE id " + feed::quoted(cwe));
        continue;
      }
      if (std::find(advisory.cwes.begin(), advisory.cwes.end(), cwe) == advisory.cwes.end()) {
        advisory.cwes.emplace_back(cwe);
      }
    }
  }
}

void add_references(const json::object& cve, const std::string& where, Advisory& advisory,
                    ImportStats& stats) {
  const auto* references = array_field(cve, "references", where, stats);
  if (references == nullptr) return;
  for (const auto& reference : *references) {
    if (!reference.is_object()) continue;
    const std::string_view url = feed::string_field(reference.get_object(), "url");
    if (url.empty()) continue;
    if (std::find(advisory.references.begin(), advisory.references.end(), url) ==
        advisory.references.end()) {
      advisory.references.emplace_back(url);
    }
  }
}

// One CVE object into `advisories` (replacing an older record of the same id); skipped with a
// warning when it has no valid id.
void collect_cve(const json::value& value, const std::string& where,
                 std::map<std::string, Advisory>& advisories, ImportStats& stats) {
  static const std::regex kCveId(R"(CVE-\d{4}-\d{4,})");
  const auto* cve = value.if_object();
  if (cve == nullptr) {
    feed::skip(stats, where + ": cve is not an object");
    return;
  }
  Advisory advisory;
  advisory.id = std::string(feed::string_field(*cve, "id"));
  if (!feed::matches(advisory.id, kCveId)) {
    feed::skip(stats, where + ": cve without a valid id " + feed::quoted(advisory.id));
    return;
  }
  const std::string at = where + ": " + advisory.id;
  advisory.source = "nvd";
  advisory.published = std::string(feed::string_field(*cve, "published"));
  advisory.modified = std::string(feed::string_field(*cve, "lastModified"));
  advisory.withdrawn = feed::string_field(*cve, "vulnStatus") == "Rejected";
  if (const auto* descriptions = array_field(*cve, "descriptions", at, stats)) {
    for (const auto& description : *descriptions) {
      if (!description.is_object()) continue;
      const auto& object = description.get_object();
      const std::string_view text = feed::string_field(object, "value");
      if (feed::string_field(object, "lang") != "en" || text.empty()) continue;
      advisory.details = std::string(text);
      advisory.summary = summary_of(advisory.details);
      break;
    }
  }
  add_severities(*cve, at, advisory, stats);
  add_cwes(*cve, at, advisory, stats);
  add_references(*cve, at, advisory, stats);
  auto [it, inserted] = advisories.try_emplace(advisory.id);
  if (inserted || advisory.modified >= it->second.modified) it->second = std::move(advisory);
}

// The CVE object of an API page entry or a vunnel snapshot ({"cve": {...}}).
const json::value* cve_of(const json::value& value) {
  const auto* object = value.if_object();
  return object == nullptr ? nullptr : object->if_contains("cve");
}

Result<void> collect_file(const fs::path& file, std::map<std::string, Advisory>& advisories,
                          ImportStats& stats) {
  BULWARK_ASSIGN_OR_RETURN(const std::string bytes, feed::read_file(file, kMaxFileBytes));
  auto doc = parse_strict_json(bytes);
  if (!doc) return fail(ErrorCode::kInvalidArgument, file.string() + ": " + doc.error().message);
  const auto* root = doc->if_object();
  if (root == nullptr) {
    return fail(ErrorCode::kInvalidArgument, file.string() + ": not an NVD CVE object");
  }
  const std::string where = file.string();
  if (const auto* list = root->if_contains("vulnerabilities")) {  // an API response page
    if (!list->is_array()) {
      return fail(ErrorCode::kInvalidArgument, where + ": \"vulnerabilities\" is not an array");
    }
    size_t index = 0;
    for (const auto& entry : list->get_array()) {
      const std::string at = where + " entry " + std::to_string(index++);
      if (const auto* cve = cve_of(entry)) {
        collect_cve(*cve, at, advisories, stats);
      } else {
        feed::skip(stats, at + ": no \"cve\" object");
      }
    }
    return ok();
  }
  if (const auto* item = root->if_contains("item")) {  // a vunnel snapshot
    const auto* cve = cve_of(*item);
    if (cve == nullptr) return fail(ErrorCode::kInvalidArgument, where + ": item without \"cve\"");
    collect_cve(*cve, where, advisories, stats);
    return ok();
  }
  if (root->contains("id")) {  // a single CVE object (vuln-list-nvd)
    collect_cve(*doc, where, advisories, stats);
    return ok();
  }
  return fail(ErrorCode::kInvalidArgument, where + ": not an NVD CVE API document");
}

Result<ImportStats> import(const fs::path& path, ImportSink& sink) {
  return feed::import_merged(path, is_nvd_file, collect_file, sink);
}

}  // namespace

extern const Importer kNvdImporter;
const Importer kNvdImporter{"nvd", recognizes, import};

}  // namespace bulwark::vulndb
