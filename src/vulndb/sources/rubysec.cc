// The RubySec importer: ruby-advisory-db YAML files gems/<gem>/<id>.yml with gem, cve, ghsa,
// osvdb, url, title, date, description, cvss_v2/v3/v4, patched_versions, unaffected_versions.
// One Advisory per id (the file name: "CVE-2020-8164", "GHSA-xxxx-xxxx-xxxx", "OSVDB-1234"; files
// of several gems with the same id merge into one), source "rubysec", aliases "CVE-<cve>",
// "GHSA-<ghsa>", "OSVDB-<osvdb>" (CVE first, the id itself left out), summary = title,
// details = description, published = date, references = url. One Affected per file: ecosystem
// "gem", the gem, one ECOSYSTEM range.
//
// Mapping: patched_versions and unaffected_versions are RubyGems requirements naming the versions
// that are NOT affected ("~> 1.2.3" is >= 1.2.3, < 1.3; "~> 5.2.4, >= 5.2.4.3" is >= 5.2.4.3,
// < 5.3; ">= 2.0"; "< 1.0"; bare "1.2" is "= 1.2"); the range's events are the complement of
// their union (version_requirements.h): ["~> 1.1.3", ">= 1.2.5"] is introduced 0, fixed 1.1.3,
// introduced 1.2, fixed 1.2.5; unaffected ["<= 1.13.7"] with patched [">= 1.13.10"] is
// introduced_after 1.13.7 (not an OSV kind: the first version above 1.13.7), fixed 1.13.10. No
// requirements: every version is affected. A requirement that cannot be parsed, or requirements
// leaving no version affected, skip the file with a warning.
//
// The feed gives CVSS base scores, not vectors: cvss_v2 5.0 becomes {CVSS_V2, "5.0", "rubysec"}
// (the value is the score as written). Stateless; thread-safe.
#include <map>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "vulndb/advisory.h"
#include "vulndb/sources/feed_io.h"
#include "vulndb/sources/record_files.h"
#include "vulndb/sources/version_requirements.h"
#include "vulndb/sources/yaml_fields.h"

namespace bulwark::vulndb {
namespace {

namespace fs = std::filesystem;
constexpr size_t kMaxFileBytes = 1u << 20;

bool is_rubysec_file(const fs::path& file) {
  if (file.extension() != ".yml") return false;
  const std::string head = feed::read_head(file, 4096);
  return head.starts_with("gem:") || head.starts_with("---\ngem:") ||
         head.find("\ngem: ") != std::string::npos;
}

bool recognizes(const fs::path& path) { return feed::any_file(path, is_rubysec_file); }

// The alias fields: key, prefix, the form of the value.
struct AliasField {
  const char* key;
  const char* prefix;
  const char* pattern;
};
constexpr AliasField kAliasFields[] = {
    {"cve", "CVE-", R"(\d{4}-\d{4,})"},
    {"ghsa", "GHSA-", R"([23456789cfghjmpqrvwx]{4}-[23456789cfghjmpqrvwx]{4}-[23456789cfghjmpqrvwx]{4})"},
    {"osvdb", "OSVDB-", R"(\d{1,10})"},
};
constexpr std::pair<const char*, const char*> kCvssFields[] = {
    {"cvss_v2", "CVSS_V2"}, {"cvss_v3", "CVSS_V3"}, {"cvss_v4", "CVSS_V4"}};

Result<void> read_advisory(const fs::path& file, std::map<std::string, Advisory>& advisories,
                           ImportStats& stats) {
  const std::string where = file.string();
  BULWARK_ASSIGN_OR_RETURN(const YAML::Node root, feed::load_yaml_mapping(file, kMaxFileBytes, "RubySec advisory"));
  static const std::regex kId(R"((CVE-\d{4}-\d{4,}|GHSA(-[0-9a-z]{4}){3}|OSVDB-\d{1,10}))");
  Advisory advisory;
  advisory.id = file.stem().string();
  const auto gem = feed::yaml_text(root["gem"]);
  if (!feed::matches(advisory.id, kId) || !gem || gem->empty()) {
    feed::skip(stats, where + ": not a CVE/GHSA/OSVDB file name, or no gem");
    return ok();
  }
  const std::string id = feed::quoted(advisory.id);
  advisory.source = "rubysec";
  for (const auto& field : kAliasFields) {
    const auto value = feed::yaml_text(root[field.key]);
    if (value && value->empty()) continue;
    if (!value || !feed::matches(*value, std::regex(field.pattern))) {
      feed::warn(stats, where + ": " + id + ": ignoring a malformed " + field.key);
      continue;
    }
    if (field.prefix + *value != advisory.id) feed::add_unique(advisory.aliases, field.prefix + *value);
  }
  const auto title = feed::yaml_text(root["title"]);
  const auto description = feed::yaml_text(root["description"]);
  const auto date = feed::yaml_text(root["date"]);
  const auto url = feed::yaml_text(root["url"]);
  const auto patched = feed::yaml_texts(root["patched_versions"]);
  const auto unaffected = feed::yaml_texts(root["unaffected_versions"]);
  if (!title || !description || !date || !url || !patched || !unaffected) {
    feed::skip(stats, where + ": " + id + ": a text field is not text, or versions not a list");
    return ok();
  }
  advisory.summary = *title;
  advisory.details = *description;
  advisory.published = *date;
  feed::add_unique(advisory.references, *url);
  for (const auto& [key, type] : kCvssFields) {
    const auto score = feed::yaml_text(root[key]);
    if (score && !score->empty()) advisory.severities.push_back({type, *score, "rubysec"});
  }

  auto events = feed::affected_outside({&*patched, &*unaffected}, feed::RequirementSyntax::kRubyGems);
  if (!events) {
    feed::skip(stats, where + ": " + id + ": " + events.error().message);
    return ok();
  }
  Affected affected;
  affected.ecosystem = "gem";
  affected.package = *gem;
  affected.ranges.push_back({"ECOSYSTEM", std::move(*events)});
  advisory.affected.push_back(std::move(affected));
  feed::merge_advisory(advisories, std::move(advisory));
  return ok();
}

Result<ImportStats> import(const fs::path& path, ImportSink& sink) {
  return feed::import_record_files(path, is_rubysec_file, read_advisory, sink);
}

}  // namespace

extern const Importer kRubysecImporter;
const Importer kRubysecImporter{"rubysec", recognizes, import};

}  // namespace bulwark::vulndb
