// The npm analyzers against a real installed tree: copies shared/data/vulndb/npm-tree (a
// package.json + package-lock.json v3 of 69 pinned packages) to a temporary directory, installs it
// with `npm ci` (needs npm and the npm registry), and checks that
//   (a) kNpmPackageAnalyzer over every node_modules/**/package.json it wants, and
//   (b) kNpmLockAnalyzer over package-lock.json
// each find exactly the (name, version) pairs of `npm ls --all --json`. The test walks the tree
// with std::filesystem; the analyzers only see bytes.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "common/temp_dir.h"
#include "scan/analyzer.h"

namespace bulwark::scan {
extern const Analyzer kNpmPackageAnalyzer, kNpmLockAnalyzer;
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// Runs a shell command; returns its exit status (-1 if it did not exit normally).
int shell(const std::string& command) {
  int status = std::system(command.c_str());
  return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string key_of(const Package& p) {
  return (p.namespace_.empty() ? "" : p.namespace_ + "/") + p.name + "@" + p.version;
}

// Every (name@version) in the dependency tree printed by `npm ls --all --json`.
std::set<std::string> flatten_npm_ls(const json::value& root) {
  std::set<std::string> out;
  std::vector<const json::object*> stack;
  if (const json::object* top = root.as_object().if_contains("dependencies")
                                    ? &root.at("dependencies").as_object()
                                    : nullptr) {
    stack.push_back(top);
  }
  while (!stack.empty()) {
    const json::object* dependencies = stack.back();
    stack.pop_back();
    for (const auto& [name, node] : *dependencies) {
      const json::object& info = node.as_object();
      if (const json::value* version = info.if_contains("version")) {
        out.insert(std::string(name) + "@" + std::string(version->as_string()));
      }
      if (const json::value* nested = info.if_contains("dependencies")) {
        stack.push_back(&nested->as_object());
      }
    }
  }
  return out;
}

std::string difference(const std::set<std::string>& expected, const std::set<std::string>& got) {
  std::string out;
  for (const std::string& item : expected) {
    if (!got.count(item)) out += " missing:" + item;
  }
  for (const std::string& item : got) {
    if (!expected.count(item)) out += " extra:" + item;
  }
  return out;
}

class NpmTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    app_ = fs::path(dir_.path()) / "app";
    fs::create_directories(app_);
    for (const char* name : {"package.json", "package-lock.json"}) {
      fs::copy_file(fs::path(NPM_TREE_DIR) / name, app_ / name);
    }
    std::string cd = "cd '" + app_.string() + "' && ";
    ASSERT_EQ(shell(cd + "npm ci --ignore-scripts --no-audit --no-fund --loglevel=error "
                         "> npm-ci.log 2>&1"),
              0)
        << read_file(app_ / "npm-ci.log");
    ASSERT_EQ(shell(cd + "npm ls --all --json > ../npm-ls.json 2> ../npm-ls.err"), 0)
        << read_file(fs::path(dir_.path()) / "npm-ls.err");
    json::value ls = json::parse(read_file(fs::path(dir_.path()) / "npm-ls.json"));
    expected_ = flatten_npm_ls(ls);
    ASSERT_EQ(expected_.size(), 69u) << "the fixture pins 69 packages";
  }

  TempDir dir_{"bulwark-npm-tree"};
  fs::path app_;
  std::set<std::string> expected_;
};

TEST_F(NpmTreeTest, InstalledPackageJsonsEqualNpmLs) {
  std::set<std::string> found;
  size_t wanted = 0;
  for (auto it = fs::recursive_directory_iterator(dir_.path()); it != fs::end(it); ++it) {
    if (!it->is_regular_file() || it->is_symlink()) continue;
    // The path as the walker would give it: relative, no leading '/'.
    std::string path = fs::relative(it->path(), dir_.path()).generic_string();
    uint64_t size = it->file_size();
    if (!kNpmPackageAnalyzer.wants(path, 0644, size)) continue;
    ++wanted;
    std::string content = read_file(it->path());
    Findings findings;
    auto result = kNpmPackageAnalyzer.analyze(FileInput{path, content, 0644}, findings);
    ASSERT_TRUE(result.has_value()) << path << ": " << result.error().message;
    for (const Package& p : findings.packages) {
      EXPECT_EQ(p.type, "npm");
      found.insert(key_of(p));
    }
  }
  EXPECT_GE(wanted, expected_.size());
  EXPECT_EQ(found, expected_) << difference(expected_, found);
}

TEST_F(NpmTreeTest, LockFileEqualsNpmLs) {
  EXPECT_TRUE(kNpmLockAnalyzer.wants("app/package-lock.json", 0644, 1));
  // npm's hidden lockfile inside node_modules is not a project lock file.
  ASSERT_TRUE(fs::exists(app_ / "node_modules/.package-lock.json"));
  EXPECT_FALSE(kNpmLockAnalyzer.wants("app/node_modules/.package-lock.json", 0644, 1));

  std::string content = read_file(app_ / "package-lock.json");
  Findings findings;
  auto result =
      kNpmLockAnalyzer.analyze(FileInput{"app/package-lock.json", content, 0644}, findings);
  ASSERT_TRUE(result.has_value()) << result.error().message;
  std::set<std::string> found;
  for (const Package& p : findings.packages) {
    EXPECT_EQ(p.type, "npm");
    EXPECT_FALSE(p.dev) << key_of(p);
    found.insert(key_of(p));
  }
  EXPECT_EQ(findings.packages.size(), found.size()) << "repeats were not merged";
  EXPECT_EQ(found, expected_) << difference(expected_, found);
}

}  // namespace
}  // namespace bulwark::scan
