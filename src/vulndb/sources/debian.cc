// The Debian security tracker importer: the tracker's JSON export
// (https://security-tracker.debian.org/tracker/data/json: {source package: {CVE id: {description,
// scope, releases: {codename: {status, fixed_version, urgency, nodsa, nodsa_reason, ...}}}}})
// into one Advisory per CVE (merged over every source package), source "debian", with one
// Affected per (source package, release): ecosystem "deb", distro "debian:<number>" (sid is
// "debian:unstable"; unknown codenames are skipped with a warning). Status, by one table:
//   resolved, fixed_version "0"      -> kNotAffected
//   resolved, fixed_version V        -> kAffected, events introduced "0", fixed V
//   open                             -> kUnfixed, or kWillNotFix when nodsa_reason is "ignored"
//                                       or the urgency is "end-of-life" (release out of support)
//   undetermined                     -> kUnfixed (a recorded tracker state, not malformed: the
//                                       conservative reading is "affected, no fix"; no warning)
// Affected::severity is the urgency without the tracker's trailing "*" marks ("high**" ->
// "high"); "not yet assigned" and "end-of-life" are not ratings and are dropped.
//
// Also the tracker's DSA list (data/DSA/list: "[01 Aug 2002] DSA-141 mpack - buffer overflow",
// then "{CVE-...}" and "[woody] - mpack 1.5-7woody2" lines): one Advisory per DSA with the CVEs
// as aliases, the date as `published`, and one Affected per release line (a version is the fix;
// "<not-affected>" -> kNotAffected, "<unfixed>"/"<postponed>" -> kUnfixed, "<end-of-life>"/
// "<ignored>" -> kWillNotFix). DSAs naming neither a CVE nor a package (key changes,
// end-of-life notices) are not advisories and are passed over silently. A directory may hold
// both kinds of file (the vunnel layout); each file is read by its shape.
// Stateless; thread-safe.
#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <utility>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "common/strict_json.h"
#include "vulndb/advisory.h"
#include "vulndb/sources/debian_releases.h"
#include "vulndb/sources/feed_io.h"

namespace bulwark::vulndb {
namespace {

struct Release {
  std::string_view codename;
  std::string_view distro;
};
constexpr std::array<Release, 18> kReleases = {{
    {"hamm", "debian:2.0"},
    {"slink", "debian:2.1"},
    {"potato", "debian:2.2"},
    {"woody", "debian:3.0"},
    {"sarge", "debian:3.1"},
    {"etch", "debian:4"},
    {"lenny", "debian:5"},
    {"squeeze", "debian:6"},
    {"wheezy", "debian:7"},
    {"jessie", "debian:8"},
    {"stretch", "debian:9"},
    {"buster", "debian:10"},
    {"bullseye", "debian:11"},
    {"bookworm", "debian:12"},
    {"trixie", "debian:13"},
    {"forky", "debian:14"},
    {"duke", "debian:15"},
    {"sid", "debian:unstable"},
}};

}  // namespace

std::string_view debian_distro_of(std::string_view codename) {
  for (const auto& release : kReleases) {
    if (release.codename == codename) return release.distro;
  }
  return {};
}

namespace {

namespace fs = std::filesystem;
constexpr size_t kMaxFileBytes = 512u << 20;  // the full export is ~100 MB

bool is_json_export(const fs::path& file) {
  if (file.extension() != ".json" && file.filename() != "json") return false;
  static const std::regex kShape(R"(^\s*\{\s*"[^"]{1,200}"\s*:\s*\{\s*"(CVE|TEMP)-)");
  const std::string head = feed::read_head(file, 4096);
  return std::regex_search(head, kShape);
}

bool is_dsa_list(const fs::path& file) {
  if (file.filename() != "DSA" && file.filename() != "list") return false;
  static const std::regex kShape(R"(^\[\d{2} [A-Z][a-z]{2} \d{4}\] DSA-)");
  return std::regex_search(feed::read_head(file, 64), kShape);
}

bool is_tracker_file(const fs::path& file) { return is_json_export(file) || is_dsa_list(file); }

bool recognizes(const fs::path& path) { return feed::any_file(path, is_tracker_file); }

bool is_id(std::string_view id) {
  static const std::regex kId(R"((CVE-\d{4}-\d{4,}|TEMP-\d{7}-[0-9A-Fa-f]{6}))");
  return feed::matches(id, kId);
}

std::string severity_of(std::string_view urgency) {
  while (urgency.ends_with('*')) urgency.remove_suffix(1);
  if (urgency == "not yet assigned" || urgency == "end-of-life") return {};
  return std::string(urgency);
}

// The Affected for one release record; nullopt (with the reason) when it is unusable.
std::optional<Affected> affected_of(const boost::json::object& record, std::string& reason) {
  const auto status = feed::string_field(record, "status");
  const auto fixed = feed::string_field(record, "fixed_version");
  const auto urgency = feed::string_field(record, "urgency");
  Affected affected;
  affected.ecosystem = "deb";
  affected.severity = severity_of(urgency);
  if (status == "resolved") {
    if (fixed.empty()) {
      reason = "resolved without a fixed_version";
      return std::nullopt;
    }
    if (fixed == "0") {
      affected.status = AffectedStatus::kNotAffected;
    } else {
      affected.status = AffectedStatus::kAffected;
      affected.ranges.push_back({"ECOSYSTEM",
                                 {{VersionEvent::Kind::kIntroduced, "0"},
                                  {VersionEvent::Kind::kFixed, std::string(fixed)}}});
    }
  } else if (status == "open") {
    const bool never = feed::string_field(record, "nodsa_reason") == "ignored" ||
                       urgency == "end-of-life";
    affected.status = never ? AffectedStatus::kWillNotFix : AffectedStatus::kUnfixed;
  } else if (status == "undetermined") {
    affected.status = AffectedStatus::kUnfixed;
  } else {
    reason = "unknown status " + feed::quoted(status);
    return std::nullopt;
  }
  return affected;
}

void collect_cve(std::string_view package, std::string_view id, const boost::json::value& value,
                 const std::string& where, std::map<std::string, Advisory>& advisories,
                 ImportStats& stats) {
  const std::string at = where + ": " + feed::quoted(package) + " " + feed::quoted(id);
  if (!is_id(id) || !value.is_object()) {
    feed::skip(stats, at + ": not a CVE record");
    return;
  }
  const auto& cve = value.get_object();
  const auto* releases = cve.if_contains("releases");
  // An empty "releases" is written as [] by the tracker: a CVE with no release records.
  const bool no_releases = releases == nullptr || releases->is_null() ||
                           (releases->is_array() && releases->get_array().empty());
  if (!no_releases && !releases->is_object()) {
    feed::skip(stats, at + ": releases is not an object");
    return;
  }
  Advisory& advisory = advisories[std::string(id)];
  if (advisory.id.empty()) {
    advisory.id = std::string(id);
    advisory.source = "debian";
    advisory.references.push_back("https://security-tracker.debian.org/tracker/" +
                                  std::string(id));
  }
  if (advisory.details.empty()) advisory.details = std::string(feed::string_field(cve, "description"));
  if (no_releases) return;
  for (const auto& [codename, record] : releases->get_object()) {
    const auto distro = debian_distro_of(codename);
    if (distro.empty()) {
      feed::skip(stats, at + ": unknown release " + feed::quoted(codename));
      continue;
    }
    std::string reason = "release record is not an object";
    std::optional<Affected> affected;
    if (record.is_object()) affected = affected_of(record.get_object(), reason);
    if (!affected) {
      feed::skip(stats, at + " " + std::string(codename) + ": " + reason);
      continue;
    }
    affected->distro = std::string(distro);
    affected->package = std::string(package);
    advisory.affected.push_back(std::move(*affected));
  }
}

// "01 Aug 2002" -> "2002-08-01T00:00:00Z"; empty when it is not such a date.
std::string rfc3339_of(std::string_view day, std::string_view month, std::string_view year) {
  constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (kMonths[i] == month) {
      const std::string mm = (i < 9 ? "0" : "") + std::to_string(i + 1);
      return std::string(year) + "-" + mm + "-" + std::string(day) + "T00:00:00Z";
    }
  }
  return {};
}

struct DsaMark {
  std::string_view mark;
  AffectedStatus status;
};
constexpr std::array<DsaMark, 5> kDsaMarks = {{
    {"<not-affected>", AffectedStatus::kNotAffected},
    {"<unfixed>", AffectedStatus::kUnfixed},
    {"<postponed>", AffectedStatus::kUnfixed},
    {"<end-of-life>", AffectedStatus::kWillNotFix},
    {"<ignored>", AffectedStatus::kWillNotFix},
}};

void finish_dsa(std::optional<Advisory>& dsa, std::map<std::string, Advisory>& advisories) {
  if (dsa && (!dsa->aliases.empty() || !dsa->affected.empty())) {
    std::string id = dsa->id;
    advisories.insert_or_assign(std::move(id), std::move(*dsa));
  }
  dsa.reset();
}

void collect_dsa_list(std::string_view text, const std::string& where,
                      std::map<std::string, Advisory>& advisories, ImportStats& stats) {
  static const std::regex kHeader(
      R"(\[(\d{2}) ([A-Z][a-z]{2}) (\d{4})\] (DSA-\d+(?:-\d+)?) ?(.*))");
  static const std::regex kCves(R"(\s+\{([^}]*)\})");
  static const std::regex kPackage(R"(\s+\[([a-z]+)\] - ([^ ]+) ([^ ]+).*)");
  static const std::regex kCve(R"(CVE-\d{4}-\d{4,})");
  constexpr size_t kMaxLine = 1024;
  std::optional<Advisory> dsa;
  size_t line_number = 0;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    const std::string at = where + ":" + std::to_string(line_number);
    std::match_results<std::string_view::const_iterator> m;
    const auto match = [&](const std::regex& re) {
      return line.size() <= kMaxLine && std::regex_match(line.begin(), line.end(), m, re);
    };
    if (line.empty() || line.find_first_not_of(" \t") == std::string_view::npos) continue;
    if (line.front() == '[') {
      finish_dsa(dsa, advisories);
      if (!match(kHeader)) {
        feed::skip(stats, at + ": malformed DSA header " + feed::quoted(line));
        continue;
      }
      dsa.emplace();
      dsa->id = m[4].str();
      dsa->source = "debian";
      dsa->published = rfc3339_of(m[1].str(), m[2].str(), m[3].str());
      const std::string title = m[5].str();
      const size_t dash = title.find(" - ");
      dsa->summary = dash == std::string::npos ? title : title.substr(dash + 3);
      dsa->references.push_back("https://security-tracker.debian.org/tracker/" + dsa->id);
    } else if (!dsa || line.find("NOTE:") != std::string_view::npos) {
      continue;  // notes, and the lines of a skipped header
    } else if (match(kCves)) {
      const std::string ids = m[1].str();
      for (size_t i = 0; i < ids.size();) {
        const size_t stop = std::min(ids.find(' ', i), ids.size());
        const std::string_view id = std::string_view(ids).substr(i, stop - i);
        if (feed::matches(id, kCve)) dsa->aliases.emplace_back(id);
        i = stop + 1;
      }
    } else if (match(kPackage)) {
      const auto distro = debian_distro_of(m[1].str());
      if (distro.empty()) {
        feed::skip(stats, at + ": unknown release " + feed::quoted(m[1].str()));
        continue;
      }
      Affected affected;
      affected.ecosystem = "deb";
      affected.distro = std::string(distro);
      affected.package = m[2].str();
      const std::string version = m[3].str();
      if (version.starts_with('<')) {
        const auto* mark = std::find_if(kDsaMarks.begin(), kDsaMarks.end(),
                                        [&](const DsaMark& d) { return d.mark == version; });
        if (mark == kDsaMarks.end()) {
          feed::skip(stats, at + ": unknown mark " + feed::quoted(version));
          continue;
        }
        affected.status = mark->status;
      } else {
        affected.ranges.push_back({"ECOSYSTEM",
                                   {{VersionEvent::Kind::kIntroduced, "0"},
                                    {VersionEvent::Kind::kFixed, version}}});
      }
      dsa->affected.push_back(std::move(affected));
    } else {
      feed::skip(stats, at + ": malformed DSA line " + feed::quoted(line));
    }
  }
  finish_dsa(dsa, advisories);
}

Result<void> collect_file(const fs::path& file, std::map<std::string, Advisory>& advisories,
                          ImportStats& stats) {
  BULWARK_ASSIGN_OR_RETURN(const std::string bytes, feed::read_file(file, kMaxFileBytes));
  const std::string where = file.string();
  if (is_dsa_list(file)) {
    collect_dsa_list(bytes, where, advisories, stats);
    return ok();
  }
  auto doc = parse_strict_json(bytes, 16);
  if (!doc) return fail(ErrorCode::kInvalidArgument, where + ": " + doc.error().message);
  if (!doc->is_object()) {
    return fail(ErrorCode::kInvalidArgument, where + ": not a tracker JSON object");
  }
  for (const auto& [package, cves] : doc->get_object()) {
    if (!cves.is_object()) {
      feed::skip(stats, where + ": " + feed::quoted(package) + ": not an object of CVEs");
      continue;
    }
    for (const auto& [id, value] : cves.get_object()) {
      collect_cve(package, id, value, where, advisories, stats);
    }
  }
  return ok();
}

Result<ImportStats> import(const fs::path& path, ImportSink& sink) {
  return feed::import_merged(path, is_tracker_file, collect_file, sink);
}

}  // namespace

extern const Importer kDebianTrackerImporter;
const Importer kDebianTrackerImporter{"debian", recognizes, import};

}  // namespace bulwark::vulndb
