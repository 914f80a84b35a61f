// The layer walker (walker.h): merges layers in memory and keeps each analysed file's findings.
#include "scan/walker.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "common/strict_json.h"
#include "scan/layer_reader.h"
#include "scan/purl.h"

namespace bulwark::scan {

namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";
constexpr int kMaxSymlinkHops = 40;

// One path of the merged file system.
struct Node {
  EntryType type = EntryType::kOther;
  std::string link_target;  // symlinks: as written
  int layer = 0;
  uint32_t mode = 0;
  uint64_t size = 0;
  uint64_t analyzed = 0;  // bit i: analyzer i of WalkOptions::analyzers read this file
};

// What the analyzers found in one file, and from which layer each package has been there.
struct PathFindings {
  std::vector<Package> packages;  // Package::layer = the layer that introduced it
  std::optional<OsRelease> os;
};

// The identity of a package across rewrites of its evidence file.
std::string package_key(const Package& p) {
  return p.type + '\x1f' + p.namespace_ + '\x1f' + p.name + '\x1f' + p.version + '\x1f' + p.arch +
         '\x1f' + (p.epoch ? std::to_string(*p.epoch) : "") + '\x1f' + p.evidence;
}

// The first key of `map` that is not inside directory `dir` and after it ("a/" .. "a0").
template <class Map>
void erase_below(Map& map, const std::string& dir) {
  if (dir.empty()) {  // the root: everything
    map.clear();
    return;
  }
  map.erase(map.lower_bound(dir + '/'), map.lower_bound(dir + char('/' + 1)));
}

std::string parent_of(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string{} : std::string(path.substr(0, slash));
}

// The per-layer record of changes, applied on top of the lower layers when the layer ends
// (whiteouts only hide what lower layers put there, whatever their position in the tar).
struct LayerChanges {
  std::vector<std::string> deleted;      // ".wh.NAME" -> "dir/NAME"
  std::vector<std::string> opaque_dirs;  // ".wh..wh..opq" -> "dir"
  std::map<std::string, Node> nodes;
  std::map<std::string, PathFindings> findings;
  std::map<std::string, std::string> pending_links;  // hard link path -> target path (needs data)
};

class Walk {
 public:
  Walk(const Image& image, const WalkOptions& options) : image_(image), options_(options) {}

  Result<Inventory> run() {
    for (size_t i = 0; i < image_.layers.size(); ++i) {
      LayerChanges changes;
      BULWARK_TRY_VOID(read_layer(i, changes));
      BULWARK_TRY_VOID(resolve_pending_links(i, changes));
      apply(static_cast<int>(i), changes);
    }
    return finish();
  }

 private:
  std::string layer_name(size_t i) const {
    return "layer " + std::to_string(i + 1) + " (" + image_.layers[i].digest + ")";
  }

  Result<std::unique_ptr<LayerReader>> open_layer(size_t i) {
    if (!image_.open_layer) return fail(ErrorCode::kInternal, "the image has no layer opener");
    BULWARK_ASSIGN_OR_RETURN(auto stream, image_.open_layer(i));
    return std::make_unique<LayerReader>(std::move(stream), layer_name(i), image_.layers[i].digest,
                                         options_.limits);
  }

  Result<void> read_layer(size_t i, LayerChanges& changes) {
    BULWARK_ASSIGN_OR_RETURN(auto reader_ptr, open_layer(i));
    LayerReader& reader = *reader_ptr;
    for (;;) {
      BULWARK_ASSIGN_OR_RETURN(auto entry, reader.next());
      if (!entry) return ok();
      if (entry->path == ".") continue;
      std::string_view base = base_name(entry->path);
      if (base.starts_with(kWhiteoutPrefix)) {
        record_whiteout(*entry, base, changes);
        continue;
      }
      if (entry->type == EntryType::kHardlink) {
        record_hardlink(*entry, changes);
        continue;
      }
      Node& node = changes.nodes[entry->path];
      node = Node{entry->type, entry->link_target, static_cast<int>(i), entry->mode, entry->size, 0};
      changes.findings.erase(entry->path);
      if (entry->type == EntryType::kFile) {
        BULWARK_ASSIGN_OR_RETURN(node.analyzed, analyze_entry(reader, *entry, entry->path, changes));
      }
    }
  }

  static void record_whiteout(const LayerEntry& entry, std::string_view base, LayerChanges& changes) {
    std::string dir = parent_of(entry.path);
    if (base == kOpaqueMarker) {
      changes.opaque_dirs.push_back(dir);
    } else if (!base.starts_with(".wh..wh.")) {  // other ".wh..wh.*" are AUFS metadata
      std::string name(base.substr(kWhiteoutPrefix.size()));
      changes.deleted.push_back(dir.empty() ? name : dir + '/' + name);
    }
  }

  // A hard link is the file it links to under another name. When the analyzers that want the
  // new name are the ones that read the target, the target's findings are copied; otherwise the
  // target's data is read again once the layer ends (resolve_pending_links).
  void record_hardlink(const LayerEntry& entry, LayerChanges& changes) {
    const Node* target = lookup(entry.link_target, changes);
    changes.findings.erase(entry.path);
    if (target == nullptr || target->type != EntryType::kFile) {
      changes.nodes[entry.path] = Node{EntryType::kFile, {}, -1, entry.mode, 0, 0};
      return;  // dangling, or a link to a directory: nothing to read
    }
    Node node = *target;
    node.layer = -1;
    uint64_t wanted = wanting(entry.path, node.mode, node.size);
    if (wanted != 0 && wanted == node.analyzed) {
      if (const PathFindings* found = findings_at(entry.link_target, changes)) {
        PathFindings copy = *found;
        for (auto& p : copy.packages) {
          if (p.evidence == "/" + entry.link_target) p.evidence = "/" + entry.path;
        }
        changes.findings[entry.path] = std::move(copy);
      }
    } else if (wanted != 0) {
      changes.pending_links[entry.path] = entry.link_target;
    }
    changes.nodes[entry.path] = std::move(node);
  }

  const PathFindings* findings_at(const std::string& path, const LayerChanges& changes) const {
    if (changes.nodes.contains(path)) {
      auto it = changes.findings.find(path);
      return it == changes.findings.end() ? nullptr : &it->second;
    }
    auto it = findings_.find(path);
    return it == findings_.end() ? nullptr : &it->second;
  }

  // The analyzers that want a file, as a bit set over WalkOptions::analyzers.
  uint64_t wanting(std::string_view path, uint32_t mode, uint64_t size) const {
    uint64_t mask = 0;
    for (size_t i = 0; i < options_.analyzers.size() && i < 64; ++i) {
      if (options_.analyzers[i].wants(path, mode, size)) mask |= uint64_t{1} << i;
    }
    return mask;
  }

  // Reads the current entry's data when an analyzer wants `as_path` and runs them on it.
  // Returns the set of analyzers that read it.
  Result<uint64_t> analyze_entry(LayerReader& reader, const LayerEntry& entry,
                                 const std::string& as_path, LayerChanges& changes) {
    uint64_t mask = wanting(as_path, entry.mode, entry.size);
    if (mask == 0) {
      BULWARK_TRY_VOID(reader.skip_data());
      return mask;
    }
    uint64_t largest = 0;
    for (size_t i = 0; i < options_.analyzers.size(); ++i) {
      if (mask & (uint64_t{1} << i)) largest = std::max(largest, options_.analyzers[i].max_size);
    }
    largest = std::min(largest, options_.limits.max_read_bytes);
    if (entry.size > largest) {
      warnings_.push_back("/" + as_path + ": not analysed, " + std::to_string(entry.size) +
                          " bytes is more than the " + std::to_string(largest) + " read");
      BULWARK_TRY_VOID(reader.skip_data());
      return mask;
    }
    BULWARK_TRY_VOID(reader.read_data(content_));
    run_analyzers(mask, FileInput{as_path, content_, entry.mode}, changes);
    return mask;
  }

  // Runs the analyzers in `mask` on one file and records what they found.
  void run_analyzers(uint64_t mask, const FileInput& input, LayerChanges& changes) {
    const std::string as_path(input.path);
    PathFindings found;
    for (size_t i = 0; i < options_.analyzers.size(); ++i) {
      const Analyzer* analyzer = &options_.analyzers[i];
      if (!(mask & (uint64_t{1} << i)) || input.content.size() > analyzer->max_size) continue;
      Findings findings;
      auto result = analyzer->analyze(input, findings);
      if (!result) {
        warnings_.push_back(std::string(analyzer->name) + ": /" + as_path + ": " +
                            result.error().message);
      }
      for (auto& warning : findings.warnings) {
        warnings_.push_back(std::string(analyzer->name) + ": /" + as_path + ": " + warning);
      }
      for (auto& package : findings.packages) {
        if (package.name.empty() || package.type.empty()) {
          warnings_.push_back(std::string(analyzer->name) + ": /" + as_path +
                              ": a package without a type or name was skipped");
          continue;
        }
        if (package.evidence.empty()) package.evidence = "/" + as_path;
        found.packages.push_back(std::move(package));
      }
      if (findings.os && !found.os) {
        found.os = std::move(findings.os);
        if (found.os->evidence.empty()) found.os->evidence = "/" + as_path;
      }
    }
    if (!found.packages.empty() || found.os) changes.findings[as_path] = std::move(found);
  }

  // The node a path names in the state as of the current layer (lower layers + this one).
  const Node* lookup(const std::string& path, const LayerChanges& changes) const {
    if (auto it = changes.nodes.find(path); it != changes.nodes.end()) return &it->second;
    if (auto it = nodes_.find(path); it != nodes_.end()) return &it->second;
    return nullptr;
  }

  // Hard links whose path an analyzer wants get the target's data: the layer holding the target
  // is read again (hard links are rare, and the target may have been skipped).
  Result<void> resolve_pending_links(size_t i, LayerChanges& changes) {
    std::map<int, std::multimap<std::string, std::string>> by_layer;  // layer -> target -> link
    for (auto& [link, target] : changes.pending_links) {
      const Node* node = lookup(target, changes);
      if (node == nullptr) continue;
      int layer = node->layer == -1 ? static_cast<int>(i) : node->layer;
      by_layer[layer].emplace(target, link);
    }
    for (auto& [layer, links] : by_layer) {
      BULWARK_ASSIGN_OR_RETURN(auto reader_ptr, open_layer(static_cast<size_t>(layer)));
      LayerReader& reader = *reader_ptr;
      for (;;) {
        BULWARK_ASSIGN_OR_RETURN(auto entry, reader.next());
        if (!entry) break;
        if (entry->type != EntryType::kFile) continue;
        auto [begin, end] = links.equal_range(entry->path);
        if (begin == end) continue;
        if (entry->size > options_.limits.max_read_bytes) {
          warnings_.push_back("/" + begin->second + ": not analysed, " +
                              std::to_string(entry->size) + " bytes");
          continue;
        }
        BULWARK_TRY_VOID(reader.read_data(content_));
        for (auto it = begin; it != end; ++it) {
          uint64_t mask = wanting(it->second, entry->mode, entry->size);
          changes.nodes[it->second].analyzed = mask;
          run_analyzers(mask, FileInput{it->second, content_, entry->mode}, changes);
        }
      }
    }
    return ok();
  }

  void apply(int layer, LayerChanges& changes) {
    for (const auto& dir : changes.opaque_dirs) {
      erase_below(nodes_, dir);
      erase_below(findings_, dir);
    }
    for (const auto& path : changes.deleted) {
      nodes_.erase(path);
      findings_.erase(path);
      erase_below(nodes_, path);
      erase_below(findings_, path);
    }
    for (auto& [path, node] : changes.nodes) {
      if (node.layer == -1) node.layer = layer;
      if (node.type != EntryType::kDirectory) {
        erase_below(nodes_, path);  // a file over a directory hides what was below it
        erase_below(findings_, path);
      }
      nodes_[path] = std::move(node);
      auto found = changes.findings.find(path);
      if (found == changes.findings.end()) {
        findings_.erase(path);
        continue;
      }
      merge_findings(layer, path, std::move(found->second));
    }
  }

  // Keeps the introducing layer of packages the rewritten file still reports.
  void merge_findings(int layer, const std::string& path, PathFindings found) {
    std::map<std::string, int> introduced;
    if (auto old = findings_.find(path); old != findings_.end()) {
      for (const auto& p : old->second.packages) introduced.emplace(package_key(p), p.layer);
    }
    for (auto& p : found.packages) {
      auto it = introduced.find(package_key(p));
      p.layer = it != introduced.end() ? it->second : layer;
    }
    findings_[path] = std::move(found);
  }

  // Follows symbolic links inside the image the way a chroot would (absolute targets start at the
  // image root, ".." stops at it), so nothing can point outside it. nullopt for looping links.
  std::optional<std::string> resolve(std::string path) const {
    for (int hop = 0; hop <= kMaxSymlinkHops; ++hop) {
      bool followed = false;
      for (size_t end = 0; end != std::string::npos && !followed;) {
        end = path.find('/', end + 1);
        std::string component = path.substr(0, end);
        auto it = nodes_.find(component);
        if (it == nodes_.end() || it->second.type != EntryType::kSymlink) continue;
        const std::string& target = it->second.link_target;
        std::string base = target.starts_with('/') ? std::string{} : parent_of(component);
        std::string rest = end == std::string::npos ? std::string{} : path.substr(end);
        path = clamp_image_path(base + "/" + target + rest);
        followed = true;
      }
      if (!followed) return path;
    }
    return std::nullopt;
  }

  // The operating system: os-release first (following links), then release files.
  std::optional<OsRelease> pick_os() const {
    for (std::string candidate : {"etc/os-release", "usr/lib/os-release"}) {
      auto real = resolve(candidate);
      if (!real) continue;
      if (auto it = findings_.find(*real); it != findings_.end() && it->second.os) return it->second.os;
    }
    for (const auto& [path, found] : findings_) {
      if (found.os) return found.os;
    }
    return std::nullopt;
  }

  Result<Inventory> finish() {
    Inventory inventory;
    inventory.name = image_.name;
    inventory.manifest_digest = image_.manifest_digest;
    inventory.config_digest = image_.config_digest;
    inventory.platform = image_.platform;
    inventory.created = image_.created;
    inventory.layers = image_.layers;
    inventory.os = pick_os();
    for (auto& [path, found] : findings_) {
      for (auto& p : found.packages) inventory.packages.push_back(std::move(p));
    }
    auto order = [](const Package& p) {
      return std::tie(p.type, p.namespace_, p.name, p.version, p.evidence, p.arch, p.layer);
    };
    std::sort(inventory.packages.begin(), inventory.packages.end(),
              [&](const Package& a, const Package& b) { return order(a) < order(b); });
    inventory.packages.erase(
        std::unique(inventory.packages.begin(), inventory.packages.end(),
                    [](const Package& a, const Package& b) { return package_key(a) == package_key(b); }),
        inventory.packages.end());
    for (auto& p : inventory.packages) p.purl = purl_of(p, inventory.os);
    inventory.warnings = std::move(warnings_);
    return inventory;
  }

  const Image& image_;
  const WalkOptions& options_;
  std::map<std::string, Node> nodes_;
  std::map<std::string, PathFindings> findings_;
  std::vector<std::string> warnings_;
  std::string content_;  // reused buffer for file data
};

}  // namespace

Result<Inventory> inventory(const Image& image, const WalkOptions& options) {
  return Walk(image, options).run();
}

}  // namespace bulwark::scan
