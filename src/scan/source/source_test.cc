// Image sources without a registry: reference parsing, challenges, platforms, configs, OCI layouts
// (built here and by tests/make-oci-layout.sh), docker-archive tars written by real `skopeo copy`,
// and images stored in Bulwark's own stores.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/temp_dir.h"
#include "metadata/sqlite/sqlite_metadata_store.h"
#include "scan/source/internal.h"
#include "scan/source/stored.h"
#include "scan/source/test_layout.h"
#include "storage/mem/mem_blob_store.h"

namespace bulwark::scan {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using testing::BuiltImage;
using testing::LayoutBuilder;
using testing::platform;
using testing::quote;
using testing::read_all;
using testing::run;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string gunzip(const std::string& gz) {
  archive* a = archive_read_new();
  archive_read_support_filter_gzip(a);
  archive_read_support_format_raw(a);
  archive_read_open_memory(a, gz.data(), gz.size());
  archive_entry* e = nullptr;
  std::string out;
  if (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    char buf[8192];
    la_ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  }
  archive_read_free(a);
  return out;
}

// Every layer streams bytes hashing to its digest (and, for gzip, unpacking to its diff_id).
void expect_layers_verify(const Image& image) {
  ASSERT_TRUE(image.open_layer);
  for (size_t i = 0; i < image.layers.size(); ++i) {
    auto stream = image.open_layer(i);
    ASSERT_TRUE(stream) << stream.error().message;
    std::string bytes = read_all(**stream);
    EXPECT_EQ(bytes.size(), image.layers[i].size);
    if (!image.layers[i].digest.empty()) {
      EXPECT_EQ(Digest::of(bytes).str(), image.layers[i].digest);
    }
    std::string tar = image.layer_media_types[i].ends_with("gzip") ? gunzip(bytes) : bytes;
    EXPECT_EQ(Digest::of(tar).str(), image.layers[i].diff_id);
  }
}

std::vector<std::string> platforms_of(const std::vector<Image>& images) {
  std::vector<std::string> out;
  for (const Image& i : images) out.push_back(i.platform);
  return out;
}

// ---- pure helpers

TEST(Platforms, VariantMatching) {
  auto want = [](std::string_view s) { return *source::parse_platform(s); };
  EXPECT_TRUE(source::platform_matches(want("linux/arm64"), want("linux/arm64/v8")));
  EXPECT_TRUE(source::platform_matches(want("linux/arm64/v8"), want("linux/arm64/v8")));
  EXPECT_TRUE(source::platform_matches(want("linux/arm64/v8"), want("linux/arm64")));
  EXPECT_FALSE(source::platform_matches(want("linux/arm/v6"), want("linux/arm/v7")));
  EXPECT_FALSE(source::platform_matches(want("linux/arm/v7"), want("linux/arm")));
  EXPECT_FALSE(source::platform_matches(want("linux/amd64"), want("windows/amd64")));
  EXPECT_FALSE(source::parse_platform("linux"));
  EXPECT_FALSE(source::parse_platform("linux//v7"));
  EXPECT_FALSE(source::parse_platform("a/b/c/d"));
}

TEST(ImageConfigs, HistorySkipsEmptyLayers) {
  auto config = source::parse_image_config(R"({
    "created": "2024-01-01T00:00:00Z", "os": "linux", "architecture": "arm", "variant": "v7",
    "rootfs": {"type": "layers", "diff_ids": [")" + Digest::of("a").str() + R"(", ")" +
                                            Digest::of("b").str() + R"("]},
    "history": [{"created_by": "ADD file"}, {"created_by": "ENV X=1", "empty_layer": true},
                {"created_by": "RUN make"}]})");
  ASSERT_TRUE(config) << config.error().message;
  Image image;
  image.layers.resize(2);
  ASSERT_TRUE(source::apply_config(*config, image));
  EXPECT_EQ(image.platform, "linux/arm/v7");
  EXPECT_EQ(image.created, "2024-01-01T00:00:00Z");
  EXPECT_EQ(image.layers[0].created_by, "ADD file");
  EXPECT_EQ(image.layers[1].created_by, "RUN make");
  EXPECT_EQ(image.layers[1].diff_id, Digest::of("b").str());
  image.layers.resize(3);
  auto mismatch = source::apply_config(*config, image);
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error().code, ErrorCode::kCorrupt);
  EXPECT_FALSE(source::parse_image_config(R"({"os": 1})"));
  EXPECT_FALSE(source::parse_image_config(R"({"os": "linux", "os": "windows"})"));
}

TEST(OpenImages, RejectsUnknownTransportsAndBadPlatforms) {
  auto r = open_images("containers-storage:foo", {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  r = open_images("ftp://host/x", {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  SourceOptions options;
  options.platform = "linux";
  r = open_images("oci:/nonexistent", options);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  r = open_images("", {});
  ASSERT_FALSE(r);
}

// ---- OCI layouts

// A layout with a multi-platform index ("multi": amd64, arm64/v8, arm/v7, an attestation and an
// artifact) and a single image ("single").
class LayoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    amd64_ = builder_.image("amd64", "", {{{"etc/os-release", "ID=test\n"}}, {{"bin/app", "amd64"}}},
                            {{"ADD rootfs", false}, {"ENV A=1", true}, {"COPY app", false}});
    arm64_ = builder_.image("arm64", "v8", {{{"etc/os-release", "ID=test\n"}}}, {{"ADD rootfs", false}});
    arm_ = builder_.image("arm", "v7", {{{"etc/arm", "7"}}}, {});
    testing::Blob attestation =
        builder_.put(R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
                     R"("config":)" + json::serialize(arm_.config.descriptor()) +
                         R"(,"layers":[]})",
                     "application/vnd.oci.image.manifest.v1+json");
    testing::Blob empty = builder_.put("{}", "application/vnd.oci.empty.v1+json");
    testing::Blob artifact = builder_.put(
        R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
        R"("artifactType":"application/example","config":)" + json::serialize(empty.descriptor()) +
            R"(,"layers":[]})",
        "application/vnd.oci.image.manifest.v1+json");
    index_ = builder_.index({{amd64_.manifest, platform("linux", "amd64")},
                             {arm64_.manifest, platform("linux", "arm64", "v8")},
                             {arm_.manifest, platform("linux", "arm", "v7")},
                             {attestation, platform("unknown", "unknown")},
                             {artifact, nullptr}});
    builder_.tag(index_, "multi");
    builder_.tag(amd64_.manifest, "single");
  }

  Result<std::vector<Image>> open(const std::string& ref, const std::string& platform = "") {
    SourceOptions options;
    options.platform = platform;
    return open_images(ref, options);
  }

  TempDir dir_{"bulwark-scan-layout"};
  LayoutBuilder builder_{dir_.path() + "/layout"};
  BuiltImage amd64_, arm64_, arm_;
  testing::Blob index_;
};

TEST_F(LayoutTest, IndexExpandsToPlatformImages) {
  std::string ref = "oci:" + builder_.dir() + ":multi";
  auto images = open(ref);
  ASSERT_TRUE(images) << images.error().message;
  EXPECT_THAT(platforms_of(*images), ElementsAre("linux/amd64", "linux/arm64/v8", "linux/arm/v7"));
  const Image& amd64 = (*images)[0];
  EXPECT_EQ(amd64.name, ref);
  EXPECT_EQ(amd64.manifest_digest, amd64_.manifest.digest.str());
  EXPECT_EQ(amd64.config_digest, amd64_.config.digest.str());
  EXPECT_EQ(amd64.created, "2024-02-03T04:05:06Z");
  ASSERT_EQ(amd64.layers.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(amd64.layers[i].digest, amd64_.layers[i].blob.digest.str());
    EXPECT_EQ(amd64.layers[i].diff_id, amd64_.layers[i].diff_id);
    EXPECT_EQ(amd64.layers[i].size, amd64_.layers[i].blob.size);
    EXPECT_EQ(amd64.layer_media_types[i], "application/vnd.oci.image.layer.v1.tar+gzip");
  }
  EXPECT_EQ(amd64.layers[0].created_by, "ADD rootfs");
  EXPECT_EQ(amd64.layers[1].created_by, "COPY app");
  for (const Image& image : *images) expect_layers_verify(image);
  // A layer may be opened again (the walker re-reads for hard links).
  auto again = amd64.open_layer(1);
  ASSERT_TRUE(again);
  EXPECT_EQ(Digest::of(read_all(**again)).str(), amd64_.layers[1].blob.digest.str());
}

TEST_F(LayoutTest, PlatformFilter) {
  std::string ref = "oci:" + builder_.dir() + ":multi";
  auto arm64 = open(ref, "linux/arm64");
  ASSERT_TRUE(arm64) << arm64.error().message;
  EXPECT_THAT(platforms_of(*arm64), ElementsAre("linux/arm64/v8"));
  arm64 = open(ref, "linux/arm64/v8");
  ASSERT_TRUE(arm64);
  EXPECT_THAT(platforms_of(*arm64), ElementsAre("linux/arm64/v8"));
  auto arm = open(ref, "linux/arm");
  ASSERT_TRUE(arm);
  EXPECT_THAT(platforms_of(*arm), ElementsAre("linux/arm/v7"));
  auto v6 = open(ref, "linux/arm/v6");
  ASSERT_FALSE(v6);
  EXPECT_EQ(v6.error().code, ErrorCode::kNotFound);
  // A single manifest is checked against its config's platform.
  auto single = open("oci:" + builder_.dir() + ":single", "linux/amd64");
  ASSERT_TRUE(single);
  auto wrong = open("oci:" + builder_.dir() + ":single", "linux/arm64");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::kNotFound);
}

TEST_F(LayoutTest, TagSelection) {
  auto missing = open("oci:" + builder_.dir() + ":nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  auto ambiguous = open("oci:" + builder_.dir());
  ASSERT_FALSE(ambiguous);
  EXPECT_EQ(ambiguous.error().code, ErrorCode::kInvalidArgument);
  auto no_dir = open("oci:" + dir_.path() + "/absent:x");
  ASSERT_FALSE(no_dir);
  EXPECT_EQ(no_dir.error().code, ErrorCode::kNotFound);
  // One entry and no tag: that one.
  LayoutBuilder one(dir_.path() + "/one");
  BuiltImage image = one.image("amd64", "", {{{"a", "b"}}}, {});
  one.tag(image.manifest, "only");
  auto only = open("oci:" + one.dir());
  ASSERT_TRUE(only) << only.error().message;
  ASSERT_EQ(only->size(), 1u);
  EXPECT_EQ(only->front().manifest_digest, image.manifest.digest.str());
}

TEST_F(LayoutTest, TamperedBlobsAreRefused) {
  // A config that no longer matches its digest.
  std::string config_path = builder_.dir() + "/blobs/sha256/" + amd64_.config.digest.hex();
  std::ofstream(config_path, std::ios::app) << " ";
  auto r = open("oci:" + builder_.dir() + ":single");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kDigestMismatch);
  // A manifest that does not match.
  std::string manifest_path = builder_.dir() + "/blobs/sha256/" + arm64_.manifest.digest.hex();
  std::ofstream(manifest_path, std::ios::app) << "\n";
  r = open("oci:" + builder_.dir() + ":multi", "linux/arm64");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kDigestMismatch);
}

TEST_F(LayoutTest, BlobsMayNotLeadOutsideTheLayout) {
  // The arm/v7 layer becomes a symbolic link to an identical file outside the layout.
  std::string blob = builder_.dir() + "/blobs/sha256/" + arm_.layers[0].blob.digest.hex();
  std::string outside = dir_.path() + "/outside";
  fs::copy_file(blob, outside);
  fs::remove(blob);
  fs::create_symlink(outside, blob);
  auto images = open("oci:" + builder_.dir() + ":multi", "linux/arm/v7");
  ASSERT_TRUE(images) << images.error().message;
  auto layer = images->front().open_layer(0);
  ASSERT_FALSE(layer);
  EXPECT_EQ(layer.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(layer.error().message, HasSubstr("outside"));
}

// ---- layouts and archives made by the repository's script and skopeo

class ToolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(testing::source_dir().empty()) << "BULWARK_SOURCE_DIR unset: run via ctest";
    script_ = testing::source_dir() + "/tests/make-oci-layout.sh";
    layout_ = dir_.path() + "/layout";
    ASSERT_EQ(run("bash " + quote(script_) + " image " + quote(layout_) + " app 3 amd64 5000 >/dev/null"), 0);
  }

  std::string skopeo_copy(const std::string& from, const std::string& to) {
    return "skopeo --insecure-policy copy -q " + quote(from) + " " + quote(to) + " >/dev/null";
  }

  TempDir dir_{"bulwark-scan-tools"};
  std::string script_, layout_;
};

TEST_F(ToolTest, ScriptLayoutReadsBack) {
  auto images = open_images("oci:" + layout_ + ":app", {});
  ASSERT_TRUE(images) << images.error().message;
  ASSERT_EQ(images->size(), 1u);
  const Image& image = images->front();
  EXPECT_EQ(image.platform, "linux/amd64");
  ASSERT_EQ(image.layers.size(), 3u);
  for (const LayerInfo& layer : image.layers) EXPECT_EQ(layer.created_by, "make-oci-layout.sh");
  expect_layers_verify(image);
}

TEST_F(ToolTest, DockerArchiveFromSkopeo) {
  auto oci = open_images("oci:" + layout_ + ":app", {});
  ASSERT_TRUE(oci);
  std::string tar = dir_.path() + "/app.tar";
  ASSERT_EQ(run(skopeo_copy("oci:" + layout_ + ":app", "docker-archive:" + tar + ":example/app:v1")), 0);

  for (std::string ref : {"docker-archive:" + tar, "docker-archive:" + tar + ":example/app:v1",
                          "docker-archive:" + tar + ":@0"}) {
    auto images = open_images(ref, {});
    ASSERT_TRUE(images) << ref << ": " << images.error().message;
    ASSERT_EQ(images->size(), 1u);
    const Image& image = images->front();
    EXPECT_EQ(image.name, ref);
    EXPECT_EQ(image.platform, "linux/amd64");
    EXPECT_EQ(image.config_digest, oci->front().config_digest);  // skopeo keeps the config
    ASSERT_EQ(image.layers.size(), 3u);
    for (size_t i = 0; i < 3; ++i) {
      // Uncompressed layers named by their diff_id: the digest is the diff_id.
      EXPECT_EQ(image.layers[i].diff_id, oci->front().layers[i].diff_id);
      EXPECT_EQ(image.layers[i].digest, image.layers[i].diff_id);
      EXPECT_EQ(image.layers[i].created_by, "make-oci-layout.sh");
    }
    expect_layers_verify(image);
  }
  auto other = open_images("docker-archive:" + tar + ":example/other:v1", {});
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kNotFound);
  SourceOptions arm64;
  arm64.platform = "linux/arm64";
  auto platform_miss = open_images("docker-archive:" + tar, arm64);
  ASSERT_FALSE(platform_miss);
  EXPECT_EQ(platform_miss.error().code, ErrorCode::kNotFound);
  auto absent = open_images("docker-archive:" + dir_.path() + "/absent.tar", {});
  ASSERT_FALSE(absent);
  EXPECT_EQ(absent.error().code, ErrorCode::kNotFound);
  auto not_tar = open_images("docker-archive:" + layout_ + "/index.json", {});
  ASSERT_FALSE(not_tar);
  EXPECT_EQ(not_tar.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(ToolTest, DockerArchiveWithMultipleImagesNeedsASelector) {
  ASSERT_EQ(run("bash " + quote(script_) + " image " + quote(layout_) + " second 1 arm64 >/dev/null"), 0);
  std::string tar = dir_.path() + "/two.tar";
  // `docker save a b` style: skopeo writes one archive holding two images.
  std::string a = dir_.path() + "/a.tar";
  ASSERT_EQ(run(skopeo_copy("oci:" + layout_ + ":app", "docker-archive:" + a + ":example/app:v1")), 0);
  ASSERT_EQ(run(skopeo_copy("oci:" + layout_ + ":second", "docker-archive:" + tar + ":example/second:v2")), 0);
  // Merge the two archives' manifest.json (and members) into one tar with jq and tar.
  std::string work = dir_.path() + "/merge";
  ASSERT_EQ(run("mkdir -p " + quote(work + "/a") + " " + quote(work + "/b") + " && tar -C " +
                quote(work + "/a") + " -xf " + quote(a) + " && tar -C " + quote(work + "/b") +
                " -xf " + quote(tar) + " && jq -s add " + quote(work + "/a/manifest.json") + " " +
                quote(work + "/b/manifest.json") + " > " + quote(work + "/manifest.json") +
                " && cp -n " + quote(work + "/a") + "/*.tar " + quote(work + "/a") + "/*.json " +
                quote(work + "/b") + "/ && cp " + quote(work + "/manifest.json") + " " +
                quote(work + "/b/manifest.json") + " && tar -C " + quote(work + "/b") + " -cf " +
                quote(dir_.path() + "/merged.tar") + " ."),
            0);
  std::string merged = "docker-archive:" + dir_.path() + "/merged.tar";
  auto ambiguous = open_images(merged, {});
  ASSERT_FALSE(ambiguous);
  EXPECT_EQ(ambiguous.error().code, ErrorCode::kInvalidArgument);
  auto second = open_images(merged + ":docker.io/example/second:v2", {});
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->front().platform, "linux/arm64");
  expect_layers_verify(second->front());
  auto first = open_images(merged + ":@0", {});
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->front().platform, "linux/amd64");
}

TEST_F(ToolTest, OciLayoutInsideATar) {
  std::string tar = dir_.path() + "/layout.tar";
  ASSERT_EQ(run("tar -C " + quote(layout_) + " -cf " + quote(tar) + " ."), 0);
  auto images = open_images("docker-archive:" + tar + ":app", {});
  ASSERT_TRUE(images) << images.error().message;
  ASSERT_EQ(images->size(), 1u);
  EXPECT_EQ(images->front().layer_media_types[0], "application/vnd.oci.image.layer.v1.tar+gzip");
  expect_layers_verify(images->front());
}

TEST_F(ToolTest, OldDockerSaveLayoutWithLinkedLayers) {
  // docker save (before 25) names layers "<v1 id>/layer.tar" and links repeated layers.
  auto oci = open_images("oci:" + layout_ + ":app", {});
  ASSERT_TRUE(oci);
  std::string work = dir_.path() + "/old";
  fs::create_directories(work);
  json::array layers;
  for (size_t i = 0; i < oci->front().layers.size(); ++i) {
    auto stream = oci->front().open_layer(i);
    ASSERT_TRUE(stream);
    std::string id = std::string(64, static_cast<char>('a' + i));
    fs::create_directories(work + "/" + id);
    std::ofstream(work + "/" + id + "/layer.tar", std::ios::binary) << gunzip(read_all(**stream));
    layers.push_back(json::string(id + "/layer.tar"));
  }
  // A fourth entry repeating the first layer through a symbolic link.
  std::string repeat = std::string(64, 'f');
  fs::create_directories(work + "/" + repeat);
  fs::create_symlink("../" + std::string(64, 'a') + "/layer.tar", work + "/" + repeat + "/layer.tar");
  layers.push_back(json::string(repeat + "/layer.tar"));
  // The config: the script's, with the first diff_id repeated at the end.
  std::string config_text;
  {
    std::ifstream in(layout_ + "/blobs/sha256/" + oci->front().config_digest.substr(7));
    std::stringstream s;
    s << in.rdbuf();
    config_text = s.str();
  }
  json::object c = json::parse(config_text).as_object();
  json::array& diff_ids = c["rootfs"].as_object()["diff_ids"].as_array();
  diff_ids.push_back(diff_ids[0]);
  std::string new_config = json::serialize(c);
  std::string config_name = Digest::of(new_config).hex() + ".json";
  std::ofstream(work + "/" + config_name) << new_config;
  json::array manifest{json::object{{"Config", config_name},
                                    {"RepoTags", json::array{"example/old:1"}},
                                    {"Layers", layers}}};
  std::ofstream(work + "/manifest.json") << json::serialize(manifest);
  std::string tar = dir_.path() + "/old.tar";
  ASSERT_EQ(run("tar -C " + quote(work) + " -cf " + quote(tar) + " ."), 0);

  auto images = open_images("docker-archive:" + tar, {});
  ASSERT_TRUE(images) << images.error().message;
  const Image& image = images->front();
  ASSERT_EQ(image.layers.size(), 4u);
  for (const LayerInfo& layer : image.layers) EXPECT_EQ(layer.digest, "");  // names reveal nothing
  EXPECT_EQ(image.layers[3].diff_id, image.layers[0].diff_id);
  EXPECT_EQ(image.config_digest, "sha256:" + config_name.substr(0, 64));
  expect_layers_verify(image);

  // A config whose name is not its digest is refused.
  fs::rename(work + "/" + config_name, work + "/" + std::string(64, '0') + ".json");
  manifest[0].as_object()["Config"] = std::string(64, '0') + ".json";
  std::ofstream(work + "/manifest.json") << json::serialize(manifest);
  ASSERT_EQ(run("tar -C " + quote(work) + " -cf " + quote(tar) + " ."), 0);
  auto bad = open_images("docker-archive:" + tar, {});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kDigestMismatch);
}

// ---- images stored in Bulwark

TEST(StoredImages, ReadsFromTheStores) {
  TempDir dir("bulwark-scan-stored");
  LayoutBuilder builder(dir.path() + "/layout");
  BuiltImage amd64 = builder.image("amd64", "", {{{"a", "1"}}, {{"b", "2"}}}, {{"one", false}, {"two", false}});
  BuiltImage arm64 = builder.image("arm64", "v8", {{{"c", "3"}}}, {{"three", false}});
  testing::Blob index = builder.index({{amd64.manifest, platform("linux", "amd64")},
                                       {arm64.manifest, platform("linux", "arm64", "v8")}});
  auto metadata = metadata::SqliteMetadataStore::open(dir.path() + "/meta.sqlite");
  ASSERT_TRUE(metadata) << metadata.error().message;
  storage::MemBlobStore blobs;
  const std::string repo = "team/app";
  auto read_blob = [&](const testing::Blob& b) {
    std::ifstream in(builder.dir() + "/blobs/sha256/" + b.digest.hex(), std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  auto put_image = [&](const BuiltImage& image) {
    std::vector<Digest> refs{image.config.digest};
    std::vector<testing::Blob> all{image.config};
    for (const auto& l : image.layers) {
      all.push_back(l.blob);
      refs.push_back(l.blob.digest);
    }
    for (const auto& b : all) {
      ASSERT_TRUE(blobs.put(b.digest, read_blob(b)));
      ASSERT_TRUE((*metadata)->link_blob(repo, b.digest, b.size));
    }
    metadata::ManifestPut put;
    put.repository = repo;
    put.digest = image.manifest.digest;
    put.media_type = image.manifest.media_type;
    put.content = read_blob(image.manifest);
    put.blobs = refs;
    auto stored = (*metadata)->put_manifest(put);
    ASSERT_TRUE(stored) << stored.error().message;
  };
  put_image(amd64);
  put_image(arm64);
  metadata::ManifestPut put;
  put.repository = repo;
  put.digest = index.digest;
  put.media_type = index.media_type;
  put.content = read_blob(index);
  put.manifests = {amd64.manifest.digest, arm64.manifest.digest};
  put.tag = "v1";
  ASSERT_TRUE((*metadata)->put_manifest(put));

  auto images = open_stored_images(blobs, **metadata, repo, index.digest, "");
  ASSERT_TRUE(images) << images.error().message;
  EXPECT_THAT(platforms_of(*images), ElementsAre("linux/amd64", "linux/arm64/v8"));
  EXPECT_EQ(images->front().name, repo + "@" + index.digest.str());
  EXPECT_EQ(images->front().layers[1].created_by, "two");
  for (const Image& image : *images) expect_layers_verify(image);

  auto arm = open_stored_images(blobs, **metadata, repo, index.digest, "linux/arm64");
  ASSERT_TRUE(arm);
  ASSERT_EQ(arm->size(), 1u);
  EXPECT_EQ(arm->front().manifest_digest, arm64.manifest.digest.str());

  auto single = open_stored_images(blobs, **metadata, repo, amd64.manifest.digest, "");
  ASSERT_TRUE(single);
  EXPECT_EQ(single->front().config_digest, amd64.config.digest.str());

  auto missing = open_stored_images(blobs, **metadata, repo, Digest::of("nothing"), "");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  auto other_repo = open_stored_images(blobs, **metadata, "team/other", index.digest, "");
  ASSERT_FALSE(other_repo);
  EXPECT_EQ(other_repo.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace bulwark::scan
