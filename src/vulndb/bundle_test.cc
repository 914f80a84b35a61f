// unpack_bundle against archives written here with libarchive: benign bundles unpack to exactly
// their entries; hostile entries (climbing, absolute, links out, writes beyond a link, devices,
// duplicates) are refused and nothing lands outside; single feed files get importable names.
// check_bundle_source refuses what import_bundle would refuse before any network traffic.
#include "vulndb/bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "common/temp_dir.h"

namespace bulwark::vulndb {
namespace {

namespace fs = std::filesystem;

// One entry of a test archive.
struct Entry {
  std::string name;
  mode_t type = AE_IFREG;
  std::string data;      // regular files
  std::string link;      // symbolic links: the target; hard links: the linked entry's name
  bool hard = false;
};

Entry file(std::string name, std::string data) { return {std::move(name), AE_IFREG, std::move(data), "", false}; }
Entry dir(std::string name) { return {std::move(name), AE_IFDIR, "", "", false}; }
Entry symlink(std::string name, std::string to) { return {std::move(name), AE_IFLNK, "", std::move(to), false}; }
Entry hardlink(std::string name, std::string to) { return {std::move(name), AE_IFREG, "", std::move(to), true}; }
Entry device(std::string name) { return {std::move(name), AE_IFCHR, "", "", false}; }

BundleSource source(std::string url, std::string sha256) {
  BundleSource s;
  s.url = std::move(url);
  s.sha256 = std::move(sha256);
  return s;
}

using ArchivePtr = std::unique_ptr<struct archive, int (*)(struct archive*)>;

// Writes `entries` as a gzip-compressed pax tar at `file`.
void write_tar(const fs::path& file, const std::vector<Entry>& entries) {
  ArchivePtr a(archive_write_new(), archive_write_free);
  ASSERT_EQ(archive_write_add_filter_gzip(a.get()), ARCHIVE_OK);
  ASSERT_EQ(archive_write_set_format_pax_restricted(a.get()), ARCHIVE_OK);
  ASSERT_EQ(archive_write_open_filename(a.get(), file.c_str()), ARCHIVE_OK);
  for (const auto& e : entries) {
    std::unique_ptr<struct archive_entry, void (*)(struct archive_entry*)> entry(
        archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(entry.get(), e.name.c_str());
    archive_entry_set_filetype(entry.get(), e.type);
    archive_entry_set_perm(entry.get(), e.type == AE_IFDIR ? 0755 : 0644);
    if (e.hard) {
      archive_entry_set_hardlink(entry.get(), e.link.c_str());
    } else if (e.type == AE_IFLNK) {
      archive_entry_set_symlink(entry.get(), e.link.c_str());
    } else if (e.type == AE_IFCHR) {
      archive_entry_set_rdevmajor(entry.get(), 1);
      archive_entry_set_rdevminor(entry.get(), 3);
    }
    archive_entry_set_size(entry.get(), e.type == AE_IFREG && !e.hard ? e.data.size() : 0);
    ASSERT_EQ(archive_write_header(a.get(), entry.get()), ARCHIVE_OK) << e.name;
    if (e.type == AE_IFREG && !e.hard && !e.data.empty()) {
      ASSERT_EQ(archive_write_data(a.get(), e.data.data(), e.data.size()),
                static_cast<la_ssize_t>(e.data.size()));
    }
  }
  ASSERT_EQ(archive_write_close(a.get()), ARCHIVE_OK);
}

// Writes `data` gzip-compressed (not archived) at `file`.
void write_gzip(const fs::path& file, const std::string& data) {
  ArchivePtr a(archive_write_new(), archive_write_free);
  ASSERT_EQ(archive_write_add_filter_gzip(a.get()), ARCHIVE_OK);
  ASSERT_EQ(archive_write_set_format_raw(a.get()), ARCHIVE_OK);
  ASSERT_EQ(archive_write_open_filename(a.get(), file.c_str()), ARCHIVE_OK);
  std::unique_ptr<struct archive_entry, void (*)(struct archive_entry*)> entry(
      archive_entry_new(), archive_entry_free);
  archive_entry_set_pathname(entry.get(), "data");
  archive_entry_set_filetype(entry.get(), AE_IFREG);
  archive_entry_set_size(entry.get(), data.size());
  ASSERT_EQ(archive_write_header(a.get(), entry.get()), ARCHIVE_OK);
  ASSERT_EQ(archive_write_data(a.get(), data.data(), data.size()),
            static_cast<la_ssize_t>(data.size()));
  ASSERT_EQ(archive_write_close(a.get()), ARCHIVE_OK);
}

void write_file(const fs::path& file, const std::string& data) {
  std::ofstream out(file, std::ios::binary);
  out << data;
  ASSERT_TRUE(out.good());
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every path under `root`, relative, sorted.
std::vector<std::string> tree(const fs::path& root) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    out.push_back(e.path().lexically_relative(root).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class UnpackTest : public ::testing::Test {
 protected:
  // The scratch layout import_bundle uses: work/bundle and work/feeds; `outside` beside work.
  TempDir dir_{"bundle-test"};
  fs::path work_ = fs::path(dir_.path()) / "work";
  fs::path archive_ = work_ / "bundle";
  fs::path into_ = work_ / "feeds";
  void SetUp() override { fs::create_directories(work_); }
};

TEST_F(UnpackTest, BenignTarUnpacksItsEntriesAndListsTheTopLevel) {
  write_tar(archive_, {dir("./"),
                       dir("./kev/"),
                       file("./kev/kev.json", "{\"v\":1}\n"),
                       file("./rustsec/crates/a/RUSTSEC-1.md", "x"),
                       symlink("./rustsec/crates/b", "a"),
                       file("./epss.csv", "cve,epss\n"),
                       hardlink("./kev/copy.json", "kev/kev.json")});
  auto top = unpack_bundle(archive_, into_, "bundle.tgz");
  ASSERT_TRUE(top) << top.error().message;
  EXPECT_EQ(*top, (std::vector<fs::path>{into_ / "epss.csv", into_ / "kev", into_ / "rustsec"}));
  EXPECT_EQ(read_file(into_ / "kev/kev.json"), "{\"v\":1}\n");
  EXPECT_EQ(read_file(into_ / "kev/copy.json"), "{\"v\":1}\n");
  EXPECT_EQ(read_file(into_ / "rustsec/crates/b/RUSTSEC-1.md"), "x");
  EXPECT_EQ(tree(work_), (std::vector<std::string>{"bundle", "feeds", "feeds/epss.csv", "feeds/kev",
                                                   "feeds/kev/copy.json", "feeds/kev/kev.json",
                                                   "feeds/rustsec", "feeds/rustsec/crates",
                                                   "feeds/rustsec/crates/a",
                                                   "feeds/rustsec/crates/a/RUSTSEC-1.md",
                                                   "feeds/rustsec/crates/b"}));
}

struct Hostile {
  const char* what;
  std::vector<Entry> entries;
};

TEST_F(UnpackTest, HostileEntriesAreRefusedAndNothingLandsOutside) {
  const Entry feed = file("kev/kev.json", "{}");
  const std::vector<Hostile> cases = {
      {"climbing name", {feed, file("../x", "escaped")}},
      {"climbing inside a name", {feed, file("kev/../../x", "escaped")}},
      {"absolute name", {feed, file("/tmp/bulwark-bundle-test-x", "escaped")}},
      {"symlink out", {feed, symlink("kev/etc", "../../..")}},
      {"absolute symlink", {feed, symlink("kev/etc", "/etc")}},
      {"write beyond a symlink", {feed, symlink("kev/up", "."), file("kev/up/x", "x")}},
      {"hard link out", {feed, hardlink("kev/passwd", "../x")}},
      {"hard link to an absolute path", {feed, hardlink("kev/passwd", "/etc/passwd")}},
      {"device", {feed, device("kev/null")}},
      {"duplicate", {feed, file("kev/kev.json", "again")}},
      {"file then directory", {feed, dir("kev/kev.json/")}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    fs::remove_all(work_);
    fs::create_directories(work_);
    write_tar(archive_, c.entries);
    auto top = unpack_bundle(archive_, into_, "bundle.tgz");
    ASSERT_FALSE(top);
    EXPECT_EQ(top.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(top.error().message.find("refusing the bundle"), std::string::npos)
        << top.error().message;
    EXPECT_FALSE(fs::exists(fs::path(dir_.path()) / "x"));
    EXPECT_FALSE(fs::exists(work_ / "x"));
    EXPECT_FALSE(fs::exists("/tmp/bulwark-bundle-test-x"));
  }
}

TEST_F(UnpackTest, TooLongAnEntryNameIsRefused) {
  write_tar(archive_, {file(std::string(kMaxBundleEntryPath + 1, 'a'), "x")});
  auto top = unpack_bundle(archive_, into_, "bundle.tgz");
  ASSERT_FALSE(top);
  EXPECT_NE(top.error().message.find("refusing the bundle"), std::string::npos);
}

TEST_F(UnpackTest, ACompressedFeedFileKeepsItsNameWithoutTheSuffix) {
  write_gzip(archive_, "{\"vulnerabilities\":[]}");
  auto top = unpack_bundle(archive_, into_, "known_exploited.json.gz");
  ASSERT_TRUE(top) << top.error().message;
  EXPECT_EQ(*top, std::vector<fs::path>{into_ / "known_exploited.json"});
  EXPECT_EQ(read_file(into_ / "known_exploited.json"), "{\"vulnerabilities\":[]}");
}

TEST_F(UnpackTest, AFeedFileWithoutAUsableNameIsNamedByItsContent) {
  struct Case {
    std::string file_name, data, expected;
  };
  const std::vector<Case> cases = {
      {"", "  [1]", "feed.json"},
      {"..", "{}", "feed.json"},
      {"we ird", "cve,epss,percentile\n", "feed.csv"},
      {"epss_scores", "#model_version:v1\ncve,epss\n", "epss_scores.csv"},
      {"RUSTSEC-1", "id: X\n", "RUSTSEC-1.yaml"},
      {"kev.json", "{}", "kev.json"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file_name);
    fs::remove_all(work_);
    fs::create_directories(work_);
    write_file(archive_, c.data);
    auto top = unpack_bundle(archive_, into_, c.file_name);
    ASSERT_TRUE(top) << top.error().message;
    EXPECT_EQ(*top, std::vector<fs::path>{into_ / c.expected});
    EXPECT_EQ(read_file(into_ / c.expected), c.data);
  }
}

TEST_F(UnpackTest, AnEmptyBundleOrAnExistingTargetIsAnError) {
  write_tar(archive_, {dir("./")});
  auto empty = unpack_bundle(archive_, into_, "bundle.tgz");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);

  fs::remove_all(into_);
  write_tar(archive_, {file("kev.json", "{}")});
  fs::create_directories(into_);
  auto exists = unpack_bundle(archive_, into_, "bundle.tgz");
  ASSERT_FALSE(exists);
  EXPECT_EQ(exists.error().code, ErrorCode::kIo);
}

TEST(CheckBundleSource, RefusesWhatImportBundleWouldRefuseFirst) {
  const std::string hex(64, 'a');
  EXPECT_TRUE(check_bundle_source(source("https://mirror.example/b.tgz", "")));
  EXPECT_TRUE(check_bundle_source(source("http://mirror.example/b.tgz", hex)));
  EXPECT_TRUE(check_bundle_source(source("http://mirror.example/b.tgz", "sha256:" + std::string(64, 'F'))));
  for (const std::string url : {"ftp://mirror.example/b.tgz", "file:///tmp/b.tgz", "b.tgz", ""}) {
    auto r = check_bundle_source(source(url, ""));
    ASSERT_FALSE(r) << url;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
  for (const std::string& sha : {hex.substr(1), hex + "a", std::string(63, 'a') + "g", "md5:" + hex}) {
    auto r = check_bundle_source(source("https://mirror.example/b.tgz", sha));
    ASSERT_FALSE(r) << sha;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace bulwark::vulndb
