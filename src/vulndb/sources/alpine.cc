// The Alpine secdb importer: secdb YAML (the deprecated alpine-secdb repository) and the
// equivalent JSON (secdb.alpinelinux.org), {distroversion: v3.11, reponame: main, packages:
// [{pkg: {name, secfixes: {"1.2.3-r0": [CVE-...], "0": [...]}}}]}, into one Advisory per
// vulnerability id (merged over every file, package and release read), source "alpine", with one
// Affected per (release, package, fixed version): ecosystem "apk", distro "alpine:3.11", status
// kAffected with events introduced "0" / fixed V, or kNotAffected for the version "0".
//
// Secfix entries are free text ("CVE-2016-10013 XSA-204", "CVE-2018-14462 (ICMP)"): the first
// whitespace-separated token that is a CVE, XSA or TALOS id is the advisory id, further id tokens
// are its aliases, and an entry without one is skipped with a warning.
// Stateless; thread-safe.
#include <map>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <yaml-cpp/yaml.h>

#include "common/strict_json.h"
#include "vulndb/advisory.h"
#include "vulndb/sources/feed_io.h"

namespace bulwark::vulndb {
namespace {

namespace fs = std::filesystem;
constexpr size_t kMaxFileBytes = 32u << 20;

// A secdb document, whichever syntax it came in.
struct SecFix {
  std::string version;
  std::vector<std::string> entries;
};
struct SecdbPackage {
  std::string name;
  std::vector<SecFix> fixes;
};
struct SecdbDocument {
  std::string distroversion;
  std::vector<SecdbPackage> packages;
};

bool is_secdb_file(const fs::path& file) {
  const auto ext = file.extension();
  if (ext != ".yaml" && ext != ".yml" && ext != ".json") return false;
  return feed::read_head(file, 4096).find("distroversion") != std::string::npos;
}

bool recognizes(const fs::path& path) { return feed::any_file(path, is_secdb_file); }

// "v3.11" -> "alpine:3.11", "edge" -> "alpine:edge"; empty when it is not a release name.
std::string distro_of(std::string_view version) {
  static const std::regex kRelease(R"(v?(\d+\.\d+|edge))");
  if (!feed::matches(version, kRelease)) return {};
  return "alpine:" + std::string(version.starts_with('v') ? version.substr(1) : version);
}

// yaml-cpp throws on a missing node's type queries: these ask IsDefined() first.
bool is_map(const YAML::Node& node) { return node.IsDefined() && node.IsMap(); }
bool is_list(const YAML::Node& node) { return node.IsDefined() && node.IsSequence(); }
bool is_text(const YAML::Node& node) { return node.IsDefined() && node.IsScalar(); }
bool is_nothing(const YAML::Node& node) { return !node.IsDefined() || node.IsNull(); }

// Reading a parsed document into SecdbDocument: one reader per syntax, the same warnings.
Result<SecdbDocument> from_yaml(const std::string& bytes, const std::string& where,
                                ImportStats& stats) {
  SecdbDocument doc;
  try {
    const YAML::Node root = YAML::Load(bytes);
    if (!is_map(root)) return fail(ErrorCode::kInvalidArgument, where + ": not a secdb mapping");
    if (is_text(root["distroversion"])) doc.distroversion = root["distroversion"].Scalar();
    const YAML::Node packages = root["packages"];
    if (!is_list(packages)) {
      return fail(ErrorCode::kInvalidArgument, where + ": no \"packages\" list");
    }
    for (const auto& item : packages) {
      const YAML::Node pkg = is_map(item) ? item["pkg"] : YAML::Node();
      if (!is_map(pkg) || !is_text(pkg["name"])) {
        feed::skip(stats, where + ": package entry without pkg.name");
        continue;
      }
      SecdbPackage package{pkg["name"].Scalar(), {}};
      const YAML::Node secfixes = pkg["secfixes"];
      if (!is_map(secfixes)) {
        if (!is_nothing(secfixes)) {
          feed::skip(stats, where + ": " + feed::quoted(package.name) + ": secfixes is not a map");
        }
        continue;
      }
      for (const auto& fix : secfixes) {
        if (!is_text(fix.first) || !(is_list(fix.second) || is_nothing(fix.second))) {
          feed::skip(stats, where + ": " + feed::quoted(package.name) + ": malformed secfix");
          continue;
        }
        SecFix secfix{fix.first.Scalar(), {}};
        for (const auto& entry : is_list(fix.second) ? fix.second : YAML::Node()) {
          if (is_text(entry)) {
            secfix.entries.push_back(entry.Scalar());
          } else {
            feed::skip(stats, where + ": " + feed::quoted(package.name) + ": non-text secfix id");
          }
        }
        package.fixes.push_back(std::move(secfix));
      }
      doc.packages.push_back(std::move(package));
    }
  } catch (const YAML::Exception& e) {
    return fail(ErrorCode::kInvalidArgument, where + ": not valid YAML: " + e.msg);
  }
  return doc;
}

Result<SecdbDocument> from_json(const std::string& bytes, const std::string& where,
                                ImportStats& stats) {
  auto parsed = parse_strict_json(bytes);
  if (!parsed) return fail(ErrorCode::kInvalidArgument, where + ": " + parsed.error().message);
  const auto* root = parsed->if_object();
  if (root == nullptr) return fail(ErrorCode::kInvalidArgument, where + ": not a secdb object");
  SecdbDocument doc;
  doc.distroversion = std::string(feed::string_field(*root, "distroversion"));
  const auto* packages = root->if_contains("packages");
  if (packages == nullptr || !packages->is_array()) {
    return fail(ErrorCode::kInvalidArgument, where + ": no \"packages\" list");
  }
  for (const auto& item : packages->get_array()) {
    const auto* pkg = item.is_object() ? item.get_object().if_contains("pkg") : nullptr;
    if (pkg == nullptr || !pkg->is_object() ||
        feed::string_field(pkg->get_object(), "name").empty()) {
      feed::skip(stats, where + ": package entry without pkg.name");
      continue;
    }
    SecdbPackage package{std::string(feed::string_field(pkg->get_object(), "name")), {}};
    const auto* secfixes = pkg->get_object().if_contains("secfixes");
    if (secfixes == nullptr || secfixes->is_null()) continue;
    if (!secfixes->is_object()) {
      feed::skip(stats, where + ": " + feed::quoted(package.name) + ": secfixes is not a map");
      continue;
    }
    for (const auto& [version, ids] : secfixes->get_object()) {
      if (!ids.is_array() && !ids.is_null()) {
        feed::skip(stats, where + ": " + feed::quoted(package.name) + ": malformed secfix");
        continue;
      }
      SecFix secfix{std::string(version), {}};
      if (ids.is_array()) {
        for (const auto& id : ids.get_array()) {
          if (id.is_string()) {
            secfix.entries.emplace_back(id.get_string());
          } else {
            feed::skip(stats, where + ": " + feed::quoted(package.name) + ": non-text secfix id");
          }
        }
      }
      package.fixes.push_back(std::move(secfix));
    }
    doc.packages.push_back(std::move(package));
  }
  return doc;
}

// The ids named by a secfix entry, advisory id first; empty when there is none.
std::vector<std::string> ids_of(std::string_view entry) {
  static const std::regex kId(R"(CVE-\d{4}-\d{4,}|XSA-\d+|TALOS-\d{4}-\d+)");
  std::vector<std::string> ids;
  size_t start = entry.find_first_not_of(" \t");
  while (start != std::string_view::npos) {
    const size_t end = entry.find_first_of(" \t", start);
    const auto token = entry.substr(start, end == std::string_view::npos ? end : end - start);
    if (feed::matches(token, kId)) ids.emplace_back(token);
    start = end == std::string_view::npos ? end : entry.find_first_not_of(" \t", end);
  }
  return ids;
}

void add_alias(Advisory& advisory, const std::string& alias) {
  if (alias == advisory.id) return;
  for (const auto& a : advisory.aliases) {
    if (a == alias) return;
  }
  advisory.aliases.push_back(alias);
}

void collect(const SecdbDocument& doc, const std::string& distro, const std::string& where,
             std::map<std::string, Advisory>& advisories, ImportStats& stats) {
  for (const auto& package : doc.packages) {
    for (const auto& fix : package.fixes) {
      if (fix.version.empty()) {
        feed::skip(stats, where + ": " + feed::quoted(package.name) + ": empty fixed version");
        continue;
      }
      for (const auto& entry : fix.entries) {
        const auto ids = ids_of(entry);
        if (ids.empty()) {
          feed::skip(stats, where + ": " + feed::quoted(package.name) + ": no vulnerability id in " +
                                feed::quoted(entry));
          continue;
        }
        Advisory& advisory = advisories[ids.front()];
        if (advisory.id.empty()) {
          advisory.id = ids.front();
          advisory.source = "alpine";
        }
        for (size_t i = 1; i < ids.size(); ++i) add_alias(advisory, ids[i]);
        Affected affected;
        affected.ecosystem = "apk";
        affected.distro = distro;
        affected.package = package.name;
        if (fix.version == "0") {
          affected.status = AffectedStatus::kNotAffected;
        } else {
          affected.ranges.push_back(
              {"ECOSYSTEM",
               {{VersionEvent::Kind::kIntroduced, "0"}, {VersionEvent::Kind::kFixed, fix.version}}});
        }
        advisory.affected.push_back(std::move(affected));
      }
    }
  }
}

Result<ImportStats> import(const fs::path& path, ImportSink& sink) {
  BULWARK_ASSIGN_OR_RETURN(const auto files, feed::list_files(path, is_secdb_file));
  ImportStats stats;
  std::map<std::string, Advisory> advisories;
  for (const auto& file : files) {
    BULWARK_ASSIGN_OR_RETURN(const std::string bytes, feed::read_file(file, kMaxFileBytes));
    const std::string where = file.string();
    auto doc = file.extension() == ".json" ? from_json(bytes, where, stats)
                                           : from_yaml(bytes, where, stats);
    if (!doc) return fail(std::move(doc.error()));
    const std::string distro = distro_of(doc->distroversion);
    if (distro.empty()) {
      return fail(ErrorCode::kInvalidArgument,
                  where + ": no valid distroversion " + feed::quoted(doc->distroversion));
    }
    collect(*doc, distro, where, advisories, stats);
  }
  feed::add_advisories(advisories, sink, stats);
  return stats;
}

}  // namespace

extern const Importer kAlpineSecdbImporter;
const Importer kAlpineSecdbImporter{"alpine", recognizes, import};

}  // namespace bulwark::vulndb
