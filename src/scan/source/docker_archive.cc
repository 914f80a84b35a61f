// docker-archive:FILE[:REPO:TAG|:@INDEX] — a `docker save` tar (manifest.json with Config,
// RepoTags and Layers members), or an OCI layout inside a tar (index.json + blobs/) when the
// archive has no manifest.json. Layers are members of the tar: opening one scans the archive to the
// member and streams it, so nothing is extracted.
#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <map>

#include "common/strict_json.h"
#include "scan/source/internal.h"

namespace bulwark::scan {
namespace {

namespace json = boost::json;

constexpr size_t kMaxMembers = 1'000'000;
constexpr int kMaxLinkHops = 8;
constexpr std::string_view kUncompressedLayer = "application/vnd.docker.image.rootfs.diff.tar";
constexpr std::string_view kGzipLayer = "application/vnd.docker.image.rootfs.diff.tar.gzip";

struct ArchiveFree {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveFree>;

// "./a//b/../c" -> "a/c"; nullopt when ".." climbs above the root.
std::optional<std::string> normalise(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string_view part =
        path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (part == "..") {
      if (parts.empty()) return std::nullopt;
      parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  std::string out;
  for (std::string_view p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

struct Member {
  uint64_t size = 0;
  bool regular = false;
  std::string link;  // normalised target of a symbolic or hard link, else empty
};

// The members of one tar file, read by name. Each read scans the archive from its start (archives
// are local files; skipping a member's data seeks).
class TarFiles final : public source::LayoutFiles {
 public:
  static Result<std::shared_ptr<TarFiles>> open_archive(std::string file) {
    auto files = std::shared_ptr<TarFiles>(new TarFiles(std::move(file)));
    BULWARK_ASSIGN_OR_RETURN(ArchivePtr a, files->start());
    archive_entry* entry = nullptr;
    int rc;
    while ((rc = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
      if (files->members_.size() >= kMaxMembers) {
        return fail(ErrorCode::kTooLarge, "the archive has more than " +
                                              std::to_string(kMaxMembers) + " members");
      }
      const char* raw = archive_entry_pathname(entry);
      auto name = normalise(raw ? raw : "");
      if (!name || name->empty()) continue;
      Member m;
      m.size = archive_entry_size_is_set(entry) ? static_cast<uint64_t>(archive_entry_size(entry)) : 0;
      m.regular = archive_entry_filetype(entry) == AE_IFREG;
      if (const char* hard = archive_entry_hardlink(entry)) {
        m.link = normalise(hard).value_or("");
      } else if (archive_entry_filetype(entry) == AE_IFLNK && archive_entry_symlink(entry)) {
        std::string_view target = archive_entry_symlink(entry);
        size_t slash = name->rfind('/');
        std::string dir = slash == std::string::npos ? "" : name->substr(0, slash + 1);
        m.link = target.starts_with("/") ? "" : normalise(dir + std::string(target)).value_or("");
      }
      files->members_[*name] = std::move(m);
    }
    if (rc != ARCHIVE_EOF) return files->archive_error(a.get());
    return files;
  }

  bool has(const std::string& path) const { return members_.count(path) != 0; }

  // The regular member `path` leads to through links, with its info.
  Result<std::pair<std::string, Member>> resolve(const std::string& path) const {
    std::string name = normalise(path).value_or("");
    for (int hop = 0; hop <= kMaxLinkHops; ++hop) {
      auto it = members_.find(name);
      if (it == members_.end()) {
        return fail(ErrorCode::kNotFound, "the archive has no member " + quote_untrusted(path));
      }
      if (it->second.regular) return std::make_pair(name, it->second);
      if (it->second.link.empty()) {
        return fail(ErrorCode::kInvalidArgument,
                    "archive member " + quote_untrusted(path) + " is not a regular file");
      }
      name = it->second.link;
    }
    return fail(ErrorCode::kInvalidArgument, "archive member " + quote_untrusted(path) +
                                                 " is a chain of too many links");
  }

  Result<std::string> read(const std::string& path, uint64_t max_bytes) override {
    BULWARK_ASSIGN_OR_RETURN(auto found, resolve(path));
    if (found.second.size > max_bytes) {
      return fail(ErrorCode::kTooLarge, "archive member " + quote_untrusted(path) +
                                            " is larger than " + std::to_string(max_bytes) + " bytes");
    }
    BULWARK_ASSIGN_OR_RETURN(ArchivePtr a, seek(found.first));
    std::string out(static_cast<size_t>(found.second.size), '\0');
    size_t done = 0;
    while (done < out.size()) {
      la_ssize_t n = archive_read_data(a.get(), out.data() + done, out.size() - done);
      if (n < 0) return archive_error(a.get());
      if (n == 0) break;
      done += static_cast<size_t>(n);
    }
    out.resize(done);
    return out;
  }

  Result<std::unique_ptr<ByteStream>> open(const std::string& path) override;

 private:
  explicit TarFiles(std::string file) : file_(std::move(file)) {}

  Result<ArchivePtr> start() const {
    ArchivePtr a(archive_read_new());
    if (!a) return fail(ErrorCode::kInternal, "out of memory");
    archive_read_support_format_tar(a.get());
    archive_read_support_filter_all(a.get());
    if (archive_read_open_filename(a.get(), file_.c_str(), 64 * 1024) != ARCHIVE_OK) {
      return archive_error(a.get());
    }
    return a;
  }

  // An archive positioned at the data of member `name`.
  Result<ArchivePtr> seek(const std::string& name) const {
    BULWARK_ASSIGN_OR_RETURN(ArchivePtr a, start());
    archive_entry* entry = nullptr;
    int rc;
    while ((rc = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
      const char* raw = archive_entry_pathname(entry);
      if (raw != nullptr && normalise(raw) == name && archive_entry_filetype(entry) == AE_IFREG) {
        return a;
      }
    }
    if (rc != ARCHIVE_EOF) return archive_error(a.get());
    return fail(ErrorCode::kNotFound, "the archive has no member " + quote_untrusted(name));
  }

  tl::unexpected<Error> archive_error(archive* a) const {
    const char* why = archive_error_string(a);
    return fail(ErrorCode::kInvalidArgument,
                "cannot read the archive: " + std::string(why ? why : "unknown error"));
  }

  std::string file_;
  std::map<std::string, Member> members_;
};

class MemberStream final : public ByteStream {
 public:
  explicit MemberStream(ArchivePtr a) : a_(std::move(a)) {}
  Result<size_t> read(std::span<char> buf) override {
    la_ssize_t n = archive_read_data(a_.get(), buf.data(), buf.size());
    if (n < 0) {
      const char* why = archive_error_string(a_.get());
      return fail(ErrorCode::kIo, "reading a layer from the archive failed: " +
                                      std::string(why ? why : "unknown error"));
    }
    return static_cast<size_t>(n);
  }

 private:
  ArchivePtr a_;
};

Result<std::unique_ptr<ByteStream>> TarFiles::open(const std::string& path) {
  BULWARK_ASSIGN_OR_RETURN(auto found, resolve(path));
  BULWARK_ASSIGN_OR_RETURN(ArchivePtr a, seek(found.first));
  return std::unique_ptr<ByteStream>(std::make_unique<MemberStream>(std::move(a)));
}

// "docker.io/library/busybox:1" and "busybox:1" name the same image.
std::string short_name(std::string_view ref) {
  for (std::string_view prefix : {"docker.io/library/", "docker.io/"}) {
    if (ref.starts_with(prefix)) return std::string(ref.substr(prefix.size()));
  }
  return std::string(ref);
}

// The digest a layer member's name reveals: "blobs/ALG/HEX" is content-addressed; "HEX.tar" and
// "HEX/layer.tar" (skopeo and older docker) count only when HEX is the layer's diff_id (older
// docker names layers by a v1 id that is no digest at all). Empty when the name says nothing.
std::string digest_from_name(const std::string& name, const std::string& diff_id) {
  if (name.starts_with("blobs/")) {
    std::string_view rest = std::string_view(name).substr(6);
    size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return "";
    auto digest = Digest::parse(std::string(rest.substr(0, slash)) + ":" +
                                std::string(rest.substr(slash + 1)));
    return digest ? digest->str() : "";
  }
  std::string hex = name;
  for (std::string_view suffix : {"/layer.tar", ".tar"}) {
    if (hex.ends_with(suffix)) {
      hex.resize(hex.size() - suffix.size());
      break;
    }
  }
  return "sha256:" + hex == diff_id ? diff_id : "";
}

struct ArchiveEntry {
  std::string config;
  std::vector<std::string> repo_tags;
  std::vector<std::string> layers;
};

Result<std::vector<ArchiveEntry>> parse_archive_manifest(std::string_view bytes) {
  auto bad = [] {
    return fail(ErrorCode::kInvalidArgument, "the archive's manifest.json is malformed");
  };
  auto doc = parse_strict_json(bytes);
  if (!doc || !doc->is_array()) return bad();
  std::vector<ArchiveEntry> out;
  auto strings = [](const json::value* v, std::vector<std::string>& into) {
    if (v == nullptr || v->is_null()) return true;
    if (!v->is_array()) return false;
    for (const json::value& s : v->as_array()) {
      if (!s.is_string() || s.as_string().empty()) return false;
      into.emplace_back(s.as_string());
    }
    return true;
  };
  for (const json::value& item : doc->as_array()) {
    if (!item.is_object()) return bad();
    const json::object& o = item.as_object();
    const json::value* config = o.if_contains("Config");
    if (config == nullptr || !config->is_string() || config->as_string().empty()) return bad();
    ArchiveEntry e;
    e.config = std::string(config->as_string());
    if (!strings(o.if_contains("RepoTags"), e.repo_tags) ||
        !strings(o.if_contains("Layers"), e.layers)) {
      return bad();
    }
    out.push_back(std::move(e));
  }
  return out;
}

Result<const ArchiveEntry*> select(const std::vector<ArchiveEntry>& entries,
                                   std::string_view selector) {
  if (selector.empty()) {
    if (entries.size() == 1) return &entries.front();
    if (entries.empty()) return fail(ErrorCode::kNotFound, "the archive holds no image");
    return fail(ErrorCode::kInvalidArgument,
                "the archive holds " + std::to_string(entries.size()) +
                    " images: name one as docker-archive:FILE:REPO:TAG or docker-archive:FILE:@N");
  }
  if (selector.starts_with('@')) {
    std::string_view digits = selector.substr(1);
    size_t index = 0;
    if (digits.empty() || digits.size() > 9 ||
        digits.find_first_not_of("0123456789") != std::string_view::npos) {
      return fail(ErrorCode::kInvalidArgument, "docker-archive: @INDEX is not a number");
    }
    index = std::stoul(std::string(digits));
    if (index >= entries.size()) {
      return fail(ErrorCode::kNotFound, "the archive has no image @" + std::string(digits));
    }
    return &entries[index];
  }
  for (const ArchiveEntry& e : entries) {
    for (const std::string& tag : e.repo_tags) {
      if (short_name(tag) == short_name(selector)) return &e;
    }
  }
  return fail(ErrorCode::kNotFound, "no image tagged " + quote_untrusted(selector) + " in the archive");
}

// A `docker save` image: there is no manifest, so the Image has no manifest digest.
Result<Image> legacy_image(std::shared_ptr<TarFiles> files, const ArchiveEntry& entry,
                           const std::string& name, std::string_view platform) {
  BULWARK_ASSIGN_OR_RETURN(std::string config_bytes, files->read(entry.config, source::kMaxConfigBytes));
  Image image;
  image.name = name;
  // The config's member name ("HEX.json", "blobs/sha256/HEX") is its digest: hold it to that.
  std::string hex = entry.config;
  if (hex.starts_with("blobs/sha256/")) {
    hex = hex.substr(13);
  } else if (hex.ends_with(".json")) {
    hex.resize(hex.size() - 5);
  }
  if (auto named = Digest::parse("sha256:" + hex)) {
    BULWARK_TRY_VOID(source::verify_digest(config_bytes, *named, "the archive's config"));
  }
  Digest config_digest = Digest::of(config_bytes);
  image.config_digest = config_digest.str();
  auto config = source::parse_image_config(config_bytes);
  if (!config) return fail(config.error().code, "the archive's config: " + config.error().message);
  std::vector<std::string> members;
  for (const std::string& layer : entry.layers) {
    BULWARK_ASSIGN_OR_RETURN(auto found, files->resolve(layer));
    image.layers.push_back(LayerInfo{"", "", found.second.size, ""});
    image.layer_media_types.emplace_back(
        layer.ends_with(".gz") || layer.ends_with(".tgz") ? kGzipLayer : kUncompressedLayer);
    members.push_back(found.first);
  }
  BULWARK_TRY_VOID(source::apply_config(*config, image));
  for (size_t i = 0; i < image.layers.size(); ++i) {
    LayerInfo& layer = image.layers[i];
    layer.digest = digest_from_name(entry.layers[i], layer.diff_id);
    if (layer.digest.empty()) layer.digest = digest_from_name(members[i], layer.diff_id);
  }
  BULWARK_TRY_VOID(source::check_platform(platform, image.platform));
  image.open_layer = [files, members](size_t index) -> Result<std::unique_ptr<ByteStream>> {
    if (index >= members.size()) return fail(ErrorCode::kOutOfRange, "no such layer");
    return files->open(members[index]);
  };
  return image;
}

}  // namespace

Result<std::vector<Image>> open_docker_archive_images(std::string_view rest,
                                                      const std::string& name,
                                                      const SourceOptions& options) {
  // As skopeo splits it: the file ends at the first ':'; the rest picks an image.
  size_t colon = rest.find(':');
  std::string file(rest.substr(0, colon));
  std::string_view selector = colon == std::string_view::npos ? "" : rest.substr(colon + 1);
  if (file.empty()) return fail(ErrorCode::kInvalidArgument, "docker-archive: reference without a file");
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return fail(ErrorCode::kNotFound, "no archive file at " + quote_untrusted(file));
  }
  BULWARK_ASSIGN_OR_RETURN(std::shared_ptr<TarFiles> files, TarFiles::open_archive(file));
  if (files->has("manifest.json")) {
    BULWARK_ASSIGN_OR_RETURN(std::string manifest, files->read("manifest.json", source::kMaxManifestBytes));
    BULWARK_ASSIGN_OR_RETURN(std::vector<ArchiveEntry> entries, parse_archive_manifest(manifest));
    BULWARK_ASSIGN_OR_RETURN(const ArchiveEntry* entry, select(entries, selector));
    BULWARK_ASSIGN_OR_RETURN(Image image, legacy_image(files, *entry, name, options.platform));
    std::vector<Image> out;
    out.push_back(std::move(image));
    return out;
  }
  if (files->has("index.json")) {
    if (selector.starts_with('@')) {
      return fail(ErrorCode::kInvalidArgument, "@INDEX needs an archive with manifest.json");
    }
    return source::open_layout(files, selector, name, options.platform);
  }
  return fail(ErrorCode::kInvalidArgument,
              "the archive has neither manifest.json nor index.json: not a docker-archive");
}

}  // namespace bulwark::scan
