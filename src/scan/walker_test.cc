// The walker against layers built here with libarchive: whiteouts, opaque directories, links,
// introducing layers, digests, and hostile archives (escapes, bombs, limits).
#include "scan/walker.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>

#include "common/digest.h"
#include "scan/layer_reader.h"

namespace bulwark::scan {
namespace {

// A layer under construction: tar entries, written gzip, zstd or plain.
struct Entry {
  std::string name;
  std::string data;
  unsigned int type = AE_IFREG;
  std::string link;  // symlink target, or hard link target when hardlink is set
  bool hardlink = false;
  unsigned int mode = 0644;
};

Entry file(std::string name, std::string data, unsigned int mode = 0644) {
  Entry e;
  e.name = std::move(name);
  e.data = std::move(data);
  e.mode = mode;
  return e;
}
Entry dir(std::string name) {
  Entry e;
  e.name = std::move(name);
  e.type = AE_IFDIR;
  e.mode = 0755;
  return e;
}
Entry symlink(std::string name, std::string target) {
  Entry e;
  e.name = std::move(name);
  e.type = AE_IFLNK;
  e.link = std::move(target);
  return e;
}
Entry hardlink(std::string name, std::string target, unsigned int mode = 0644) {
  Entry e = file(std::move(name), "", mode);
  e.link = std::move(target);
  e.hardlink = true;
  return e;
}

std::string make_tar(const std::vector<Entry>& entries, int filter = ARCHIVE_FILTER_GZIP) {
  struct archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (filter == ARCHIVE_FILTER_GZIP) archive_write_add_filter_gzip(a);
  if (filter == ARCHIVE_FILTER_ZSTD) archive_write_add_filter_zstd(a);
  archive_write_set_bytes_in_last_block(a, 1);  // no zero padding after the compressed stream
  std::string out;
  archive_write_open(
      a, &out, nullptr,
      [](struct archive*, void* ctx, const void* buf, size_t n) -> la_ssize_t {
        static_cast<std::string*>(ctx)->append(static_cast<const char*>(buf), n);
        return static_cast<la_ssize_t>(n);
      },
      nullptr);
  for (const auto& e : entries) {
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.name.c_str());
    archive_entry_set_perm(entry, e.mode);
    if (e.hardlink) {
      archive_entry_set_filetype(entry, AE_IFREG);
      archive_entry_set_hardlink(entry, e.link.c_str());
      archive_entry_set_size(entry, 0);
    } else {
      archive_entry_set_filetype(entry, e.type);
      if (e.type == AE_IFLNK) archive_entry_set_symlink(entry, e.link.c_str());
      archive_entry_set_size(entry, static_cast<int64_t>(e.data.size()));
    }
    archive_write_header(a, entry);
    if (!e.data.empty()) archive_write_data(a, e.data.data(), e.data.size());
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

class StringStream : public ByteStream {
 public:
  explicit StringStream(std::string data) : data_(std::move(data)) {}
  Result<size_t> read(std::span<char> buf) override {
    size_t n = std::min(buf.size(), data_.size() - pos_);
    std::copy_n(data_.data() + pos_, n, buf.data());
    pos_ += n;
    return n;
  }

 private:
  std::string data_;
  size_t pos_ = 0;
};

// Test analyzers: "pkgs.txt" files list "name version" lines; "os" files name the OS.
bool wants_pkgs(std::string_view path, uint32_t, uint64_t) { return base_name(path) == "pkgs.txt"; }
Result<void> analyze_pkgs(const FileInput& file, Findings& out) {
  for (auto line : split_lines(file.content)) {
    if (line == "BROKEN") return fail(ErrorCode::kInvalidArgument, "broken line");
    auto space = line.find(' ');
    if (space == std::string_view::npos) continue;
    Package p;
    p.type = "generic";
    p.name = std::string(line.substr(0, space));
    p.version = std::string(line.substr(space + 1));
    out.packages.push_back(std::move(p));
  }
  return ok();
}
bool wants_os(std::string_view path, uint32_t, uint64_t) {
  return path == "usr/lib/os-release" || path == "etc/os-release";
}
Result<void> analyze_os(const FileInput& file, Findings& out) {
  out.os.emplace();
  out.os->family = std::string(trim(file.content));
  return ok();
}
// Wants executables, as binary analyzers do, whatever their name.
bool wants_exec(std::string_view, uint32_t mode, uint64_t) { return (mode & 0111) != 0; }
Result<void> analyze_exec(const FileInput& file, Findings& out) {
  if (!file.content.starts_with("BIN ")) return ok();
  Package p;
  p.type = "bin";
  p.name = std::string(trim(file.content.substr(4)));
  p.version = "1";
  out.packages.push_back(std::move(p));
  return ok();
}

const Analyzer kTestAnalyzers[] = {
    {"pkgs", &wants_pkgs, &analyze_pkgs, 1 << 20},
    {"os", &wants_os, &analyze_os, 1 << 20},
    {"exec", &wants_exec, &analyze_exec, 1 << 20},
};

struct Layers {
  std::vector<std::string> blobs;
  bool corrupt_digest = false;
  int opens = 0;

  Image image() {
    Image img;
    img.name = "test";
    for (const auto& blob : blobs) {
      LayerInfo info;
      info.digest = Digest::of(blob).str();
      if (corrupt_digest) info.digest = Digest::of(blob + "x").str();
      info.size = blob.size();
      img.layers.push_back(info);
    }
    img.open_layer = [this](size_t i) -> Result<std::unique_ptr<ByteStream>> {
      ++opens;
      return std::make_unique<StringStream>(blobs[i]);
    };
    return img;
  }
};

Result<Inventory> walk(Layers& layers, WalkLimits limits = {}) {
  WalkOptions options;
  options.limits = limits;
  options.analyzers = kTestAnalyzers;
  Image image = layers.image();
  return inventory(image, options);
}

// "name@version#layer evidence" per package, in inventory order.
std::vector<std::string> summary(const Inventory& inv) {
  std::vector<std::string> out;
  for (const auto& p : inv.packages) {
    out.push_back(p.name + "@" + p.version + "#" + std::to_string(p.layer) + " " + p.evidence);
  }
  return out;
}

using Strings = std::vector<std::string>;

TEST(Walker, FindsPackagesAndTheLayerThatIntroducedThem) {
  Layers layers;
  layers.blobs.push_back(make_tar({dir("./var/"), file("./var/pkgs.txt", "a 1\nb 2\n")}));
  layers.blobs.push_back(make_tar({file("var/pkgs.txt", "a 1\nb 3\nc 1\n")}));
  auto inv = walk(layers);
  ASSERT_TRUE(inv) << inv.error().message;
  EXPECT_EQ(summary(*inv), (Strings{"a@1#0 /var/pkgs.txt", "b@3#1 /var/pkgs.txt",
                                    "c@1#1 /var/pkgs.txt"}));
  EXPECT_EQ(inv->layers.size(), 2u);
}

TEST(Walker, WhiteoutRemovesAFileOfALowerLayer) {
  Layers layers;
  layers.blobs.push_back(make_tar({file("a/pkgs.txt", "x 1\n"), file("b/pkgs.txt", "y 1\n")}));
  layers.blobs.push_back(make_tar({file("a/.wh.pkgs.txt", "")}));
  auto inv = walk(layers);
  ASSERT_TRUE(inv) << inv.error().message;
  EXPECT_EQ(summary(*inv), (Strings{"y@1#0 /b/pkgs.txt"}));
}

TEST(Walker, WhiteoutOfADirectoryRemovesEverythingBelowIt) {
  Layers layers;
  layers.blobs.push_back(
      make_tar({file("app/lib/pkgs.txt", "x 1\n"), file("app/pkgs.txt", "y 1\n"), file("apple/pkgs.txt", "z 1\n")}));
  layers.blobs.push_back(make_tar({file(".wh.app", "")}));
  auto inv = walk(layers);
  ASSERT_TRUE(inv) << inv.error().message;
  EXPECT_EQ(summary(*inv), (Strings{"z@1#0 /apple/pkgs.txt"}));
}

TEST(Walker, OpaqueDirectoryHidesLowerLayersButNotItsOwnLayer) {
  Layers layers;
  layers.blobs.push_back(make_tar({file("d/pkgs.txt", "old 1\n"), file("d/sub/pkgs.txt", "deep 1\n")}));
  // The marker comes after the layer's own file: whiteouts only hide lower layers.
  layers.blobs.push_back(make_tar({file("d/new/pkgs.txt", "new 1\n"), file("d/.wh..wh..opq", "")}));
  auto inv = walk(layers);
  ASSERT_TRUE(inv) << inv.error().message;
  EXPECT_EQ(summary(*inv), (Strings{"new@1#1 /d/new/pkgs.txt"}));
}

TEST(Walker, WhiteoutInTheSameLayerDoesNotHideThatLayersFile) {
  Layers layers;
  layers.blobs.push_back(make_tar({file("pkgs.txt", "a 1\n")}));
  layers.blobs.push_back(make_tar({file("pkgs.txt", "a 1\nb 1\n"), file(".wh.pkgs.txt", "")}));
  auto inv = walk(layers);
  ASSERT_TRUE(inv) << inv.error().message;
  // The lower file is gone and the layer's own copy introduces both packages again.
  EXPECT_EQ(summary(*inv), (Strings{"a@1#1 /pkgs.txt", "b@1#1 /pkgs.txt"}));
}

TEST(Walker, ReplacingAFileWithSomethingElseDropsItsPackages) {
  Layers layers;
  layers.blobs.push_back(make_tar({file("x/pkgs.txt", "a 1\n")}));
  layers.blobs.push_back(make_tar({symlink("x/pkgs.txt", "/nowhere")}));
  auto inv = walk(layers);
  ASSERT_TRUE(inv) << inv.error().message;
  EXPECT_TRUE(inv->packages.empty());
}

TEST(Walker, FileOverADirectoryHidesTheDirectory) {
  Layers layers;
  layers.blobs.push_back(make_tar({file("opt/pkgs.txt", "a 1\n")}));
  layers.blobs.push_back(make_tar({file("opt", "plain file")}));
  auto inv = walk(layers);
  ASSERT_TRUE(inv) << inv.error().message;
  EXPECT_TRUE(inv->packages.empty());
}

TEST(Walker, HardLinksAreAnalysedUnderTheirOwnName) {
  Layers layers;
  // Same analyzers for both names: the findings are copied, no second read.
  layers.blobs.push_back(make_tar({file("bin/tool", "BIN tool\n", 0755),
                                   hardlink("bin/tool2", "bin/tool", 0755)}));
  // The target is not wanted under its own name: the layer is read again for it.
  layers.blobs.push_back(make_tar({file("data/blob", "z 9\n"), hardlink("app/pkgs.txt", "data/blob")}));
  auto inv = walk(layers);
  ASSERT_TRUE(inv) << inv.error().message;
  EXPECT_EQ(summary(*inv), (Strings{"tool@1#0 /bin/tool", "tool@1#0 /bin/tool2",
                                    "z@9#1 /app/pkgs.txt"}));
  EXPECT_EQ(layers.opens, 3);  // two layers, and the second once more for the hard link
}

TEST(Walker, HardLinkOutsideTheImageIsRefused) {
  Layers layers;
  layers.blobs.push_back(make_tar({hardlink("a/pkgs.txt", "../../etc/shadow")}));
  auto inv = walk(layers);
  ASSERT_FALSE(inv);
  EXPECT_EQ(inv.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(inv.error().message.find("points outside the image"), std::string::npos);
}

TEST(Walker, PathTraversalIsRefused) {
  Layers layers;
  layers.blobs.push_back(make_tar({file("ok/pkgs.txt", "a 1\n"), file("ok/../../../etc/cron.d/evil", "x")}));
  auto inv = walk(layers);
  ASSERT_FALSE(inv);
  EXPECT_EQ(inv.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(inv.error().message.find("escapes the image root"), std::string::npos);
  EXPECT_NE(inv.error().message.find("layer 1"), std::string::npos);
}

TEST(Walker, OsReleaseIsFoundThroughSymlinksThatCannotLeaveTheImage) {
  Layers layers;
  layers.blobs.push_back(make_tar({file("usr/lib/os-release", "debian\n"),
                                   symlink("etc/os-release", "../usr/lib/os-release")}));
  auto inv = walk(layers);
  ASSERT_TRUE(inv) << inv.error().message;
  ASSERT_TRUE(inv->os);
  EXPECT_EQ(inv->os->family, "debian");
  EXPECT_EQ(inv->os->evidence, "/usr/lib/os-release");

  // A link climbing above the root stays inside: /etc/os-release -> ../../../../usr/lib/os-release
  // (and the file /etc/os-release of a lower layer is replaced by the link).
  Layers climbing;
  climbing.blobs.push_back(make_tar({file("etc/os-release", "alpine\n"), file("usr/lib/os-release", "debian\n")}));
  climbing.blobs.push_back(make_tar({symlink("etc/os-release", "../../../../usr/lib/os-release")}));
  inv = walk(climbing);
  ASSERT_TRUE(inv) << inv.error().message;
  ASSERT_TRUE(inv->os);
  EXPECT_EQ(inv->os->family, "debian");
}

TEST(Walker, SymlinkLoopsEnd) {
  Layers layers;
  layers.blobs.push_back(make_tar({symlink("etc/os-release", "loop"),
                                   symlink("etc/loop", "os-release"),
                                   file("usr/lib/os-release", "fedora\n")}));
  auto inv = walk(layers);
  ASSERT_TRUE(inv) << inv.error().message;
  ASSERT_TRUE(inv->os);  // the loop is skipped; the other os-release answers
  EXPECT_EQ(inv->os->family, "fedora");
}

TEST(Walker, MalformedFilesBecomeWarningsNotFailures) {
  Layers layers;
  layers.blobs.push_back(make_tar({file("a/pkgs.txt", "BROKEN\n"), file("b/pkgs.txt", "ok 1\n")}));
  auto inv = walk(layers);
  ASSERT_TRUE(inv) << inv.error().message;
  EXPECT_EQ(summary(*inv), (Strings{"ok@1#0 /b/pkgs.txt"}));
  ASSERT_EQ(inv->warnings.size(), 1u);
  EXPECT_EQ(inv->warnings[0], "pkgs: /a/pkgs.txt: broken line");
}

TEST(Walker, ZstdAndUncompressedLayers) {
  Layers layers;
  layers.blobs.push_back(make_tar({file("z/pkgs.txt", "z 1\n")}, ARCHIVE_FILTER_ZSTD));
  layers.blobs.push_back(make_tar({file("p/pkgs.txt", "p 1\n")}, ARCHIVE_FILTER_NONE));
  auto inv = walk(layers);
  ASSERT_TRUE(inv) << inv.error().message;
  EXPECT_EQ(summary(*inv), (Strings{"p@1#1 /p/pkgs.txt", "z@1#0 /z/pkgs.txt"}));
}

TEST(Walker, LayerThatDoesNotMatchItsDigestIsRefused) {
  Layers layers;
  layers.blobs.push_back(make_tar({file("pkgs.txt", "a 1\n")}));
  layers.corrupt_digest = true;
  auto inv = walk(layers);
  ASSERT_FALSE(inv);
  EXPECT_EQ(inv.error().code, ErrorCode::kDigestMismatch);
}

TEST(Walker, SomethingThatIsNotATarIsCorrupt) {
  Layers layers;
  layers.blobs.push_back(std::string(4096, 'j'));
  auto inv = walk(layers);
  ASSERT_FALSE(inv);
  EXPECT_EQ(inv.error().code, ErrorCode::kCorrupt);
}

TEST(Walker, DecompressionBombIsStoppedByTheRatioLimit) {
  Layers layers;
  layers.blobs.push_back(make_tar({file("zeros", std::string(96 << 20, '\0'))}));
  ASSERT_LT(layers.blobs[0].size(), 1u << 20);  // ~100 KiB of gzip
  WalkLimits limits;
  limits.max_ratio = 100;
  auto inv = walk(layers, limits);
  ASSERT_FALSE(inv);
  EXPECT_EQ(inv.error().code, ErrorCode::kTooLarge);
  EXPECT_NE(inv.error().message.find("decompression bomb"), std::string::npos);
}

TEST(Walker, UncompressedSizeAndEntryCountAreBounded) {
  Layers big;
  big.blobs.push_back(make_tar({file("a", std::string(3 << 20, 'a'))}));
  WalkLimits limits;
  limits.max_layer_bytes = 1 << 20;
  auto inv = walk(big, limits);
  ASSERT_FALSE(inv);
  EXPECT_EQ(inv.error().code, ErrorCode::kTooLarge);

  Layers many;
  std::vector<Entry> entries;
  for (int i = 0; i < 20; ++i) entries.push_back(file("f" + std::to_string(i), "x"));
  many.blobs.push_back(make_tar(entries));
  limits = {};
  limits.max_entries = 10;
  inv = walk(many, limits);
  ASSERT_FALSE(inv);
  EXPECT_EQ(inv.error().code, ErrorCode::kTooLarge);
  EXPECT_NE(inv.error().message.find("more than 10 entries"), std::string::npos);
}

// A ustar header declaring a 4 GiB file, and no data: libarchive's writer would pad the data.
std::string huge_header() {
  std::string h(512, '\0');
  auto put = [&](size_t at, std::string_view text) { h.replace(at, text.size(), text); };
  put(0, "huge");
  put(100, "0000644");
  put(108, "0000000");
  put(116, "0000000");
  put(124, "40000000000");  // size, octal: 4 GiB
  put(136, "00000000000");
  put(148, "        ");
  put(156, "0");
  put(257, "ustar");
  put(263, "00");
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  char checksum[8];
  std::snprintf(checksum, sizeof checksum, "%06o", sum);
  put(148, std::string_view(checksum, 6));
  h[154] = '\0';
  h[155] = ' ';
  return h;
}

TEST(Walker, AbsurdDeclaredSizeIsRefusedBeforeReading) {
  Layers layers;
  layers.blobs.push_back(huge_header());
  WalkLimits limits;
  limits.max_layer_bytes = uint64_t{1} << 30;
  auto inv = walk(layers, limits);
  ASSERT_FALSE(inv);
  EXPECT_EQ(inv.error().code, ErrorCode::kTooLarge) << inv.error().message;
  EXPECT_NE(inv.error().message.find("declares 4294967296 bytes"), std::string::npos)
      << inv.error().message;
}

TEST(Walker, TruncatedLayerIsCorrupt) {
  Layers layers;
  std::string tar = make_tar({file("pkgs.txt", std::string(100000, 'x'))}, ARCHIVE_FILTER_NONE);
  layers.blobs.push_back(tar.substr(0, 5000));
  auto inv = walk(layers);
  ASSERT_FALSE(inv);
  EXPECT_EQ(inv.error().code, ErrorCode::kCorrupt);
}

TEST(NormalizeImagePath, StaysInsideTheRoot) {
  EXPECT_EQ(*normalize_image_path("./usr//lib/./x/../os-release"), "usr/lib/os-release");
  EXPECT_EQ(*normalize_image_path("/"), "");
  EXPECT_FALSE(normalize_image_path("a/../../b"));
  EXPECT_EQ(clamp_image_path("a/../../../b"), "b");
}

}  // namespace
}  // namespace bulwark::scan
