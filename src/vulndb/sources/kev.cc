// The CISA Known Exploited Vulnerabilities importer: the catalog JSON
// ({"catalogVersion", "vulnerabilities": [{cveID, vendorProject, product, dateAdded, dueDate,
// knownRansomwareCampaignUse, ...}]}), or a single entry object, into KevEntry records.
// Stateless; thread-safe.
#include <regex>
#include <string>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "common/strict_json.h"
#include "vulndb/advisory.h"
#include "vulndb/sources/feed_io.h"

namespace bulwark::vulndb {
namespace {

namespace fs = std::filesystem;
constexpr size_t kMaxFileBytes = 64u << 20;

bool is_kev_file(const fs::path& file) {
  if (file.extension() != ".json") return false;
  const std::string head = feed::read_head(file, 4096);
  // A catalog, or a single entry; not the catalog's JSON schema, which names both keys.
  if (head.find("\"$schema\"") != std::string::npos) return false;
  return head.find("\"catalogVersion\"") != std::string::npos ||
         head.find("\"cveID\"") != std::string::npos;
}

bool recognizes(const fs::path& path) { return feed::any_file(path, is_kev_file); }

bool is_date(std::string_view text) {
  static const std::regex kDate(R"(\d{4}-\d{2}-\d{2})");
  return feed::matches(text, kDate);
}

// One catalog entry; false (with a warning) when it is not usable.
bool add_entry(const boost::json::value& value, const std::string& where, ImportSink& sink,
               ImportStats& stats) {
  static const std::regex kCve(R"(CVE-\d{4}-\d{4,})");
  const auto* entry = value.if_object();
  if (entry == nullptr) {
    feed::skip(stats, where + ": entry is not an object");
    return false;
  }
  KevEntry kev;
  kev.cve = std::string(feed::string_field(*entry, "cveID"));
  if (!feed::matches(kev.cve, kCve)) {
    feed::skip(stats, where + ": entry without a valid cveID " + feed::quoted(kev.cve));
    return false;
  }
  kev.vendor = std::string(feed::string_field(*entry, "vendorProject"));
  kev.product = std::string(feed::string_field(*entry, "product"));
  kev.date_added = std::string(feed::string_field(*entry, "dateAdded"));
  kev.due_date = std::string(feed::string_field(*entry, "dueDate"));
  for (auto* date : {&kev.date_added, &kev.due_date}) {
    if (!date->empty() && !is_date(*date)) {
      feed::warn(stats, where + ": " + kev.cve + ": not a date " + feed::quoted(*date));
      date->clear();
    }
  }
  kev.known_ransomware = feed::string_field(*entry, "knownRansomwareCampaignUse") == "Known";
  if (auto added = sink.add_kev(std::move(kev)); !added) {
    feed::skip(stats, where + ": " + added.error().message);
    return false;
  }
  ++stats.records;
  return true;
}

Result<void> import_file(const fs::path& file, ImportSink& sink, ImportStats& stats) {
  BULWARK_ASSIGN_OR_RETURN(const std::string bytes, feed::read_file(file, kMaxFileBytes));
  auto doc = parse_strict_json(bytes);
  if (!doc) return fail(ErrorCode::kInvalidArgument, file.string() + ": " + doc.error().message);
  const auto* root = doc->if_object();
  if (root == nullptr) {
    return fail(ErrorCode::kInvalidArgument, file.string() + ": not a KEV catalog object");
  }
  if (root->contains("cveID")) {
    add_entry(*doc, file.string(), sink, stats);
    return ok();
  }
  const auto* list = root->if_contains("vulnerabilities");
  if (list == nullptr || !list->is_array()) {
    return fail(ErrorCode::kInvalidArgument, file.string() + ": no \"vulnerabilities\" array");
  }
  size_t index = 0;
  for (const auto& value : list->get_array()) {
    add_entry(value, file.string() + " entry " + std::to_string(index++), sink, stats);
  }
  return ok();
}

Result<ImportStats> import(const fs::path& path, ImportSink& sink) {
  return feed::import_files(path, is_kev_file, import_file, sink);
}

}  // namespace

extern const Importer kKevImporter;
const Importer kKevImporter{"kev", recognizes, import};

}  // namespace bulwark::vulndb
