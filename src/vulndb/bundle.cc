// Feed bundles: download, digest check, safe unpacking, import (bundle.h).
#include "vulndb/bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "common/digest.h"
#include "common/http_client.h"
#include "common/log.h"
#include "common/strict_json.h"

namespace bulwark::vulndb {
namespace {

namespace fs = std::filesystem;

// A fresh private directory (mkdtemp, mode 0700) inside `within`, removed with its contents on
// destruction. One owner.
class ScratchDir {
 public:
  static Result<std::unique_ptr<ScratchDir>> create(const fs::path& within) {
    std::string tmpl = (within / ".bulwark-import-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
      return fail(ErrorCode::kIo, "cannot create a scratch directory in " + within.string() +
                                      ": " + std::strerror(errno));
    }
    return std::unique_ptr<ScratchDir>(new ScratchDir(tmpl));
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
    if (ec) {
      log_event(LogLevel::kWarn, "cannot remove a bundle's scratch directory",
                {{"path", path_.string()}, {"error", ec.message()}});
    }
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  explicit ScratchDir(fs::path path) : path_(std::move(path)) {}
  fs::path path_;
};

// The URL as it may be shown and recorded: without user info, query or fragment (where
// credentials and signed-URL tokens travel).
std::string displayable_url(const boost::urls::url_view& url) {
  boost::urls::url shown(url);
  shown.remove_userinfo();
  shown.remove_query();
  shown.remove_fragment();
  return std::string(shown.buffer());
}

// "sha256:ABC..." or "abc..." -> lowercase hex, or nullopt when not 64 hex digits.
std::optional<std::string> parse_sha256(std::string text) {
  if (text.starts_with("sha256:")) text.erase(0, 7);
  if (text.size() != 64) return std::nullopt;
  for (char& c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return text;
}

// Downloads the bundle into `file`; the SHA-256 of what arrived. `shown_url` names it in errors.
Result<std::string> download(const BundleSource& source, const std::string& shown_url,
                             const fs::path& file) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!out) return fail(ErrorCode::kIo, "cannot write " + file.string());
  Hasher hasher;
  HttpClientRequest request;
  request.url = source.url;
  request.timeout_seconds = kFetchStallSeconds;
  request.max_response_bytes = kMaxBundleBytes;
  request.ca_file = source.ca_file;
  request.tls_verify = source.tls_verify;
  HttpBodySink sink = [&](const HttpClientResponse& head, std::string_view chunk) {
    if (head.status != 200) return true;  // the body of an error answer is not kept
    hasher.update(chunk);
    out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    return out.good();
  };
  auto response = http_fetch_stream(request, sink);
  out.close();
  if (!response) {
    if (response.error().code == ErrorCode::kTooLarge) {
      return fail(ErrorCode::kTooLarge, shown_url + ": the bundle is larger than " +
                                            std::to_string(kMaxBundleBytes >> 20) + " MiB");
    }
    if (!out) return fail(ErrorCode::kIo, "cannot write " + file.string());
    return fail(std::move(response.error()));
  }
  if (response->status != 200) {
    return fail(ErrorCode::kUnavailable,
                "GET " + shown_url + " answered HTTP " + std::to_string(response->status));
  }
  if (!out) return fail(ErrorCode::kIo, "cannot write " + file.string());
  return hasher.finish().hex();
}

// A relative path inside the bundle, or nullopt when the name is absolute or climbs out with
// "..". "./a//b/" -> "a/b"; "." -> "".
std::optional<fs::path> safe_relative(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.size() > kMaxBundleEntryPath) return std::nullopt;
  fs::path out;
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view part = name.substr(start, end - start);
    if (part == "..") return std::nullopt;
    if (!part.empty() && part != ".") out /= std::string(part);
    start = end + 1;
  }
  return out;
}

// Whether any existing ancestor of `root/relative` (below root) is a symbolic link: writing
// through one could land outside the scratch directory.
bool through_symlink(const fs::path& root, const fs::path& relative) {
  fs::path at = root;
  for (const auto& part : relative.parent_path()) {
    at /= part;
    std::error_code ec;
    if (fs::is_symlink(fs::symlink_status(at, ec))) return true;
  }
  return false;
}

// The name a single (not archived) feed file is saved under, so that importers recognize it by
// its extension: `file_name` without a compression suffix when it is a plain file name, else
// "feed"; plus an extension guessed from the first bytes when it has none.
std::string single_feed_name(std::string_view file_name, bool compressed, std::string_view head) {
  std::string name(file_name);
  bool plain = !name.empty() && name.front() != '.' &&
               std::all_of(name.begin(), name.end(), [](char c) {
                 return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
                        c == '-';
               });
  if (!plain) name = "feed";
  if (compressed) {
    for (std::string_view suffix : {".gz", ".zst", ".zstd", ".xz"}) {
      if (name.size() > suffix.size() && name.ends_with(suffix)) {
        name.resize(name.size() - suffix.size());
        break;
      }
    }
  }
  if (fs::path(name).extension().empty()) {
    size_t first = head.find_first_not_of(" \t\r\n");
    char c = first == std::string_view::npos ? '\0' : head[first];
    if (c == '{' || c == '[') {
      name += ".json";
    } else if (head.starts_with("#model_version") || head.starts_with("cve,") ||
               head.starts_with("CVE-")) {
      name += ".csv";
    } else {
      name += ".yaml";
    }
  }
  return name;
}

// Unpacks libarchive's reader `a` (tar or raw) into `into`; the top-level paths to import.
class Unpacker {
 public:
  Unpacker(struct archive* a, fs::path into, std::string_view file_name)
      : a_(a), into_(std::move(into)), file_name_(file_name) {}

  Result<std::vector<fs::path>> run() {
    struct archive_entry* entry = nullptr;
    int rc = archive_read_next_header(a_, &entry);
    if (rc < ARCHIVE_WARN) return fail(archive_error("not a readable archive or feed file"));
    if (rc == ARCHIVE_EOF) return fail(ErrorCode::kInvalidArgument, "the bundle is empty");
    if (archive_format(a_) == ARCHIVE_FORMAT_RAW) return single_file();
    for (; rc != ARCHIVE_EOF; rc = archive_read_next_header(a_, &entry)) {
      if (rc < ARCHIVE_WARN) return fail(archive_error("reading an entry"));
      if (++entries_ > kMaxBundleEntries) {
        return fail(ErrorCode::kTooLarge, "the bundle has more than " +
                                              std::to_string(kMaxBundleEntries) + " entries");
      }
      BULWARK_TRY_VOID(unpack_entry(entry));
    }
    std::vector<fs::path> top;
    std::error_code ec;
    for (fs::directory_iterator it(into_, ec), end; !ec && it != end; it.increment(ec)) {
      top.push_back(it->path());
    }
    if (ec) return fail(ErrorCode::kIo, "cannot list " + into_.string() + ": " + ec.message());
    std::sort(top.begin(), top.end());
    if (top.empty()) return fail(ErrorCode::kInvalidArgument, "the bundle holds no feeds");
    return top;
  }

 private:
  Error archive_error(std::string_view what) const {
    const char* message = archive_error_string(a_);
    return Error{ErrorCode::kInvalidArgument,
                 "bundle: " + std::string(what) + (message != nullptr ? ": " + std::string(message) : "")};
  }

  Error refuse(std::string_view name, std::string_view why) const {
    return Error{ErrorCode::kInvalidArgument,
                 "refusing the bundle: entry " + quote_untrusted(name) + " " + std::string(why)};
  }

  Result<std::vector<fs::path>> single_file() {
    // The first block names the file (single_feed_name looks at its first bytes).
    std::string head;
    fs::path file;
    int fd = -1;
    uint64_t written = 0;
    for (;;) {
      const void* block = nullptr;
      size_t size = 0;
      la_int64_t offset = 0;
      int rc = archive_read_data_block(a_, &block, &size, &offset);
      if (rc == ARCHIVE_EOF) break;
      if (rc < ARCHIVE_WARN) {
        if (fd >= 0) ::close(fd);
        return fail(archive_error("reading the feed file"));
      }
      std::string_view data(static_cast<const char*>(block), size);
      if (fd < 0) {
        head.append(data.substr(0, 256));
        bool compressed = archive_filter_count(a_) > 1;
        file = into_ / single_feed_name(file_name_, compressed, head);
        fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0) return fail(ErrorCode::kIo, "cannot write " + file.string());
      }
      written += size;
      if (written > kMaxUnpackedBytes) {
        ::close(fd);
        return fail(ErrorCode::kTooLarge, "the feed file unpacks to more than " +
                                              std::to_string(kMaxUnpackedBytes >> 20) + " MiB");
      }
      if (!write_all(fd, data)) {
        ::close(fd);
        return fail(ErrorCode::kIo, "cannot write " + file.string());
      }
    }
    if (fd < 0) return fail(ErrorCode::kInvalidArgument, "the bundle is empty");
    if (::close(fd) != 0) return fail(ErrorCode::kIo, "cannot write " + file.string());
    return std::vector<fs::path>{file};
  }

  static bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::write(fd, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  Result<void> unpack_entry(struct archive_entry* entry) {
    const char* raw_name = archive_entry_pathname(entry);
    std::string_view name = raw_name != nullptr ? raw_name : "";
    auto relative = safe_relative(name);
    if (!relative) return fail(refuse(name, "is an absolute path or climbs out with \"..\""));
    if (relative->empty()) return ok();  // the archive's root directory
    if (through_symlink(into_, *relative)) return fail(refuse(name, "lies beyond a symbolic link"));
    const fs::path target = into_ / *relative;
    std::error_code ec;
    const bool exists = fs::exists(fs::symlink_status(target, ec));
    const mode_t type = archive_entry_filetype(entry);

    if (type == AE_IFDIR) {
      if (exists && !fs::is_directory(fs::symlink_status(target, ec))) {
        return fail(refuse(name, "is a directory and a file"));
      }
      fs::create_directories(target, ec);
      if (ec) return fail(ErrorCode::kIo, "cannot create " + target.string() + ": " + ec.message());
      return ok();
    }
    if (exists) return fail(refuse(name, "appears twice"));
    fs::create_directories(target.parent_path(), ec);
    if (ec) return fail(ErrorCode::kIo, "cannot create " + target.parent_path().string());

    if (const char* hardlink = archive_entry_hardlink(entry); hardlink != nullptr) {
      auto source = safe_relative(hardlink);
      if (!source || source->empty() || through_symlink(into_, *source) ||
          !fs::is_regular_file(fs::symlink_status(into_ / *source, ec))) {
        return fail(refuse(name, "is a hard link to something outside the bundle's files"));
      }
      fs::create_hard_link(into_ / *source, target, ec);
      if (ec) return fail(ErrorCode::kIo, "cannot link " + target.string() + ": " + ec.message());
      return ok();
    }
    if (type == AE_IFLNK) {
      const char* link = archive_entry_symlink(entry);
      std::string_view to = link != nullptr ? link : "";
      auto resolved = to.empty() || to.front() == '/'
                          ? std::nullopt
                          : safe_relative((relative->parent_path() / std::string(to))
                                              .lexically_normal()
                                              .string());
      if (!resolved) return fail(refuse(name, "is a symbolic link pointing outside the bundle"));
      fs::create_symlink(std::string(to), target, ec);
      if (ec) return fail(ErrorCode::kIo, "cannot link " + target.string() + ": " + ec.message());
      return ok();
    }
    if (type != AE_IFREG) return fail(refuse(name, "is a device, FIFO or socket"));

    int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) return fail(ErrorCode::kIo, "cannot write " + target.string());
    Result<void> result = ok();
    for (;;) {
      const void* block = nullptr;
      size_t size = 0;
      la_int64_t offset = 0;
      int rc = archive_read_data_block(a_, &block, &size, &offset);
      if (rc == ARCHIVE_EOF) break;
      if (rc < ARCHIVE_WARN || offset < 0) {
        result = fail(archive_error("reading " + quote_untrusted(name)));
        break;
      }
      unpacked_ += size;
      if (unpacked_ > kMaxUnpackedBytes) {
        result = fail(ErrorCode::kTooLarge, "the bundle unpacks to more than " +
                                                std::to_string(kMaxUnpackedBytes >> 20) + " MiB");
        break;
      }
      const char* data = static_cast<const char*>(block);
      size_t done = 0;
      while (done < size) {
        ssize_t n = ::pwrite(fd, data + done, size - done, offset + static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        done += static_cast<size_t>(n);
      }
      if (done != size) {
        result = fail(ErrorCode::kIo, "cannot write " + target.string());
        break;
      }
    }
    if (::close(fd) != 0 && result) result = fail(ErrorCode::kIo, "cannot write " + target.string());
    return result;
  }

  struct archive* a_;
  fs::path into_;
  std::string file_name_;
  uint64_t entries_ = 0;
  uint64_t unpacked_ = 0;
};

}  // namespace

Result<std::vector<fs::path>> unpack_bundle(const fs::path& archive, const fs::path& into,
                                            std::string_view file_name) {
  std::unique_ptr<struct archive, int (*)(struct archive*)> a(archive_read_new(),
                                                               archive_read_free);
  if (!a) return fail(ErrorCode::kUnavailable, "out of memory");
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_zstd(a.get());
  archive_read_support_filter_xz(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_raw(a.get());  // a single feed file, compressed or not
  if (archive_read_open_filename(a.get(), archive.c_str(), 64 * 1024) != ARCHIVE_OK) {
    const char* message = archive_error_string(a.get());
    return fail(ErrorCode::kInvalidArgument,
                "bundle: cannot open: " + std::string(message != nullptr ? message : "unknown"));
  }
  std::error_code ec;
  if (!fs::create_directory(into, ec) || ec) {
    return fail(ErrorCode::kIo, "cannot create " + into.string() + ": " +
                                    (ec ? ec.message() : std::string("it exists")));
  }
  return Unpacker(a.get(), into, file_name).run();
}

Result<void> check_bundle_source(const BundleSource& source) {
  auto url = boost::urls::parse_absolute_uri(source.url);
  if (!url || (url->scheme() != "http" && url->scheme() != "https")) {
    return fail(ErrorCode::kInvalidArgument, "the bundle URL must be an http:// or https:// URL");
  }
  if (!source.sha256.empty() && !parse_sha256(source.sha256)) {
    return fail(ErrorCode::kInvalidArgument,
                "the bundle's expected sha256 must be 64 hexadecimal digits");
  }
  return ok();
}

Result<ImportSummary> import_bundle(VulnDb& db, const BundleSource& source,
                                    const fs::path& work_dir) {
  BULWARK_TRY_VOID(check_bundle_source(source));
  const boost::urls::url_view url = *boost::urls::parse_absolute_uri(source.url);
  std::optional<std::string> expected;
  if (!source.sha256.empty()) expected = parse_sha256(source.sha256);
  std::string file_name;
  if (auto segments = url.segments(); !segments.empty()) file_name = segments.back();

  const std::string shown = displayable_url(url);
  auto scratch = ScratchDir::create(work_dir);
  if (!scratch) return fail(std::move(scratch.error()));
  const fs::path bundle = (*scratch)->path() / "bundle";
  auto digest = download(source, shown, bundle);
  if (!digest) return fail(std::move(digest.error()));
  if (expected && *digest != *expected) {
    return fail(ErrorCode::kDigestMismatch, "refusing the bundle from " + shown +
                                                 ": its sha256 is " + *digest + ", expected " +
                                                 *expected);
  }
  auto feeds = unpack_bundle(bundle, (*scratch)->path() / "feeds", file_name);
  if (!feeds) return fail(std::move(feeds.error()));
  std::error_code ec;
  fs::remove(bundle, ec);  // early: the import may need the space; the scratch dir goes anyway
  return db.import(*feeds, shown);
}

}  // namespace bulwark::vulndb
