// Tests of the Go analyzers against real binaries that the suite builds with the installed Go
// toolchain (no network: modules come from a file:// GOPROXY written here, local `replace`
// directories and Debian's /usr/share/gocode), compared module for module with `go version -m`.
#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "common/temp_dir.h"
#include "scan/analyzers/elf.h"
#include "scan/analyzers/go_rust_java_test_util.h"

namespace bulwark::scan {
extern const Analyzer kGoBinaryAnalyzer, kGoModAnalyzer;

namespace {

using testing::analyze_with;
using testing::package_keys;
using testing::read_file;
using testing::run_command;
using testing::shell_quote;
using testing::write_file;

constexpr std::string_view kMakeModuleZip = R"(import os, sys, zipfile
src, prefix, out = sys.argv[1:4]
with zipfile.ZipFile(out, 'w') as z:
    for root, _, files in os.walk(src):
        for f in sorted(files):
            full = os.path.join(root, f)
            z.write(full, prefix + '/' + os.path.relpath(full, src))
)";

constexpr std::string_view kAppGoMod = R"(module example.com/app

go 1.19

require (
	example.com/greet v1.4.0
	example.com/lib v1.2.3
	example.com/old v1.0.0 // indirect
	gopkg.in/yaml.v3 v3.0.1
)

replace example.com/lib v1.2.3 => ../lib

replace example.com/old => example.com/fork v1.1.0

replace gopkg.in/yaml.v3 => /usr/share/gocode/src/gopkg.in/yaml.v3
)";

constexpr std::string_view kAppMain = R"(package main

import (
	"fmt"

	"example.com/greet"
	"example.com/lib"
	"example.com/old"
	"gopkg.in/yaml.v3"
)

func main() {
	out, _ := yaml.Marshal(map[string]string{"a": greet.Greet()})
	fmt.Println(lib.Lib(), old.Old(), string(out))
}
)";

// Builds the binaries once for the suite.
class GoBinaryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("go-analyzer");
    const std::string root = dir_->path();
    write_file(root + "/mkzip.py", kMakeModuleZip);
    // A module proxy on disk: <module>/@v/{list,VERSION.info,VERSION.mod,VERSION.zip}.
    auto publish = [&](const std::string& module, const std::string& version,
                       const std::string& go_mod, const std::string& file, const std::string& code) {
      std::string src = root + "/src/" + module;
      write_file(src + "/go.mod", go_mod);
      write_file(src + "/" + file, code);
      std::string at = root + "/proxy/" + module + "/@v/";
      write_file(at + "list", version + "\n");
      write_file(at + version + ".info", "{\"Version\":\"" + version + "\",\"Time\":\"2023-01-01T00:00:00Z\"}");
      write_file(at + version + ".mod", go_mod);
      auto r = run_command("python3 " + shell_quote(root + "/mkzip.py") + " " + shell_quote(src) + " " +
                           shell_quote(module + "@" + version) + " " + shell_quote(at + version + ".zip"));
      ASSERT_EQ(r.status, 0) << r.output;
    };
    publish("example.com/greet", "v1.4.0", "module example.com/greet\n\ngo 1.19\n", "greet.go",
            "package greet\n\nfunc Greet() string { return \"hello\" }\n");
    publish("example.com/fork", "v1.1.0", "module example.com/fork\n\ngo 1.19\n", "old.go",
            "package old\n\nfunc Old() string { return \"forked\" }\n");
    publish("example.com/tool", "v0.3.0",
            "module example.com/tool\n\ngo 1.19\n\nrequire example.com/greet v1.4.0\n", "main.go",
            "package main\n\nimport (\n\t\"fmt\"\n\t\"example.com/greet\"\n)\n\n"
            "func main() { fmt.Println(greet.Greet()) }\n");
    write_file(root + "/lib/go.mod", "module example.com/lib\n\ngo 1.19\n");
    write_file(root + "/lib/lib.go", "package lib\n\nfunc Lib() string { return \"lib\" }\n");
    write_file(root + "/app/go.mod", kAppGoMod);
    write_file(root + "/app/main.go", kAppMain);

    const std::string env = "env GOPATH=" + shell_quote(root + "/gopath") + " GOCACHE=" +
                            shell_quote(root + "/cache") + " GOPROXY=" + shell_quote("file://" + root + "/proxy") +
                            " GOSUMDB=off GO111MODULE=on GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS= HOME=" +
                            shell_quote(root);
    auto build = run_command("cd " + shell_quote(root + "/app") + " && " + env +
                             " GOFLAGS=-mod=mod go build -buildvcs=false -o ../app.bin . && " + env +
                             " GOFLAGS=-mod=mod go build -buildvcs=false -ldflags='-s -w' -o ../app-stripped.bin .");
    ASSERT_EQ(build.status, 0) << build.output;
    auto install = run_command(env + " GOBIN=" + shell_quote(root + "/bin") + " go install example.com/tool@v0.3.0");
    ASSERT_EQ(install.status, 0) << install.output;
    // The module cache is read-only; make it removable.
    run_command("chmod -R u+w " + shell_quote(root + "/gopath"));
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string path(std::string_view name) { return dir_->file(name); }

  // The independent answer: `go version -m`'s modules, under the analyzer's reporting rules.
  static std::vector<std::string> go_version_m(const std::string& binary) {
    auto r = run_command("go version -m " + shell_quote(binary));
    EXPECT_EQ(r.status, 0) << r.output;
    std::vector<std::string> keys;
    auto key = [](std::string_view module, std::string_view version) {
      return "golang:" + std::string(module) + "@" + std::string(version);
    };
    std::optional<std::pair<std::string, std::string>> dep;
    auto flush = [&] {
      if (dep) keys.push_back(key(dep->first, dep->second));
      dep.reset();
    };
    for (std::string_view line : split_lines(r.output)) {
      if (line.empty()) continue;
      if (line[0] != '\t') {  // "path: go1.19.8"
        std::string_view version = line.substr(line.find(": go") + 4);
        keys.push_back(key("stdlib", version.substr(0, version.find(' '))));
        continue;
      }
      std::vector<std::string> f;
      std::string_view rest = line.substr(1);
      for (size_t tab; (tab = rest.find('\t')) != std::string_view::npos; rest.remove_prefix(tab + 1)) {
        f.emplace_back(rest.substr(0, tab));
      }
      f.emplace_back(rest);
      if (f[0] == "=>") {
        bool directory = f[2] == "(devel)";
        keys.push_back(key(directory ? dep->first : f[1], directory ? "" : f[2]));
        dep.reset();
        continue;
      }
      flush();
      if (f[0] == "dep") dep.emplace(f[1], f[2]);
      if (f[0] == "mod" && f[2] != "(devel)") keys.push_back(key(f[1], f[2]));
    }
    flush();
    std::sort(keys.begin(), keys.end());
    return keys;
  }

  static std::string go_version() {
    auto r = run_command("go env GOVERSION");
    return std::string(trim(r.output)).substr(2);  // "go1.19.8" -> "1.19.8"
  }

  static TempDir* dir_;
};
TempDir* GoBinaryTest::dir_ = nullptr;

// package_keys() without the namespace split, for comparison with `go version -m`'s module paths.
std::vector<std::string> module_keys(const Findings& findings) {
  std::vector<std::string> keys;
  for (const Package& p : findings.packages) {
    EXPECT_EQ(p.type, "golang");
    EXPECT_EQ(p.evidence, "");
    keys.push_back("golang:" + (p.namespace_.empty() ? "" : p.namespace_ + "/") + p.name + "@" + p.version);
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

TEST_F(GoBinaryTest, MatchesGoVersionM) {
  for (std::string_view name : {"app.bin", "app-stripped.bin", "bin/tool"}) {
    SCOPED_TRACE(name);
    std::string content = read_file(path(name));
    ASSERT_GT(content.size(), 1024u);
    auto a = analyze_with(kGoBinaryAnalyzer, name, content, 0755);
    ASSERT_TRUE(a.result) << a.result.error().message;
    EXPECT_EQ(module_keys(a.findings), go_version_m(path(name)));
    EXPECT_TRUE(a.findings.warnings.empty());
  }
}

TEST_F(GoBinaryTest, ReportsDepsReplacementsMainModuleAndStdlib) {
  auto app = analyze_with(kGoBinaryAnalyzer, "app.bin", read_file(path("app.bin")), 0755);
  ASSERT_TRUE(app.result);
  const std::string std_version = go_version();
  EXPECT_EQ(package_keys(app.findings),
            (std::vector<std::string>{
                "golang:example.com/fork@v1.1.0",  // example.com/old => example.com/fork v1.1.0
                "golang:example.com/greet@v1.4.0",
                "golang:example.com/lib@",  // replaced by a directory: version unknown
                "golang:gopkg.in/yaml.v3@",
                "golang:stdlib@" + std_version,
            }));
  auto tool = analyze_with(kGoBinaryAnalyzer, "usr/bin/tool", read_file(path("bin/tool")), 0755);
  ASSERT_TRUE(tool.result);
  EXPECT_EQ(package_keys(tool.findings),
            (std::vector<std::string>{"golang:example.com/greet@v1.4.0", "golang:example.com/tool@v0.3.0",
                                      "golang:stdlib@" + std_version}));
}

TEST_F(GoBinaryTest, FindsBuildInfoWithoutSectionHeaders) {
  std::string content = read_file(path("app.bin"));
  // Zero e_shoff (offset 40 in a 64-bit ELF header) and e_shnum: as if section headers were stripped.
  std::fill(content.begin() + 40, content.begin() + 48, '\0');
  std::fill(content.begin() + 60, content.begin() + 62, '\0');
  auto a = analyze_with(kGoBinaryAnalyzer, "app.bin", content, 0755);
  ASSERT_TRUE(a.result) << a.result.error().message;
  EXPECT_EQ(module_keys(a.findings), go_version_m(path("app.bin")));
}

TEST_F(GoBinaryTest, GoModMatchesTheBinaryBuiltFromIt) {
  auto mod = analyze_with(kGoModAnalyzer, "src/app/go.mod", read_file(path("app/go.mod")));
  ASSERT_TRUE(mod.result) << mod.result.error().message;
  auto bin = analyze_with(kGoBinaryAnalyzer, "app.bin", read_file(path("app.bin")), 0755);
  std::vector<std::string> expected = package_keys(bin.findings);
  std::erase_if(expected, [](const std::string& k) { return k.starts_with("golang:stdlib@"); });
  EXPECT_EQ(package_keys(mod.findings), expected);
}

// The Go 1.17-and-earlier layout (two pointers to string headers), made with a C compiler: the
// toolchain on this machine only writes the inline layout.
TEST(GoBinaryPointerFormat, ResolvesPointersThroughElf) {
  TempDir dir("go-ptr");
  write_file(dir.file("b.c"), R"(
struct gostring { const char* data; long len; };
static const char version[] = "go1.16.15";
static const char modinfo[] = "0123456789abcdef"
    "path\texample.com/old\n"
    "mod\texample.com/old\tv1.0.0\th1:x=\n"
    "dep\tgithub.com/pkg/errors\tv0.9.1\th1:y=\n"
    "0123456789abcdef";
static const struct gostring vs = {version, sizeof version - 1};
static const struct gostring ms = {modinfo, sizeof modinfo - 1};
struct buildinfo { char magic[14]; char ptr_size; char flags; const struct gostring* v; const struct gostring* m; };
__attribute__((used, section(".go.buildinfo"), aligned(16)))
const struct buildinfo info = {"\xff Go buildinf:", sizeof(void*), 0, &vs, &ms};
int main(void) { return 0; }
)");
  auto cc = run_command("cc -O0 -no-pie -o " + shell_quote(dir.file("b")) + " " + shell_quote(dir.file("b.c")));
  ASSERT_EQ(cc.status, 0) << cc.output;
  auto a = analyze_with(kGoBinaryAnalyzer, "b", read_file(dir.file("b")), 0755);
  ASSERT_TRUE(a.result) << a.result.error().message;
  EXPECT_EQ(package_keys(a.findings),
            (std::vector<std::string>{"golang:example.com/old@v1.0.0", "golang:github.com/pkg/errors@v0.9.1",
                                      "golang:stdlib@1.16.15"}));
  // The same layout outside ELF cannot be resolved: a clear warning, not a guess.
  std::string blob(2048, '\0');
  blob.replace(64, 14, std::string("\xff Go buildinf:", 14));
  blob[78] = 8;
  blob[79] = 0;
  auto b = analyze_with(kGoBinaryAnalyzer, "x.exe", blob, 0755);
  ASSERT_TRUE(b.result);
  EXPECT_TRUE(b.findings.packages.empty());
  EXPECT_EQ(b.findings.warnings,
            std::vector<std::string>{"Go build info format before Go 1.18 is only supported in ELF binaries"});
}

TEST(GoBinaryHostile, NonGoAndBrokenBuildInfo) {
  // Not Go: this test's own executable, and text.
  auto self = analyze_with(kGoBinaryAnalyzer, "self", read_file("/proc/self/exe"), 0755);
  ASSERT_TRUE(self.result);
  EXPECT_TRUE(self.findings.packages.empty());
  auto text = analyze_with(kGoBinaryAnalyzer, "s.sh", "#!/bin/sh\n" + std::string(2000, '#'), 0755);
  ASSERT_TRUE(text.result);
  EXPECT_TRUE(text.findings.packages.empty());

  std::string blob(4096, 'x');
  const std::string magic("\xff Go buildinf:", 14);
  // Misaligned magic is not build info.
  blob.replace(17, magic.size(), magic);
  auto misaligned = analyze_with(kGoBinaryAnalyzer, "m", blob, 0755);
  ASSERT_TRUE(misaligned.result);
  EXPECT_TRUE(misaligned.findings.packages.empty());
  // Outside a .go.buildinfo section the magic may occur by chance (this test contains it):
  // candidates that do not decode are skipped. Inline format whose length runs past the end:
  blob.replace(4096 - 48, magic.size(), magic);
  blob[4096 - 48 + 14] = 8;
  blob[4096 - 48 + 15] = 2;
  blob[4096 - 16] = '\x7f';
  auto truncated = analyze_with(kGoBinaryAnalyzer, "t", blob, 0755);
  ASSERT_TRUE(truncated.result);
  EXPECT_TRUE(truncated.findings.packages.empty());
  // A varint that never ends.
  std::fill(blob.begin() + 4096 - 16, blob.end(), '\xff');
  auto endless = analyze_with(kGoBinaryAnalyzer, "t", blob, 0755);
  ASSERT_TRUE(endless.result);
  EXPECT_TRUE(endless.findings.packages.empty());
}

TEST_F(GoBinaryTest, BrokenBuildInfoSectionIsAnError) {
  std::string content = read_file(path("app.bin"));
  auto elf = ElfImage::parse(content);
  ASSERT_TRUE(elf);
  auto section = elf->section(".go.buildinfo");
  ASSERT_TRUE(section);
  const size_t offset = static_cast<size_t>(section->data.data() - content.data());
  // The version's varint length never ends.
  std::fill(content.begin() + offset + 32, content.begin() + offset + 48, '\xff');
  auto a = analyze_with(kGoBinaryAnalyzer, "app.bin", content, 0755);
  ASSERT_FALSE(a.result);
  EXPECT_EQ(a.result.error().code, ErrorCode::kInvalidArgument);
}

TEST(GoBinaryWants, ExecutablesOfAtLeastOneKiB) {
  EXPECT_TRUE(kGoBinaryAnalyzer.wants("usr/local/bin/app", 0755, 4096));
  EXPECT_TRUE(kGoBinaryAnalyzer.wants("app", 0100, 1024));
  EXPECT_FALSE(kGoBinaryAnalyzer.wants("usr/local/bin/app", 0644, 4096));
  EXPECT_FALSE(kGoBinaryAnalyzer.wants("usr/local/bin/app", 0755, 1023));
}

TEST(GoMod, RequireBlocksReplacesAndComments) {
  constexpr std::string_view kGoMod = R"(// A comment
module example.com/m // trailing

go 1.21

toolchain go1.21.5

require github.com/single/line v1.0.0

require (
	github.com/a/b v1.2.3
	github.com/c/d v0.0.0-20230101000000-abcdefabcdef // indirect
	"github.com/quoted/path" v2.0.0+incompatible
	golang.org/x/text v0.14.0
	github.com/versioned/replace v1.0.0
)

exclude github.com/a/b v1.2.2

replace (
	golang.org/x/text => golang.org/x/text v0.15.0
	github.com/versioned/replace v0.9.0 => github.com/never/used v9.9.9
	github.com/versioned/replace v1.0.0 => github.com/fork/replace v1.0.1
	github.com/a/b => ./local/b
)

retract v0.1.0
)";
  auto a = analyze_with(kGoModAnalyzer, "go.mod", kGoMod);
  ASSERT_TRUE(a.result) << a.result.error().message;
  EXPECT_EQ(package_keys(a.findings), (std::vector<std::string>{
                                          "golang:github.com/a/b@",
                                          "golang:github.com/c/d@v0.0.0-20230101000000-abcdefabcdef",
                                          "golang:github.com/fork/replace@v1.0.1",
                                          "golang:github.com/quoted/path@v2.0.0+incompatible",
                                          "golang:github.com/single/line@v1.0.0",
                                          "golang:golang.org/x/text@v0.15.0",
                                      }));
  // namespace_ is the path up to the last '/', name the last element.
  const Package& p = a.findings.packages.front();
  EXPECT_EQ(p.namespace_, "github.com/single");
  EXPECT_EQ(p.name, "line");
}

TEST(GoMod, MalformedIsAnError) {
  for (std::string_view bad : {"require (\n\tgithub.com/a/b v1\n", "require github.com/a/b\n",
                               "replace a =>\n", "require \"unterminated v1\n"}) {
    auto a = analyze_with(kGoModAnalyzer, "go.mod", bad);
    EXPECT_FALSE(a.result) << bad;
  }
  auto empty = analyze_with(kGoModAnalyzer, "go.mod", "module x\n");
  ASSERT_TRUE(empty.result);
  EXPECT_TRUE(empty.findings.packages.empty());
}

TEST(GoMod, WantsOnlyProjectGoMod) {
  EXPECT_TRUE(kGoModAnalyzer.wants("go.mod", 0644, 100));
  EXPECT_TRUE(kGoModAnalyzer.wants("src/app/go.mod", 0644, 100));
  EXPECT_FALSE(kGoModAnalyzer.wants("src/app/go.sum", 0644, 100));
  EXPECT_FALSE(kGoModAnalyzer.wants("src/app/vendor/github.com/a/b/go.mod", 0644, 100));
  EXPECT_FALSE(kGoModAnalyzer.wants("vendor/x/go.mod", 0644, 100));
  EXPECT_FALSE(kGoModAnalyzer.wants("root/go/pkg/mod/github.com/a/b@v1.0.0/go.mod", 0644, 100));
  EXPECT_FALSE(kGoModAnalyzer.wants("src/app/xgo.mod", 0644, 100));
}

}  // namespace
}  // namespace bulwark::scan
