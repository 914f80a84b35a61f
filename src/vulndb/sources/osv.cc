// The OSV importer (kOsvImporter, "osv"): reads OSV-schema records (https://ossf.github.io/osv-schema/)
// from a single file or a directory tree of them: JSON (*.json; one record, or an array of
// records) and the PyPA advisory-database YAML form (*.yaml, *.yml). Every ecosystem OSV names is
// mapped to a purl type (and, for distributions, a "name:release" distro string) through one table;
// unknown ecosystems keep their lower-cased name, with one warning per ecosystem.
//
// Bounds: files over 64 MiB are refused, directory recursion stops at depth 32, JSON nesting at 64,
// YAML documents are refused past 64 levels or 4M nodes (aliases expanded), a record with more
// than 100000 affected entries / events / versions is skipped. In a directory, a malformed file is
// skipped with a warning; a malformed file given directly is an error.
//
// Stateless functions; thread-safe.
#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <boost/json.hpp>
#include <yaml-cpp/yaml.h>

#include "common/strict_json.h"
#include "vulndb/advisory.h"

namespace bulwark::vulndb {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr uintmax_t kMaxFileBytes = 64u << 20;
constexpr int kMaxDirDepth = 32;
constexpr size_t kMaxJsonDepth = 64;
constexpr int kMaxYamlDepth = 64;
constexpr size_t kMaxYamlNodes = 4u << 20;
constexpr size_t kMaxArray = 100000;
constexpr size_t kMaxWarnings = 1000;
constexpr size_t kSniffBytes = 16384;

// ---- ecosystem table ------------------------------------------------------------------------

struct EcosystemMapping {
  std::string_view osv;     // OSV ecosystem name (before any ":release")
  std::string_view purl;    // purl type
  std::string_view distro;  // distro name; empty for language ecosystems
};

constexpr std::array<EcosystemMapping, 33> kEcosystems = {{
    {"Go", "golang", ""},
    {"PyPI", "pypi", ""},
    {"npm", "npm", ""},
    {"crates.io", "cargo", ""},
    {"RubyGems", "gem", ""},
    {"Packagist", "composer", ""},
    {"NuGet", "nuget", ""},
    {"Maven", "maven", ""},
    {"Hex", "hex", ""},
    {"Pub", "pub", ""},
    {"Hackage", "hackage", ""},
    {"CRAN", "cran", ""},
    {"SwiftURL", "swift", ""},
    {"GitHub Actions", "github", ""},
    {"Bitnami", "bitnami", ""},
    {"Debian", "deb", "debian"},
    {"Ubuntu", "deb", "ubuntu"},
    {"Alpine", "apk", "alpine"},
    {"Wolfi", "apk", "wolfi"},
    {"Chainguard", "apk", "chainguard"},
    {"AlmaLinux", "rpm", "almalinux"},
    {"Rocky Linux", "rpm", "rocky"},
    {"Red Hat", "rpm", "redhat"},
    {"Mageia", "rpm", "mageia"},
    {"openSUSE", "rpm", "opensuse"},
    {"SUSE", "rpm", "suse"},
    {"Photon OS", "rpm", "photon"},
    {"Azure Linux", "rpm", "azurelinux"},
    {"openEuler", "rpm", "openeuler"},
    {"Oracle Linux", "rpm", "oracle"},
    {"Amazon Linux", "rpm", "amazon"},
    {"MinimOS", "apk", "minimos"},
    {"Echo", "deb", "echo"},
}};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The distro release from the part after the ecosystem name: "v3.19" -> "3.19" (Alpine),
// "22.04:LTS" -> "22.04", "Pro:18.04:LTS" -> "pro:18.04"; lower-cased.
std::string distro_release(std::string_view rest) {
  std::string r = lower(rest);
  constexpr std::string_view kLts = ":lts";
  if (r.size() >= kLts.size() && r.compare(r.size() - kLts.size(), kLts.size(), kLts) == 0) {
    r.resize(r.size() - kLts.size());
  }
  if (r.size() > 1 && r[0] == 'v' && std::isdigit(static_cast<unsigned char>(r[1]))) r.erase(0, 1);
  return r;
}

// Maps an OSV ecosystem to (purl type, distro); false when the ecosystem is not in the table.
bool map_ecosystem(std::string_view osv, std::string& purl, std::string& distro) {
  const size_t colon = osv.find(':');
  const std::string_view base = osv.substr(0, colon);
  for (const auto& m : kEcosystems) {
    if (m.osv != base) continue;
    purl = m.purl;
    distro.clear();
    if (!m.distro.empty()) {
      distro = m.distro;
      if (colon != std::string_view::npos) {
        std::string rel = distro_release(osv.substr(colon + 1));
        if (!rel.empty()) distro += ":" + rel;
      }
    }
    return true;
  }
  purl = lower(osv);
  distro.clear();
  return false;
}

// ---- import state ---------------------------------------------------------------------------

struct ImportState {
  ImportSink& sink;
  ImportStats stats;
  std::set<std::string> unknown_ecosystems;
  bool sink_failed = false;

  void warn(std::string message) {
    if (stats.warnings.size() < kMaxWarnings) {
      stats.warnings.push_back(std::move(message));
    } else if (stats.warnings.size() == kMaxWarnings) {
      stats.warnings.push_back("further warnings suppressed");
    }
  }
  void skip(std::string message) {
    ++stats.skipped;
    warn(std::move(message));
  }
};

// ---- JSON field access ----------------------------------------------------------------------

std::string str_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return {};
  return std::string(v->get_string());
}

const json::array* array_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_array() ? &v->get_array() : nullptr;
}

const json::object* object_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_object() ? &v->get_object() : nullptr;
}

// The strings of an array field (non-strings ignored).
std::vector<std::string> strings_field(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  if (const json::array* a = array_field(o, key)) {
    for (const json::value& v : *a) {
      if (v.is_string()) out.emplace_back(v.get_string());
    }
  }
  return out;
}

// The source name for ratings: the id's prefix ("GHSA-..." -> "ghsa", "GO-..." -> "go").
std::string rating_source(std::string_view id) {
  const size_t dash = id.find('-');
  return dash == std::string_view::npos ? std::string() : lower(id.substr(0, dash));
}

struct EventKey {
  std::string_view key;
  VersionEvent::Kind kind;
};
constexpr std::array<EventKey, 4> kEventKeys = {{
    {"introduced", VersionEvent::Kind::kIntroduced},
    {"fixed", VersionEvent::Kind::kFixed},
    {"last_affected", VersionEvent::Kind::kLastAffected},
    {"limit", VersionEvent::Kind::kLimit},
}};

// One affected[] entry; false (with a warning) when it names no usable package.
bool parse_affected(const json::object& a, const std::string& id, ImportState& st, Affected& out) {
  const json::object* pkg = object_field(a, "package");
  const std::string eco = pkg != nullptr ? str_field(*pkg, "ecosystem") : std::string();
  out.package = pkg != nullptr ? str_field(*pkg, "name") : std::string();
  if (eco.empty() || out.package.empty()) {
    st.warn(id + ": affected entry without package ecosystem/name ignored");
    return false;
  }
  if (!map_ecosystem(eco, out.ecosystem, out.distro) && st.unknown_ecosystems.insert(eco).second) {
    st.warn("unknown OSV ecosystem " + quote_untrusted(eco) + " kept as " +
            quote_untrusted(out.ecosystem));
  }
  out.status = AffectedStatus::kAffected;
  if (const json::array* ranges = array_field(a, "ranges")) {
    for (const json::value& rv : *ranges) {
      if (!rv.is_object()) continue;
      const json::object& r = rv.get_object();
      AffectedRange range;
      range.type = str_field(r, "type");
      if (const json::array* events = array_field(r, "events")) {
        for (const json::value& ev : *events) {
          if (!ev.is_object()) continue;
          for (const EventKey& k : kEventKeys) {
            const json::value* v = ev.get_object().if_contains(k.key);
            if (v != nullptr && v->is_string()) {
              range.events.push_back(VersionEvent{k.kind, std::string(v->get_string())});
            }
          }
        }
      }
      out.ranges.push_back(std::move(range));
    }
  }
  out.versions = strings_field(a, "versions");
  // Per-package rating text (Debian/Ubuntu OSV, GHSA-derived feeds).
  for (std::string_view key : {"ecosystem_specific", "database_specific"}) {
    if (const json::object* spec = object_field(a, key); spec != nullptr && out.severity.empty()) {
      out.severity = str_field(*spec, "severity");
    }
  }
  return true;
}

// Bounds the arrays a record may carry before any work is done on it.
bool record_within_bounds(const json::object& o) {
  const json::array* affected = array_field(o, "affected");
  if (affected == nullptr) return true;
  if (affected->size() > kMaxArray) return false;
  for (const json::value& a : *affected) {
    if (!a.is_object()) continue;
    if (const json::array* v = array_field(a.get_object(), "versions"); v && v->size() > kMaxArray) {
      return false;
    }
    if (const json::array* ranges = array_field(a.get_object(), "ranges")) {
      if (ranges->size() > kMaxArray) return false;
      for (const json::value& r : *ranges) {
        if (!r.is_object()) continue;
        if (const json::array* e = array_field(r.get_object(), "events"); e && e->size() > kMaxArray) {
          return false;
        }
      }
    }
  }
  return true;
}

// One OSV record -> Advisory; adds it to the sink. Sink failures are returned; a malformed record
// is skipped with a warning.
Result<void> import_record(const json::value& v, const std::string& where, ImportState& st) {
  if (!v.is_object()) {
    st.skip(where + ": OSV record is not an object");
    return ok();
  }
  const json::object& o = v.get_object();
  Advisory adv;
  adv.id = str_field(o, "id");
  if (adv.id.empty()) {
    st.skip(where + ": OSV record without a string id");
    return ok();
  }
  if (!record_within_bounds(o)) {
    st.skip(where + ": " + quote_untrusted(adv.id) + " has too many affected entries/versions");
    return ok();
  }
  adv.source = "osv";
  adv.aliases = strings_field(o, "aliases");
  std::stable_partition(adv.aliases.begin(), adv.aliases.end(),
                        [](const std::string& a) { return a.rfind("CVE-", 0) == 0; });
  adv.related = strings_field(o, "related");
  adv.summary = str_field(o, "summary");
  adv.details = str_field(o, "details");
  adv.published = str_field(o, "published");
  adv.modified = str_field(o, "modified");
  adv.withdrawn = !str_field(o, "withdrawn").empty();

  const std::string source = rating_source(adv.id);
  if (const json::array* sev = array_field(o, "severity")) {
    for (const json::value& s : *sev) {
      if (!s.is_object()) continue;
      SeverityRating r{str_field(s.get_object(), "type"), str_field(s.get_object(), "score"), source};
      if (!r.type.empty() && !r.value.empty()) adv.severities.push_back(std::move(r));
    }
  }
  if (const json::object* db = object_field(o, "database_specific")) {
    if (std::string text = str_field(*db, "severity"); !text.empty()) {
      adv.severities.push_back(SeverityRating{"TEXT", std::move(text), source});
    }
    adv.cwes = strings_field(*db, "cwe_ids");
  }
  if (const json::array* refs = array_field(o, "references")) {
    for (const json::value& r : *refs) {
      if (!r.is_object()) continue;
      if (std::string url = str_field(r.get_object(), "url"); !url.empty()) {
        adv.references.push_back(std::move(url));
      }
    }
  }
  if (const json::array* affected = array_field(o, "affected")) {
    for (const json::value& a : *affected) {
      if (!a.is_object()) {
        st.warn(adv.id + ": affected entry is not an object");
        continue;
      }
      Affected entry;
      if (parse_affected(a.get_object(), adv.id, st, entry)) adv.affected.push_back(std::move(entry));
    }
  }
  auto added = st.sink.add_advisory(std::move(adv));
  if (!added) {
    st.sink_failed = true;
    return fail(added.error());
  }
  ++st.stats.records;
  return ok();
}

// ---- file reading ---------------------------------------------------------------------------

enum class Format { kNone, kJson, kYaml };

Format format_of(const fs::path& p) {
  const std::string ext = lower(p.extension().string());
  if (ext == ".json") return Format::kJson;
  if (ext == ".yaml" || ext == ".yml") return Format::kYaml;
  return Format::kNone;
}

Result<std::string> read_file(const fs::path& p, uintmax_t limit) {
  std::error_code ec;
  const uintmax_t size = fs::file_size(p, ec);
  if (ec) return fail(ErrorCode::kIo, "cannot read " + p.filename().string());
  if (size > limit) return fail(ErrorCode::kTooLarge, p.filename().string() + " is too large");
  std::ifstream in(p, std::ios::binary);
  if (!in) return fail(ErrorCode::kIo, "cannot open " + p.filename().string());
  std::string bytes(static_cast<size_t>(size), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  bytes.resize(static_cast<size_t>(in.gcount()));
  return bytes;
}

// YAML -> JSON with every scalar a string (the OSV fields we read are all strings).
Result<json::value> yaml_to_json(const YAML::Node& n, int depth, size_t& nodes) {
  if (depth > kMaxYamlDepth) return fail(ErrorCode::kTooLarge, "YAML nested too deeply");
  if (++nodes > kMaxYamlNodes) return fail(ErrorCode::kTooLarge, "YAML document too large");
  switch (n.Type()) {
    case YAML::NodeType::Scalar:
      return json::value(json::string(n.Scalar()));
    case YAML::NodeType::Sequence: {
      json::array a;
      for (const YAML::Node& c : n) {
        auto v = yaml_to_json(c, depth + 1, nodes);
        if (!v) return v;
        a.push_back(std::move(*v));
      }
      return json::value(std::move(a));
    }
    case YAML::NodeType::Map: {
      json::object o;
      for (const auto& kv : n) {
        if (!kv.first.IsScalar()) return fail(ErrorCode::kInvalidArgument, "YAML map key not a scalar");
        auto v = yaml_to_json(kv.second, depth + 1, nodes);
        if (!v) return v;
        o[kv.first.Scalar()] = std::move(*v);
      }
      return json::value(std::move(o));
    }
    default:
      return json::value(nullptr);
  }
}

Result<json::value> parse_document(const std::string& bytes, Format format) {
  if (format == Format::kJson) return parse_strict_json(bytes, kMaxJsonDepth);
  try {
    const YAML::Node root = YAML::Load(bytes);
    size_t nodes = 0;
    return yaml_to_json(root, 0, nodes);
  } catch (const YAML::Exception& e) {
    return fail(ErrorCode::kInvalidArgument, "not valid YAML: " + quote_untrusted(e.msg));
  } catch (const std::exception&) {
    return fail(ErrorCode::kInvalidArgument, "not valid YAML");
  }
}

// Imports one file. A file that cannot be read or parsed, or holds no OSV record, is an error
// (the caller decides whether it is fatal).
Result<void> import_file(const fs::path& p, const std::string& name, ImportState& st) {
  auto bytes = read_file(p, kMaxFileBytes);
  if (!bytes) return fail(bytes.error().code, name + ": " + bytes.error().message);
  auto doc = parse_document(*bytes, format_of(p));
  if (!doc) return fail(doc.error().code, name + ": " + doc.error().message);
  if (doc->is_array()) {
    if (doc->get_array().size() > kMaxArray) return fail(ErrorCode::kTooLarge, name + ": too many records");
    for (const json::value& v : doc->get_array()) {
      if (auto r = import_record(v, name, st); !r) return r;
    }
    return ok();
  }
  if (!doc->is_object() || !doc->get_object().contains("id")) {
    return fail(ErrorCode::kUnsupported, name + ": not an OSV record");
  }
  return import_record(*doc, name, st);
}

// The files of a directory tree this importer reads, sorted; hidden directories are skipped.
// `max_files`/`max_entries` bound a probe (recognizes).
std::vector<fs::path> osv_files(const fs::path& dir, size_t max_files = SIZE_MAX,
                                size_t max_entries = SIZE_MAX) {
  std::vector<fs::path> files;
  size_t entries = 0;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (++entries > max_entries) break;
    const fs::directory_entry& e = *it;
    const std::string fname = e.path().filename().string();
    std::error_code tec;
    if (e.is_directory(tec)) {
      if (!fname.empty() && fname[0] == '.') it.disable_recursion_pending();
      if (it.depth() >= kMaxDirDepth) it.disable_recursion_pending();
      continue;
    }
    if (!e.is_regular_file(tec) || format_of(e.path()) == Format::kNone) continue;
    files.push_back(e.path());
    if (files.size() >= max_files) break;
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Whether a key appears as a JSON key ("key") or a top-level YAML key (line starting "key:").
bool has_key(std::string_view head, std::string_view key, Format format) {
  if (format == Format::kJson) return head.find("\"" + std::string(key) + "\"") != std::string_view::npos;
  const std::string k = std::string(key) + ":";
  if (head.rfind(k, 0) == 0) return true;
  return head.find("\n" + k) != std::string_view::npos;
}

bool sniff_file(const fs::path& p) {
  const Format format = format_of(p);
  if (format == Format::kNone) return false;
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::string head(kSniffBytes, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  if (format == Format::kJson) {
    const size_t first = head.find_first_not_of(" \t\r\n");
    if (first == std::string::npos || (head[first] != '{' && head[first] != '[')) return false;
  }
  return has_key(head, "id", format) &&
         (has_key(head, "affected", format) || has_key(head, "modified", format));
}

bool recognizes(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    // Cheap: look at a handful of candidate files among the first few thousand entries only.
    const std::vector<fs::path> files = osv_files(path, 8, 4096);
    return std::any_of(files.begin(), files.end(), sniff_file);
  }
  return fs::is_regular_file(path, ec) && sniff_file(path);
}

Result<ImportStats> import_osv(const fs::path& path, ImportSink& sink) {
  ImportState st{sink, {}, {}, false};
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (const fs::path& f : osv_files(path)) {
      const std::string name = fs::relative(f, path, ec).string();
      auto r = import_file(f, ec ? f.filename().string() : name, st);
      if (r) continue;
      if (st.sink_failed) return fail(r.error());  // the store failed: stop
      if (r.error().code == ErrorCode::kUnsupported) {
        st.warn(r.error().message + "; file ignored");  // some other JSON/YAML in the tree
      } else {
        st.skip(r.error().message);  // unreadable or malformed file: skip it, keep going
      }
    }
    return std::move(st.stats);
  }
  if (!fs::is_regular_file(path, ec)) {
    return fail(ErrorCode::kNotFound, path.filename().string() + ": no such OSV file or directory");
  }
  if (auto r = import_file(path, path.filename().string(), st); !r) return fail(r.error());
  return std::move(st.stats);
}

}  // namespace

extern const Importer kOsvImporter;
const Importer kOsvImporter{"osv", &recognizes, &import_osv};

}  // namespace bulwark::vulndb
