// Test helpers for the image sources: an OCI layout builder (gzip'd tar layers made with
// libarchive, configs with history, manifests, indexes), reading a whole ByteStream, and running a
// command. Tests only; single-threaded.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "common/digest.h"
#include "scan/source/image.h"

namespace bulwark::scan::testing {

namespace json = boost::json;

inline std::string read_all(ByteStream& stream) {
  std::string out;
  char buf[7000];  // odd size: exercises partial reads
  while (true) {
    auto n = stream.read(std::span<char>(buf, sizeof buf));
    if (!n) {
      ADD_FAILURE() << "read failed: " << n.error().message;
      return out;
    }
    if (*n == 0) return out;
    out.append(buf, *n);
  }
}

// Runs a shell command line; returns its exit status (output goes to the test's log).
inline int run(const std::string& command) {
  int rc = std::system(command.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

inline std::string quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline std::string source_dir() {
  const char* dir = std::getenv("BULWARK_SOURCE_DIR");
  return dir ? dir : "";
}

struct Blob {
  std::string media_type;
  Digest digest;
  size_t size = 0;
  json::object descriptor() const {
    return {{"mediaType", media_type}, {"digest", digest.str()}, {"size", size}};
  }
};

struct BuiltLayer {
  Blob blob;
  std::string diff_id;
};

struct BuiltImage {
  Blob manifest;
  Blob config;
  std::vector<BuiltLayer> layers;
};

// Writes an OCI image layout into `dir`.
class LayoutBuilder {
 public:
  explicit LayoutBuilder(std::string dir) : dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_ + "/blobs/sha256");
    std::ofstream(dir_ + "/oci-layout") << R"({"imageLayoutVersion":"1.0.0"})";
    write_index();
  }

  Blob put(std::string_view bytes, std::string media_type) {
    Digest d = Digest::of(bytes);
    std::ofstream(dir_ + "/blobs/sha256/" + d.hex(), std::ios::binary) << bytes;
    return Blob{std::move(media_type), d, bytes.size()};
  }

  // A gzip'd tar of `files` (path -> content).
  BuiltLayer layer(const std::map<std::string, std::string>& files) {
    std::string tar = make_tar(files, false);
    std::string gz = make_tar(files, true);
    return BuiltLayer{put(gz, "application/vnd.oci.image.layer.v1.tar+gzip"),
                      Digest::of(tar).str()};
  }

  // An image of `layers` (each a file map); `history` entries are {created_by, empty_layer}.
  BuiltImage image(const std::string& arch, const std::string& variant,
                   const std::vector<std::map<std::string, std::string>>& layers,
                   const std::vector<std::pair<std::string, bool>>& history) {
    BuiltImage out;
    json::array diff_ids, hist, layer_descs;
    for (const auto& files : layers) {
      out.layers.push_back(layer(files));
      diff_ids.push_back(json::string(out.layers.back().diff_id));
      layer_descs.push_back(out.layers.back().blob.descriptor());
    }
    for (const auto& [created_by, empty] : history) {
      json::object h{{"created", "2024-01-01T00:00:00Z"}, {"created_by", created_by}};
      if (empty) h["empty_layer"] = true;
      hist.push_back(h);
    }
    json::object config{{"created", "2024-02-03T04:05:06Z"},
                        {"architecture", arch},
                        {"os", "linux"},
                        {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}},
                        {"history", hist}};
    if (!variant.empty()) config["variant"] = variant;
    out.config = put(json::serialize(config), "application/vnd.oci.image.config.v1+json");
    json::object manifest{{"schemaVersion", 2},
                          {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                          {"config", out.config.descriptor()},
                          {"layers", layer_descs}};
    out.manifest = put(json::serialize(manifest), "application/vnd.oci.image.manifest.v1+json");
    return out;
  }

  // An index of `entries` (manifest, platform object or null).
  Blob index(const std::vector<std::pair<Blob, json::value>>& entries) {
    json::array manifests;
    for (const auto& [blob, platform] : entries) {
      json::object d = blob.descriptor();
      if (!platform.is_null()) d["platform"] = platform;
      manifests.push_back(d);
    }
    json::object index{{"schemaVersion", 2},
                       {"mediaType", "application/vnd.oci.image.index.v1+json"},
                       {"manifests", manifests}};
    return put(json::serialize(index), "application/vnd.oci.image.index.v1+json");
  }

  void tag(const Blob& blob, const std::string& name) {
    json::object d = blob.descriptor();
    d["annotations"] = json::object{{"org.opencontainers.image.ref.name", name}};
    tags_.push_back(d);
    write_index();
  }

  const std::string& dir() const { return dir_; }

 private:
  static std::string make_tar(const std::map<std::string, std::string>& files, bool gzip) {
    archive* a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    if (gzip) {
      archive_write_add_filter_gzip(a);
      archive_write_set_filter_option(a, "gzip", "timestamp", nullptr);  // reproducible
    }
    archive_write_set_bytes_in_last_block(a, 1);
    size_t total = 0;
    for (const auto& [path, content] : files) total += content.size() + 2048;
    std::vector<char> buffer(total + total / 8 + (1 << 20));
    size_t used = 0;
    archive_write_open_memory(a, buffer.data(), buffer.size(), &used);
    for (const auto& [path, content] : files) {
      archive_entry* e = archive_entry_new();
      archive_entry_set_pathname(e, path.c_str());
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_perm(e, 0644);
      archive_entry_set_size(e, static_cast<la_int64_t>(content.size()));
      archive_entry_set_mtime(e, 1700000000, 0);
      archive_write_header(a, e);
      archive_write_data(a, content.data(), content.size());
      archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
    return std::string(buffer.data(), used);
  }

  void write_index() {
    json::object index{{"schemaVersion", 2}, {"manifests", tags_}};
    std::ofstream(dir_ + "/index.json") << json::serialize(index);
  }

  std::string dir_;
  json::array tags_;
};

inline json::value platform(const std::string& os, const std::string& arch,
                            const std::string& variant = "") {
  json::object p{{"os", os}, {"architecture", arch}};
  if (!variant.empty()) p["variant"] = variant;
  return p;
}

}  // namespace bulwark::scan::testing
