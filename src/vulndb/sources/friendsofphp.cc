// The FriendsOfPHP importer: security-advisories YAML files <vendor>/<package>/<id>.yaml with
// title, link, cve, reference "composer://vendor/name" and branches {name: {time, versions:
// [">=2.0.0", "<2.0.5"]}}. One Advisory per id, source "friendsofphp": the cve when it is one
// ("CVE-2017-9303"; files of several packages with the same CVE merge into one), else
// "<vendor/name>/<file stem>" ("laravel/framework/2014-04-15"); summary = title, references =
// link. One Affected per file: ecosystem "composer", package "vendor/name", one ECOSYSTEM range
// per branch.
//
// Mapping: a branch's versions are Composer constraints naming the AFFECTED versions (their
// intersection): ">=5.4.0", "<5.4.22" is introduced 5.4.0, fixed 5.4.22; "<=5.3.31" ends with
// last_affected 5.3.31; no lower bound is introduced 0; an exclusive ">X" is introduced_after X
// (not an OSV kind: the first version above X) (version_requirements.h). A branch whose
// constraints cannot be parsed, or that is empty, skips the file with a warning. Stateless;
// thread-safe.
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
constexpr size_t kMaxBranches = 1000;
constexpr std::string_view kComposer = "composer://";

bool is_friendsofphp_file(const fs::path& file) {
  if (file.extension() != ".yaml") return false;
  const std::string head = feed::read_head(file, 8192);
  return head.find(kComposer) != std::string::npos && head.find("branches:") != std::string::npos;
}

bool recognizes(const fs::path& path) { return feed::any_file(path, is_friendsofphp_file); }

Result<void> read_advisory(const fs::path& file, std::map<std::string, Advisory>& advisories,
                           ImportStats& stats) {
  const std::string where = file.string();
  BULWARK_ASSIGN_OR_RETURN(const YAML::Node root, feed::load_yaml_mapping(file, kMaxFileBytes, "FriendsOfPHP advisory"));
  static const std::regex kPackage(R"([a-z0-9][a-z0-9_.-]*/[a-z0-9][a-z0-9_.-]*)");
  static const std::regex kCve(R"(CVE-\d{4}-\d{4,})");
  static const std::regex kStem(R"([A-Za-z0-9][A-Za-z0-9._-]*)");
  const auto reference = feed::yaml_text(root["reference"]);
  const std::string package =
      reference && reference->starts_with(kComposer) ? reference->substr(kComposer.size()) : "";
  if (!feed::matches(package, kPackage, 128)) {
    feed::skip(stats, where + ": no composer://vendor/name reference");
    return ok();
  }
  const auto cve = feed::yaml_text(root["cve"]);
  const auto title = feed::yaml_text(root["title"]);
  const auto link = feed::yaml_text(root["link"]);
  const YAML::Node branches = root["branches"];
  if (!cve || !title || !link || !branches.IsDefined() || !branches.IsMap() ||
      branches.size() > kMaxBranches) {
    feed::skip(stats, where + ": cve, title or link not text, or no branches map");
    return ok();
  }
  Advisory advisory;
  const std::string stem = file.stem().string();
  if (feed::matches(*cve, kCve)) {
    advisory.id = *cve;
  } else if (feed::matches(stem, kStem)) {
    advisory.id = package + "/" + stem;
  } else {
    feed::skip(stats, where + ": no CVE and an unusable file name");
    return ok();
  }
  const std::string id = feed::quoted(advisory.id);
  advisory.source = "friendsofphp";
  advisory.summary = *title;
  feed::add_unique(advisory.references, *link);

  Affected affected;
  affected.ecosystem = "composer";
  affected.package = package;
  for (const auto& branch : branches) {
    const auto name = feed::yaml_text(branch.first);
    const auto versions =
        branch.second.IsDefined() && branch.second.IsMap() ? feed::yaml_texts(branch.second["versions"])
                                                           : std::nullopt;
    if (!name || !versions || versions->empty()) {
      feed::skip(stats, where + ": " + id + ": a branch without a versions list");
      return ok();
    }
    std::string constraints;
    for (const auto& v : *versions) constraints += (constraints.empty() ? "" : ",") + v;
    auto interval = feed::parse_requirement(constraints, feed::RequirementSyntax::kComposer);
    if (!interval) {
      feed::skip(stats, where + ": " + id + ": " + interval.error().message);
      return ok();
    }
    auto events = feed::events_inside(*interval);
    if (!events) {
      feed::skip(stats, where + ": " + id + ": branch " + feed::quoted(*name) +
                            ": no version satisfies the constraints");
      return ok();
    }
    affected.ranges.push_back({"ECOSYSTEM", std::move(*events)});
  }
  if (affected.ranges.empty()) {
    feed::skip(stats, where + ": " + id + ": no branches");
    return ok();
  }
  advisory.affected.push_back(std::move(affected));
  feed::merge_advisory(advisories, std::move(advisory));
  return ok();
}

Result<ImportStats> import(const fs::path& path, ImportSink& sink) {
  return feed::import_record_files(path, is_friendsofphp_file, read_advisory, sink);
}

}  // namespace

extern const Importer kFriendsOfPhpImporter;
const Importer kFriendsOfPhpImporter{"friendsofphp", recognizes, import};

}  // namespace bulwark::vulndb
