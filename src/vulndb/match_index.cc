// MatchIndex (match.h): the immutable index of one database snapshot and the matching itself.
//
// build() does all the work that does not depend on an image: alias groups (union-find over every
// advisory's id and aliases, not its "related" ids), each group's name, aliases, KEV and EPSS
// data, each advisory's summary and fallback severity (CVSS, else text, from its own record first,
// then from the group), and each affected entry compiled into intervals and fixes in its
// ecosystem's version order, keyed by "ecosystem \x1f distro \x1f normalised name". match() is then
// one hash lookup per package name plus version comparisons, and copies the results out.
//
// OSV range semantics: events sorted by the ecosystem's scheme ("introduced: 0" first); a version
// is affected inside [introduced, fixed) or [introduced, last_affected], or when it equals (compare
// == 0) a listed version. A "limit" event closes an open interval without being a fix. The
// non-OSV "introduced_after X" (kIntroducedAfter, from feeds with exclusive lower bounds) opens
// an interval that starts above X: X itself is not affected; it sorts after every other event at
// the same version, so "fixed X, introduced_after X" and its reverse both close at X and reopen
// above it. GIT ranges
// cannot be evaluated against package versions and are ignored; an entry with nothing but GIT
// ranges (or nothing at all) is not indexed.
//
// Thread-safety: immutable after build(); match() keeps its state on its own stack.
#include <algorithm>
#include <bit>
#include <numeric>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/fnv.h"
#include "vulndb/cvss/cvss.h"
#include "vulndb/match.h"
#include "vulndb/match_internal.h"
#include "vulndb/version/scheme.h"

namespace bulwark::vulndb {
namespace {

using EventKind = VersionEvent::Kind;
constexpr char kKeySeparator = '\x1f';
constexpr size_t kMaxSummaryBytes = 240;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Ids in natural order: digit runs compare as numbers, so CVE-2021-9999 < CVE-2021-10000.
bool id_less(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (is_digit(a[i]) && is_digit(b[j])) {
      size_t ie = i, je = j;
      while (ie < a.size() && is_digit(a[ie])) ++ie;
      while (je < b.size() && is_digit(b[je])) ++je;
      std::string_view x = a.substr(i, ie - i), y = b.substr(j, je - j);
      while (x.size() > 1 && x.front() == '0') x.remove_prefix(1);
      while (y.size() > 1 && y.front() == '0') y.remove_prefix(1);
      if (x.size() != y.size()) return x.size() < y.size();
      if (x != y) return x < y;
      i = ie;
      j = je;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  if ((a.size() - i) != (b.size() - j)) return (a.size() - i) < (b.size() - j);
  return a < b;  // equal under the natural order ("01" vs "1"): byte order decides
}

bool is_cve(std::string_view id) { return id.starts_with("CVE-"); }

// The index key of package `name` of ecosystem `type` in `distro` (empty for language packages).
void append_match_key(std::string_view type, std::string_view distro, std::string_view name,
                      std::string& key) {
  key.assign(type).push_back(kKeySeparator);
  key.append(distro).push_back(kKeySeparator);
  append_normalized_name(type, name, key);
}

// Calls fn(name, version) for each lookup of `p` in an image of `distro` (match.h's rules).
template <class Fn>
void for_each_lookup(const MatchPackage& p, std::string_view distro, Fn&& fn) {
  if (const OsPackageRule* rule = os_package_rule(p.type)) {
    if (distro.empty()) return;  // an unknown OS: its packages have no feed
    const std::string_view source = p.source_name.empty() ? p.name : p.source_name;
    const std::string_view version =
        rule->source_version && !p.source_version.empty() ? p.source_version : p.version;
    fn(source, version);
    if (rule->binary_name && source != p.name) fn(std::string_view(p.name), version);
  } else {
    fn(std::string_view(p.name), std::string_view(p.version));
  }
}

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <class V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

// A severity with where it came from.
struct Rating {
  Severity severity = Severity::kUnknown;
  std::string source;  // Finding::severity_source
  std::optional<double> score;
  std::string vector;
};

struct Interval {
  std::string low;   // empty: from the first version
  std::string high;  // empty: no upper bound
  bool low_exclusive = false;  // affected above `low` only (introduced_after)
  bool high_inclusive = false;
};

// One indexed Affected entry.
struct Entry {
  const VersionScheme* scheme = nullptr;
  AffectedStatus status = AffectedStatus::kAffected;
  uint32_t advisory = 0;  // index into Index::advisories_
  std::string package;    // as the feed names it
  std::vector<Interval> intervals;
  std::vector<std::string> fixes;  // every fixed version, ascending, distinct
  std::vector<std::string> versions;
  std::optional<Rating> distro_rating;  // the distribution's own rating of this package
};

struct AdvisoryInfo {
  uint32_t group = 0;
  std::optional<Rating> fallback;  // CVSS, else a text rating: own record first, then the group's
  std::string summary;
  std::vector<std::string> cwes;  // own and the group's, sorted
};

struct Group {
  std::string name;                  // its CVE (the smallest), else its smallest id
  std::vector<std::string> ids;      // every id, natural order
  std::vector<std::string> aliases;  // ids without the name
  std::vector<uint32_t> members;     // advisories
  uint32_t rank = 0;                 // position of `name` in natural order among all groups
  bool kev = false;
  std::string kev_due_date;
  std::optional<double> epss, epss_percentile;
};

// ---- building ---------------------------------------------------------------------------------

class UnionFind {
 public:
  uint32_t add() {
    parent_.push_back(static_cast<uint32_t>(parent_.size()));
    return parent_.back();
  }
  uint32_t find(uint32_t x) {
    while (parent_[x] != x) {
      parent_[x] = parent_[parent_[x]];
      x = parent_[x];
    }
    return x;
  }
  void unite(uint32_t a, uint32_t b) {
    a = find(a);
    b = find(b);
    if (a != b) parent_[std::max(a, b)] = std::min(a, b);
  }

 private:
  std::vector<uint32_t> parent_;
};

int cvss_rank(CvssVersion version) {
  switch (version) {
    case CvssVersion::kV4_0:
      return 4;
    case CvssVersion::kV3_1:
      return 3;
    case CvssVersion::kV3_0:
      return 2;
    case CvssVersion::kV2:
      return 1;
  }
  return 0;
}

struct CvssCandidate {
  Rating rating;
  int rank = 0;
  bool nvd = false;
};

// Newer CVSS first, then NVD's own rating; otherwise the first seen stays.
bool better(const CvssCandidate& a, const CvssCandidate& b) {
  if (a.rank != b.rank) return a.rank > b.rank;
  return a.nvd && !b.nvd;
}

std::string rating_source(const SeverityRating& rating, const Advisory& advisory) {
  return rating.source.empty() ? advisory.source : rating.source;
}

// The best CVSS rating of one advisory (invalid vectors skipped).
std::optional<CvssCandidate> best_cvss(const Advisory& advisory) {
  std::optional<CvssCandidate> best;
  for (const SeverityRating& rating : advisory.severities) {
    if (!rating.type.starts_with("CVSS")) continue;
    auto score = parse_cvss(rating.value);
    if (!score) continue;
    CvssCandidate c;
    const std::string source = rating_source(rating, advisory);
    c.rank = cvss_rank(score->version);
    c.nvd = source == "nvd";
    c.rating.severity = parse_severity(score->severity).value_or(Severity::kUnknown);
    c.rating.source = source + ":CVSS " + std::string(cvss_version_name(score->version));
    c.rating.score = score->base_score;
    c.rating.vector = std::move(score->vector);
    if (!best || better(c, *best)) best = std::move(c);
  }
  return best;
}

std::optional<Rating> first_text(const Advisory& advisory) {
  for (const SeverityRating& rating : advisory.severities) {
    if (rating.type != "TEXT") continue;
    const auto severity = parse_severity(rating.value);
    if (!severity || *severity == Severity::kUnknown) continue;
    return Rating{*severity, rating_source(rating, advisory) + ":text", std::nullopt, {}};
  }
  return std::nullopt;
}

// The first line of `text`, trimmed and cut (on a UTF-8 boundary) to kMaxSummaryBytes.
std::string first_line(std::string_view text) {
  const size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return {};
  text = text.substr(start);
  text = text.substr(0, text.find('\n'));
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  if (text.size() > kMaxSummaryBytes) {
    size_t cut = kMaxSummaryBytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut);
  }
  return std::string(text);
}

std::string summary_of(const Advisory& advisory) {
  return advisory.summary.empty() ? first_line(advisory.details) : first_line(advisory.summary);
}

// "debian:12" -> "debian"; the importer's name for language feeds.
std::string distro_rating_source(const Affected& affected, const Advisory& advisory) {
  if (affected.distro.empty()) return advisory.source;
  return affected.distro.substr(0, affected.distro.find(':'));
}

// Compiles one Affected entry; false when it can never match a package.
bool compile(Affected& affected, uint32_t advisory_index, const Advisory& advisory, Entry& out) {
  out.scheme = version_scheme_for(affected.ecosystem);
  if (out.scheme == nullptr) out.scheme = version_scheme_for("generic");
  out.status = affected.status;
  out.advisory = advisory_index;
  out.package = affected.package;
  if (auto severity = parse_severity(affected.severity);
      severity && *severity != Severity::kUnknown) {
    out.distro_rating = Rating{*severity, distro_rating_source(affected, advisory), {}, {}};
  }
  if (out.status != AffectedStatus::kAffected) return true;  // every version, whatever the ranges
  const VersionScheme& scheme = *out.scheme;
  auto is_start = [](const VersionEvent& e) {
    return e.kind == EventKind::kIntroduced && e.version == "0";
  };
  auto is_after = [](const VersionEvent& e) { return e.kind == EventKind::kIntroducedAfter; };
  for (AffectedRange& range : affected.ranges) {
    if (range.type == "GIT") continue;
    std::vector<VersionEvent>& events = range.events;
    std::stable_sort(events.begin(), events.end(),
                     [&](const VersionEvent& a, const VersionEvent& b) {
                       if (is_start(a) || is_start(b)) return is_start(a) && !is_start(b);
                       if (const int c = scheme.compare(a.version, b.version)) return c < 0;
                       return !is_after(a) && is_after(b);  // X's own events come first
                     });
    bool open = false;
    Interval current;
    for (VersionEvent& event : events) {
      switch (event.kind) {
        case EventKind::kIntroduced:
        case EventKind::kIntroducedAfter:
          if (!open) {
            open = true;
            current = Interval{is_start(event) ? std::string() : event.version, {},
                               is_after(event), false};
          }
          break;
        case EventKind::kFixed:
        case EventKind::kLimit:
        case EventKind::kLastAffected:
          if (event.kind == EventKind::kFixed && !event.version.empty()) {
            out.fixes.push_back(event.version);
          }
          if (open && !event.version.empty()) {
            current.high = event.version;
            current.high_inclusive = event.kind == EventKind::kLastAffected;
            out.intervals.push_back(std::move(current));
            open = false;
          }
          break;
      }
    }
    if (open) out.intervals.push_back(std::move(current));
  }
  std::stable_sort(
      out.fixes.begin(), out.fixes.end(),
      [&](const std::string& a, const std::string& b) { return scheme.compare(a, b) < 0; });
  out.fixes.erase(std::unique(out.fixes.begin(), out.fixes.end(),
                              [&](const std::string& a, const std::string& b) {
                                return scheme.compare(a, b) == 0;
                              }),
                  out.fixes.end());
  // Sorted in the scheme's order, so that matching looks a version up in O(log n) comparisons
  // (OSV's explicit lists run to thousands of versions per package, e.g. PyPA's django).
  out.versions = std::move(affected.versions);
  std::stable_sort(
      out.versions.begin(), out.versions.end(),
      [&](const std::string& a, const std::string& b) { return scheme.compare(a, b) < 0; });
  return !out.intervals.empty() || !out.versions.empty();
}

// ---- matching ---------------------------------------------------------------------------------

// One matched entry for one package.
struct Hit {
  uint32_t package = 0;
  uint32_t group = 0;
  const Entry* entry = nullptr;
  const std::string* fixed = nullptr;  // null: no fix
  bool not_affected = false;
};

// Whether `version` is affected by a kAffected entry; *fixed is the first fix above it.
bool affects(const Entry& entry, std::string_view version, const std::string** fixed) {
  const VersionScheme& scheme = *entry.scheme;
  bool hit = false;
  for (size_t i = 0; !hit && i < entry.intervals.size(); ++i) {
    const Interval& in = entry.intervals[i];
    if (!in.low.empty()) {
      const int c = scheme.compare(version, in.low);
      if (c < 0 || (c == 0 && in.low_exclusive)) continue;
    }
    if (in.high.empty()) {
      hit = true;
    } else {
      const int c = scheme.compare(version, in.high);
      hit = in.high_inclusive ? c <= 0 : c < 0;
    }
  }
  if (!hit && !entry.versions.empty()) {
    auto listed = std::lower_bound(
        entry.versions.begin(), entry.versions.end(), version,
        [&](const std::string& a, std::string_view v) { return scheme.compare(a, v) < 0; });
    hit = listed != entry.versions.end() && scheme.compare(*listed, version) == 0;
  }
  if (!hit) return false;
  // The fixes are sorted and unique: the first one above the version.
  auto fix = std::upper_bound(
      entry.fixes.begin(), entry.fixes.end(), version,
      [&](std::string_view v, const std::string& f) { return scheme.compare(v, f) < 0; });
  *fixed = fix == entry.fixes.end() ? nullptr : &*fix;
  return true;
}

class Index final : public MatchIndex {
 public:
  void build(std::vector<Advisory> advisories, std::vector<KevEntry> kev,
             std::vector<EpssScore> epss);

  MatchResult match(const MatchInput& input) const override;
  IndexStats stats() const override { return stats_; }
  std::vector<std::string> aliases_of(std::string_view id) const override {
    const auto it = group_of_id_.find(id);
    if (it == group_of_id_.end()) return {};
    return groups_[it->second].ids;
  }
  MatchKeyFingerprints key_fingerprints() const override;

 private:
  void build_groups();
  void build_kev_epss(std::vector<KevEntry> kev, std::vector<EpssScore> epss);
  void build_advisory_info();
  void build_entries();
  void lookup(std::string_view type, std::string_view distro, std::string_view name,
              std::string_view version, uint32_t package, std::string& key,
              std::vector<Hit>& hits) const;
  Finding finding_of(const Hit& hit, const MatchPackage& package, const Rating* rating) const;
  void add_entry(Fnv1a& h, const Entry& entry) const;

  std::vector<Advisory> advisories_;
  std::vector<AdvisoryInfo> info_;
  std::vector<Group> groups_;
  StringMap<uint32_t> group_of_id_;
  StringMap<KevEntry> kev_;
  StringMap<EpssScore> epss_;
  StringMap<std::vector<Entry>> entries_;
  IndexStats stats_;
};

void Index::build(std::vector<Advisory> advisories, std::vector<KevEntry> kev,
                  std::vector<EpssScore> epss) {
  std::erase_if(advisories, [](const Advisory& a) { return a.withdrawn || a.id.empty(); });
  advisories_ = std::move(advisories);
  build_groups();
  build_kev_epss(std::move(kev), std::move(epss));
  build_advisory_info();
  build_entries();
  stats_.advisories = advisories_.size();
  stats_.vulnerabilities = groups_.size();
}

void Index::build_groups() {
  UnionFind sets;
  std::unordered_map<std::string_view, uint32_t> node_of;
  std::vector<std::string_view> node_ids;
  auto node = [&](std::string_view id) {
    auto [it, added] = node_of.try_emplace(id, 0);
    if (added) {
      it->second = sets.add();
      node_ids.push_back(id);
    }
    return it->second;
  };
  for (const Advisory& advisory : advisories_) {
    const uint32_t self = node(advisory.id);
    for (const std::string& alias : advisory.aliases) {
      if (!alias.empty()) sets.unite(self, node(alias));
    }
  }
  std::vector<uint32_t> group_of_root(node_ids.size(), UINT32_MAX);
  for (uint32_t n = 0; n < node_ids.size(); ++n) {
    uint32_t& group = group_of_root[sets.find(n)];
    if (group == UINT32_MAX) {
      group = static_cast<uint32_t>(groups_.size());
      groups_.emplace_back();
    }
    groups_[group].ids.emplace_back(node_ids[n]);
    group_of_id_.emplace(std::string(node_ids[n]), group);
  }
  info_.resize(advisories_.size());
  for (uint32_t a = 0; a < advisories_.size(); ++a) {
    info_[a].group = group_of_root[sets.find(node_of.at(advisories_[a].id))];
    groups_[info_[a].group].members.push_back(a);
  }
  for (Group& group : groups_) {
    std::sort(group.ids.begin(), group.ids.end(), id_less);
    const auto cve = std::find_if(group.ids.begin(), group.ids.end(), is_cve);
    group.name = cve != group.ids.end() ? *cve : group.ids.front();
    for (const std::string& id : group.ids) {
      if (id != group.name) group.aliases.push_back(id);
    }
  }
  std::vector<uint32_t> by_name(groups_.size());
  std::iota(by_name.begin(), by_name.end(), 0u);
  std::sort(by_name.begin(), by_name.end(),
            [&](uint32_t a, uint32_t b) { return id_less(groups_[a].name, groups_[b].name); });
  for (uint32_t i = 0; i < by_name.size(); ++i) groups_[by_name[i]].rank = i;
}

void Index::build_kev_epss(std::vector<KevEntry> kev, std::vector<EpssScore> epss) {
  for (KevEntry& entry : kev) {
    std::string cve = entry.cve;
    kev_.insert_or_assign(std::move(cve), std::move(entry));
  }
  for (EpssScore& score : epss) {
    std::string cve = score.cve;
    epss_.insert_or_assign(std::move(cve), std::move(score));
  }
  stats_.kev = kev_.size();
  stats_.epss = epss_.size();
  for (Group& group : groups_) {
    for (const std::string& id : group.ids) {
      if (!is_cve(id)) continue;
      if (const auto k = kev_.find(id); k != kev_.end()) {
        const std::string& due = k->second.due_date;
        if (!group.kev ||
            (!due.empty() && (group.kev_due_date.empty() || due < group.kev_due_date))) {
          group.kev_due_date = due;
        }
        group.kev = true;
      }
      if (const auto e = epss_.find(id); e != epss_.end()) {
        if (!group.epss || e->second.score > *group.epss) {
          group.epss = e->second.score;
          group.epss_percentile = e->second.percentile;
        }
      }
    }
  }
}

void Index::build_advisory_info() {
  std::vector<std::optional<CvssCandidate>> own_cvss(advisories_.size());
  for (size_t a = 0; a < advisories_.size(); ++a) own_cvss[a] = best_cvss(advisories_[a]);
  for (const Group& group : groups_) {
    // The group's best CVSS, text rating, summary and CWEs, for members that lack their own.
    const CvssCandidate* group_cvss = nullptr;
    std::optional<Rating> group_text;
    std::string group_summary;
    std::vector<std::string> cwes;
    for (uint32_t a : group.members) {
      if (own_cvss[a] && (group_cvss == nullptr || better(*own_cvss[a], *group_cvss))) {
        group_cvss = &*own_cvss[a];
      }
      if (!group_text) group_text = first_text(advisories_[a]);
      if (group_summary.empty()) group_summary = summary_of(advisories_[a]);
      cwes.insert(cwes.end(), advisories_[a].cwes.begin(), advisories_[a].cwes.end());
    }
    std::sort(cwes.begin(), cwes.end(), id_less);
    cwes.erase(std::unique(cwes.begin(), cwes.end()), cwes.end());
    for (uint32_t a : group.members) {
      AdvisoryInfo& info = info_[a];
      if (own_cvss[a]) {
        info.fallback = own_cvss[a]->rating;
      } else if (group_cvss != nullptr) {
        info.fallback = group_cvss->rating;
      } else if (auto text = first_text(advisories_[a])) {
        info.fallback = std::move(text);
      } else {
        info.fallback = group_text;
      }
      info.summary = summary_of(advisories_[a]);
      if (info.summary.empty()) info.summary = group_summary;
      info.cwes = cwes;
    }
  }
}

void Index::build_entries() {
  std::string key;
  for (uint32_t a = 0; a < advisories_.size(); ++a) {
    Advisory& advisory = advisories_[a];
    for (Affected& affected : advisory.affected) {
      if (affected.package.empty() || affected.ecosystem.empty()) continue;
      Entry entry;
      if (!compile(affected, a, advisory, entry)) continue;
      append_match_key(affected.ecosystem, affected.distro, affected.package, key);
      auto it = entries_.find(std::string_view(key));
      if (it == entries_.end()) it = entries_.emplace(key, std::vector<Entry>()).first;
      it->second.push_back(std::move(entry));
      ++stats_.affected_entries;
    }
    // Everything the matcher needs of the entries is compiled; the rest is not kept twice.
    advisory.affected.clear();
    advisory.affected.shrink_to_fit();
  }
}

void Index::lookup(std::string_view type, std::string_view distro, std::string_view name,
                   std::string_view version, uint32_t package, std::string& key,
                   std::vector<Hit>& hits) const {
  append_match_key(type, distro, name, key);
  const auto it = entries_.find(std::string_view(key));
  if (it == entries_.end()) return;
  for (const Entry& entry : it->second) {
    Hit hit{package, info_[entry.advisory].group, &entry, nullptr, false};
    switch (entry.status) {
      case AffectedStatus::kNotAffected:
        hit.not_affected = true;
        break;
      case AffectedStatus::kUnfixed:
      case AffectedStatus::kWillNotFix:
        break;
      case AffectedStatus::kAffected:
        if (version.empty() || !affects(entry, version, &hit.fixed)) continue;
        break;
    }
    hits.push_back(hit);
  }
}

Finding Index::finding_of(const Hit& hit, const MatchPackage& package, const Rating* rating) const {
  const Entry& entry = *hit.entry;
  const Advisory& advisory = advisories_[entry.advisory];
  const AdvisoryInfo& info = info_[entry.advisory];
  const Group& group = groups_[info.group];
  Finding f;
  f.vulnerability = group.name;
  f.aliases = group.aliases;
  f.advisory = advisory.id;
  f.advisory_source = advisory.source;
  f.summary = info.summary;
  f.package_name = entry.package;
  f.package_type = package.type;
  f.installed_version = package.version;
  f.purl = package.purl;
  f.status = entry.status;
  if (hit.fixed != nullptr) f.fixed_version = *hit.fixed;
  if (rating != nullptr) {
    f.severity = rating->severity;
    f.severity_source = rating->source;
    f.cvss_score = rating->score;
    f.cvss_vector = rating->vector;
  }
  f.kev = group.kev;
  f.kev_due_date = group.kev_due_date;
  f.epss = group.epss;
  f.epss_percentile = group.epss_percentile;
  f.cwes = info.cwes;
  f.references = advisory.references;
  return f;
}

MatchResult Index::match(const MatchInput& input) const {
  std::vector<Hit> hits;
  std::string key;
  key.reserve(256);
  for (uint32_t i = 0; i < input.packages.size(); ++i) {
    const MatchPackage& p = input.packages[i];
    const std::string_view distro =
        os_package_rule(p.type) != nullptr ? std::string_view(input.distro) : std::string_view();
    for_each_lookup(p, input.distro, [&](std::string_view name, std::string_view version) {
      lookup(p.type, distro, name, version, i, key, hits);
    });
  }

  // One result per (package, vulnerability): findings before "not affected", then the record
  // naming the highest fix (upgrading to it resolves every matched record), then one with the
  // distribution's own rating, then the advisory id.
  auto rank_less = [&](const Hit& a, const Hit& b) {
    if (a.package != b.package) return a.package < b.package;
    if (a.group != b.group) return a.group < b.group;
    if (a.not_affected != b.not_affected) return !a.not_affected;
    if ((a.fixed == nullptr) != (b.fixed == nullptr)) return a.fixed != nullptr;
    if (a.fixed != nullptr) {
      if (int c = a.entry->scheme->compare(*a.fixed, *b.fixed)) return c > 0;
    }
    const bool ar = a.entry->distro_rating.has_value(), br = b.entry->distro_rating.has_value();
    if (ar != br) return ar;
    return id_less(advisories_[a.entry->advisory].id, advisories_[b.entry->advisory].id);
  };
  std::sort(hits.begin(), hits.end(), rank_less);

  // The winners, with their ratings, sorted before any Finding is built.
  struct Winner {
    const Hit* hit;
    const Rating* rating;
  };
  std::vector<Winner> winners;
  for (size_t start = 0; start < hits.size();) {
    size_t end = start + 1;
    while (end < hits.size() && hits[end].package == hits[start].package &&
           hits[end].group == hits[start].group) {
      ++end;
    }
    const Hit& best = hits[start];
    // The distribution's rating of this package from any matched record, else the winner's.
    const Rating* rating = nullptr;
    for (size_t k = start; k < end && rating == nullptr; ++k) {
      if (hits[k].not_affected == best.not_affected && hits[k].entry->distro_rating) {
        rating = &*hits[k].entry->distro_rating;
      }
    }
    if (rating == nullptr && info_[best.entry->advisory].fallback) {
      rating = &*info_[best.entry->advisory].fallback;
    }
    winners.push_back({&best, rating});
    start = end;
  }
  // Severity (worst first), vulnerability, package.
  auto order = [&](const Winner& a, const Winner& b) {
    const Severity sa = a.rating != nullptr ? a.rating->severity : Severity::kUnknown;
    const Severity sb = b.rating != nullptr ? b.rating->severity : Severity::kUnknown;
    if (sa != sb) return sa > sb;
    if (a.hit->group != b.hit->group)
      return groups_[a.hit->group].rank < groups_[b.hit->group].rank;
    if (a.hit->entry->package != b.hit->entry->package) {
      return a.hit->entry->package < b.hit->entry->package;
    }
    const MatchPackage& pa = input.packages[a.hit->package];
    const MatchPackage& pb = input.packages[b.hit->package];
    if (pa.version != pb.version) return pa.version < pb.version;
    return pa.purl < pb.purl;
  };
  std::sort(winners.begin(), winners.end(), order);

  MatchResult result;
  for (const Winner& w : winners) {
    auto& out = w.hit->not_affected ? result.not_affected : result.findings;
    out.push_back(finding_of(*w.hit, input.packages[w.hit->package], w.rating));
  }
  return result;
}

// ---- fingerprints -----------------------------------------------------------------------------

void add_strings(Fnv1a& h, const std::vector<std::string>& list) {
  for (const std::string& s : list) h.add(s);
  h.end_list();
}

void add_double(Fnv1a& h, const std::optional<double>& v) {
  h.add_u64(v.has_value() ? 1 : 0);
  if (v) h.add_u64(std::bit_cast<uint64_t>(*v));
}

void add_rating(Fnv1a& h, const std::optional<Rating>& r) {
  h.add_u64(r.has_value() ? 1 : 0);
  if (!r) return;
  h.add_u64(static_cast<uint64_t>(r->severity)).add(r->source).add(r->vector);
  add_double(h, r->score);
}

// Everything finding_of() and match()'s ranking read of one entry, its advisory and its group
// (not the group's rank: it only orders findings of different vulnerabilities).
void Index::add_entry(Fnv1a& h, const Entry& e) const {
  const Advisory& advisory = advisories_[e.advisory];
  const AdvisoryInfo& info = info_[e.advisory];
  const Group& group = groups_[info.group];
  h.add_u64(static_cast<uint64_t>(e.status)).add(e.package);
  for (const Interval& in : e.intervals) {
    h.add(in.low).add(in.high).add_u64((in.low_exclusive ? 1 : 0) | (in.high_inclusive ? 2 : 0));
  }
  h.end_list();
  add_strings(h, e.fixes);
  add_strings(h, e.versions);
  add_rating(h, e.distro_rating);
  h.add(advisory.id).add(advisory.source);
  add_strings(h, advisory.references);
  add_rating(h, info.fallback);
  h.add(info.summary);
  add_strings(h, info.cwes);
  h.add(group.name);
  add_strings(h, group.aliases);
  h.add_u64(group.kev ? 1 : 0).add(group.kev_due_date);
  add_double(h, group.epss);
  add_double(h, group.epss_percentile);
  h.end_list();
}

MatchKeyFingerprints Index::key_fingerprints() const {
  MatchKeyFingerprints out;
  out.reserve(entries_.size());
  for (const auto& [key, entries] : entries_) {
    Fnv1a h;
    for (const Entry& e : entries) add_entry(h, e);
    out.emplace(key, h.value());
  }
  return out;
}

}  // namespace

std::vector<std::string> changed_match_keys(const MatchKeyFingerprints& before,
                                            const MatchKeyFingerprints& after) {
  std::vector<std::string> changed;
  for (const auto& [key, fingerprint] : after) {
    const auto it = before.find(key);
    if (it == before.end() || it->second != fingerprint) changed.push_back(key);
  }
  for (const auto& [key, fingerprint] : before) {
    if (!after.contains(key)) changed.push_back(key);
  }
  std::sort(changed.begin(), changed.end());
  return changed;
}

std::vector<std::string> match_keys_of(const MatchPackage& package, std::string_view distro) {
  std::vector<std::string> keys;
  const std::string_view key_distro =
      os_package_rule(package.type) != nullptr ? distro : std::string_view();
  for_each_lookup(package, distro, [&](std::string_view name, std::string_view) {
    append_match_key(package.type, key_distro, name, keys.emplace_back());
  });
  return keys;
}

std::string finding_match_key(std::string_view package_type, std::string_view package_name,
                              std::string_view distro) {
  std::string key;
  append_match_key(package_type,
                   os_package_rule(package_type) != nullptr ? distro : std::string_view(),
                   package_name, key);
  return key;
}

std::shared_ptr<const MatchIndex> MatchIndex::build(std::vector<Advisory> advisories,
                                                    std::vector<KevEntry> kev,
                                                    std::vector<EpssScore> epss) {
  auto index = std::make_shared<Index>();
  index->build(std::move(advisories), std::move(kev), std::move(epss));
  return index;
}

}  // namespace bulwark::vulndb
