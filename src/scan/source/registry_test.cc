// docker:// against real registries: Debian's docker-registry (distribution), one anonymous and one
// behind htpasswd Basic auth, each on a free 127.0.0.1 port with its storage in a temp dir, filled
// with real `skopeo copy`. The registries are started once for the suite and killed at its end.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <cstring>

#include "common/http_client.h"
#include "common/temp_dir.h"
#include "scan/source/internal.h"
#include "scan/source/test_layout.h"

extern char** environ;

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

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return -1;
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

// One `docker-registry serve` child on a free port with its storage under `root`.
class Registry {
 public:
  // Starts it; `auth_yaml` is an extra top-level config section. "" on success, else why not.
  std::string start(const std::string& root, const std::string& auth_yaml = "") {
    port_ = free_port();
    if (port_ <= 0) return "no free port";
    storage_ = root + "/storage";
    fs::create_directories(storage_);
    std::string config = root + "/config.yml";
    std::ofstream(config) << "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n"
                          << "storage:\n  filesystem:\n    rootdirectory: " << storage_ << "\n"
                          << "http:\n  addr: 127.0.0.1:" << port_ << "\n  secret: scan-source-test\n"
                          << auth_yaml;
    log_ = root + "/registry.log";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::string program = "/usr/bin/docker-registry";
    std::vector<std::string> args = {program, "serve", config};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int rc = posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
      pid_ = -1;
      return "cannot start docker-registry: " + std::string(strerror(rc));
    }
    // Bounded wait until GET /v2/ answers (200, or 401 behind auth).
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (int attempt = 0;; ++attempt) {
      HttpClientRequest r;
      r.url = "http://" + host() + "/v2/";
      auto response = http_fetch(r);
      if (response && (response->status == 200 || response->status == 401)) return "";
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return "docker-registry exited; see " + log_;
      }
      if (std::chrono::steady_clock::now() > deadline) return "docker-registry did not answer";
      ::poll(nullptr, 0, 10 * std::min(attempt + 1, 10));  // back off while it starts
    }
  }

  ~Registry() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }

  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  const std::string& storage() const { return storage_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string storage_;
  std::string log_;
};

constexpr std::string_view kUser = "scanner";
constexpr std::string_view kPassword = "pa ss:word";

// Everything the suite shares: the registries and the images pushed into them.
struct Fixture {
  TempDir dir{"bulwark-scan-registry"};
  Registry anonymous;
  Registry authenticated;
  std::unique_ptr<LayoutBuilder> layout;
  BuiltImage amd64, arm64, big;
  testing::Blob index;
  std::string error;

  std::string skopeo_copy(const std::string& flags, const std::string& from, const std::string& to) {
    return "skopeo --insecure-policy copy -q --dest-tls-verify=false " + flags + " " + quote(from) +
           " " + quote(to) + " >/dev/null";
  }

  void set_up() {
    layout = std::make_unique<LayoutBuilder>(dir.path() + "/layout");
    amd64 = layout->image("amd64", "", {{{"etc/os-release", "ID=one\n"}}, {{"usr/bin/app", "x86"}}},
                          {{"ADD rootfs", false}, {"LABEL a=b", true}, {"COPY app", false}});
    arm64 = layout->image("arm64", "v8", {{{"etc/os-release", "ID=two\n"}}}, {{"ADD rootfs", false}});
    // An attestation manifest as buildx writes them (platform unknown/unknown).
    testing::Blob statement = layout->put(R"({"_type":"https://in-toto.io/Statement/v0.1"})",
                                          "application/vnd.in-toto+json");
    json::object attestation{{"schemaVersion", 2},
                             {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                             {"config", arm64.config.descriptor()},
                             {"layers", json::array{statement.descriptor()}}};
    testing::Blob att = layout->put(json::serialize(attestation),
                                    "application/vnd.oci.image.manifest.v1+json");
    index = layout->index({{amd64.manifest, platform("linux", "amd64")},
                           {arm64.manifest, platform("linux", "arm64", "v8")},
                           {att, platform("unknown", "unknown")}});
    layout->tag(index, "multi");
    layout->tag(amd64.manifest, "single");
    // 6 MiB of incompressible bytes: more than the stream's buffer.
    std::string random(6 << 20, '\0');
    std::mt19937_64 rng(42);
    for (size_t i = 0; i + 8 <= random.size(); i += 8) {
      uint64_t v = rng();
      std::memcpy(random.data() + i, &v, 8);
    }
    big = layout->image("amd64", "", {{{"big.bin", random}}}, {{"ADD big", false}});
    layout->tag(big.manifest, "big");

    if (std::string why = anonymous.start(dir.path() + "/anonymous"); !why.empty()) {
      error = why;
      return;
    }
    std::string htpasswd = dir.path() + "/htpasswd";
    std::string hash_cmd = "python3 -W ignore -c 'import crypt,sys; print(sys.argv[1] + \":\" + "
                           "crypt.crypt(sys.argv[2], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))' " +
                           quote(kUser) + " " + quote(kPassword) + " > " + quote(htpasswd);
    if (run(hash_cmd) != 0) {
      error = "cannot make an htpasswd file";
      return;
    }
    if (std::string why = authenticated.start(dir.path() + "/authenticated",
                                              "auth:\n  htpasswd:\n    realm: scan-test\n    path: " +
                                                  htpasswd + "\n");
        !why.empty()) {
      error = why;
      return;
    }
    const std::string oci = "oci:" + layout->dir();
    const std::string reg = "docker://" + anonymous.host();
    const std::vector<std::string> pushes = {
        skopeo_copy("--all", oci + ":multi", reg + "/test/multi:v1"),
        skopeo_copy("", oci + ":single", reg + "/test/single:latest"),
        skopeo_copy("--format v2s2", oci + ":single", reg + "/test/docker:v1"),
        skopeo_copy("", oci + ":single", reg + "/test/tamper:v1"),
        skopeo_copy("", oci + ":big", reg + "/test/big:v1"),
        skopeo_copy("--dest-creds " + quote(std::string(kUser) + ":" + std::string(kPassword)),
                    oci + ":single", "docker://" + authenticated.host() + "/test/private:v1"),
    };
    for (const std::string& push : pushes) {
      if (run(push) != 0) {
        error = "skopeo failed: " + push;
        return;
      }
    }
  }
};

Fixture* fixture = nullptr;

class RegistryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fixture = new Fixture;
    fixture->set_up();
  }
  static void TearDownTestSuite() {
    delete fixture;  // kills the registries, removes their storage
    fixture = nullptr;
  }
  void SetUp() override { ASSERT_EQ(fixture->error, ""); }

  static Result<std::vector<Image>> open(const std::string& ref, const std::string& platform = "") {
    SourceOptions options;
    options.plain_http = true;
    options.platform = platform;
    return open_images(ref, options);
  }
  static std::string reg() { return "docker://" + fixture->anonymous.host(); }
};

void expect_layers_hash_to_digests(const Image& image) {
  for (size_t i = 0; i < image.layers.size(); ++i) {
    auto stream = image.open_layer(i);
    ASSERT_TRUE(stream) << stream.error().message;
    std::string bytes = read_all(**stream);
    EXPECT_EQ(bytes.size(), image.layers[i].size);
    EXPECT_EQ(Digest::of(bytes).str(), image.layers[i].digest);
  }
}

void expect_image(const Image& image, const BuiltImage& built) {
  EXPECT_EQ(image.manifest_digest, built.manifest.digest.str());
  EXPECT_EQ(image.config_digest, built.config.digest.str());
  EXPECT_EQ(image.created, "2024-02-03T04:05:06Z");
  ASSERT_EQ(image.layers.size(), built.layers.size());
  for (size_t i = 0; i < built.layers.size(); ++i) {
    EXPECT_EQ(image.layers[i].digest, built.layers[i].blob.digest.str());
    EXPECT_EQ(image.layers[i].diff_id, built.layers[i].diff_id);
    EXPECT_EQ(image.layers[i].size, built.layers[i].blob.size);
  }
  expect_layers_hash_to_digests(image);
}

TEST_F(RegistryTest, MultiArchIndexExpandsToPlatforms) {
  std::string ref = reg() + "/test/multi:v1";
  auto images = open(ref);
  ASSERT_TRUE(images) << images.error().message;
  ASSERT_EQ(images->size(), 2u);  // the attestation manifest is not an image
  EXPECT_EQ((*images)[0].platform, "linux/amd64");
  EXPECT_EQ((*images)[1].platform, "linux/arm64/v8");
  EXPECT_EQ((*images)[0].name, ref);
  expect_image((*images)[0], fixture->amd64);
  expect_image((*images)[1], fixture->arm64);
  EXPECT_EQ((*images)[0].layers[0].created_by, "ADD rootfs");
  EXPECT_EQ((*images)[0].layers[1].created_by, "COPY app");
  EXPECT_EQ((*images)[0].layer_media_types[0], "application/vnd.oci.image.layer.v1.tar+gzip");
}

TEST_F(RegistryTest, PlatformFilter) {
  auto arm = open(reg() + "/test/multi:v1", "linux/arm64");
  ASSERT_TRUE(arm) << arm.error().message;
  ASSERT_EQ(arm->size(), 1u);
  EXPECT_EQ(arm->front().manifest_digest, fixture->arm64.manifest.digest.str());
  auto exact = open(reg() + "/test/multi:v1", "linux/arm64/v8");
  ASSERT_TRUE(exact);
  EXPECT_EQ(exact->size(), 1u);
  auto none = open(reg() + "/test/multi:v1", "linux/s390x");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
}

TEST_F(RegistryTest, ByDigest) {
  auto images = open(reg() + "/test/multi@" + fixture->index.digest.str());
  ASSERT_TRUE(images) << images.error().message;
  EXPECT_EQ(images->size(), 2u);
  auto child = open(reg() + "/test/multi@" + fixture->arm64.manifest.digest.str());
  ASSERT_TRUE(child) << child.error().message;
  ASSERT_EQ(child->size(), 1u);
  EXPECT_EQ(child->front().platform, "linux/arm64/v8");
  auto wrong = open(reg() + "/test/multi@" + Digest::of("no such manifest").str());
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::kNotFound);
}

TEST_F(RegistryTest, MissingTagOrRepositoryIsNotFound) {
  auto tag = open(reg() + "/test/multi:nope");
  ASSERT_FALSE(tag);
  EXPECT_EQ(tag.error().code, ErrorCode::kNotFound);
  auto repo = open(reg() + "/test/absent:v1");
  ASSERT_FALSE(repo);
  EXPECT_EQ(repo.error().code, ErrorCode::kNotFound);
}

TEST_F(RegistryTest, ReferenceWithoutTransportMeansDocker) {
  auto images = open(fixture->anonymous.host() + "/test/single");  // :latest implied
  ASSERT_TRUE(images) << images.error().message;
  ASSERT_EQ(images->size(), 1u);
  expect_image(images->front(), fixture->amd64);
}

TEST_F(RegistryTest, DockerSchema2Manifest) {
  auto images = open(reg() + "/test/docker:v1");
  ASSERT_TRUE(images) << images.error().message;
  ASSERT_EQ(images->size(), 1u);
  const Image& image = images->front();
  EXPECT_EQ(image.platform, "linux/amd64");
  ASSERT_EQ(image.layers.size(), 2u);
  EXPECT_EQ(image.layer_media_types[0], "application/vnd.docker.image.rootfs.diff.tar.gzip");
  EXPECT_EQ(image.layers[1].diff_id, fixture->amd64.layers[1].diff_id);
  EXPECT_EQ(image.layers[1].created_by, "COPY app");
  expect_layers_hash_to_digests(image);
}

TEST_F(RegistryTest, TamperedManifestIsRefused) {
  // Change the stored manifest bytes behind the registry's back.
  std::string hex = fixture->amd64.manifest.digest.hex();
  std::string data = fixture->anonymous.storage() + "/docker/registry/v2/blobs/sha256/" +
                     hex.substr(0, 2) + "/" + hex + "/data";
  ASSERT_TRUE(fs::exists(data));
  std::string original;
  {
    std::ifstream in(data, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    original = s.str();
  }
  std::ofstream(data, std::ios::binary | std::ios::app) << "\n";
  auto by_tag = open(reg() + "/test/tamper:v1");
  auto by_digest = open(reg() + "/test/tamper@" + fixture->amd64.manifest.digest.str());
  std::ofstream(data, std::ios::binary | std::ios::trunc) << original;  // other tests share it
  ASSERT_FALSE(by_tag);
  EXPECT_EQ(by_tag.error().code, ErrorCode::kDigestMismatch) << by_tag.error().message;
  ASSERT_FALSE(by_digest);
  EXPECT_EQ(by_digest.error().code, ErrorCode::kDigestMismatch) << by_digest.error().message;
}

TEST_F(RegistryTest, LargeLayerStreamsAndCanBeAbandoned) {
  auto images = open(reg() + "/test/big:v1");
  ASSERT_TRUE(images) << images.error().message;
  expect_image(images->front(), fixture->big);
  // Reading a little and dropping the stream stops the transfer.
  auto stream = images->front().open_layer(0);
  ASSERT_TRUE(stream);
  char buf[1000];
  auto n = (*stream)->read(std::span<char>(buf, sizeof buf));
  ASSERT_TRUE(n);
  EXPECT_GT(*n, 0u);
  stream->reset();
}

TEST_F(RegistryTest, BasicAuth) {
  std::string ref = "docker://" + fixture->authenticated.host() + "/test/private:v1";
  auto anonymous = open(ref);
  ASSERT_FALSE(anonymous);
  EXPECT_EQ(anonymous.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(anonymous.error().message, HasSubstr("credentials"));
  SourceOptions options;
  options.plain_http = true;
  options.username = std::string(kUser);
  options.password = "wrong";
  auto wrong = open_images(ref, options);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(wrong.error().message, ::testing::Not(HasSubstr("wrong")));
  options.password = std::string(kPassword);
  auto images = open_images(ref, options);
  ASSERT_TRUE(images) << images.error().message;
  expect_image(images->front(), fixture->amd64);
}

TEST_F(RegistryTest, UnreachableRegistryIsUnavailable) {
  int port = free_port();
  ASSERT_GT(port, 0);
  auto r = open("docker://127.0.0.1:" + std::to_string(port) + "/test/x:v1");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  // HTTPS against a plain HTTP registry fails too, without hanging.
  SourceOptions tls;
  auto https = open_images(reg() + "/test/single:latest", tls);
  ASSERT_FALSE(https);
  EXPECT_EQ(https.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace bulwark::scan
