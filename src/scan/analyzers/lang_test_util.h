// Test helpers for the language-package analyzer tests: read a sample from
// analyzers/testdata/lang, run one analyzer over bytes, and summarise the packages found as
// sorted strings "type:namespace/name@version[ dev]" for exact comparison. Test code only.
#pragma once

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "scan/analyzer.h"

namespace bulwark::scan::lang_test {

// The bytes of testdata/lang/<name>; fails the test (empty result) when unreadable.
inline std::string read_testdata(std::string_view name) {
  std::string path = std::string(SCAN_LANG_TESTDATA_DIR) + "/" + std::string(name);
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// "npm:@babel/core@7.22.5", "+ dev" marks dev packages.
inline std::string describe(const Package& p) {
  std::string out = p.type + ":";
  if (!p.namespace_.empty()) out += p.namespace_ + "/";
  out += p.name + "@" + p.version;
  if (p.dev) out += " dev";
  return out;
}

inline std::vector<std::string> describe_all(const std::vector<Package>& packages) {
  std::vector<std::string> out;
  for (const Package& p : packages) out.push_back(describe(p));
  std::sort(out.begin(), out.end());
  return out;
}

// Runs `analyzer` over `content` as if it were the image file `path`.
inline Result<Findings> run(const Analyzer& analyzer, std::string_view path,
                            std::string_view content) {
  Findings findings;
  FileInput file{path, content, 0644};
  auto result = analyzer.analyze(file, findings);
  if (!result) return fail(result.error());
  return findings;
}

// Runs `analyzer` and returns the sorted summaries; fails the test on an error.
inline std::vector<std::string> packages_of(const Analyzer& analyzer, std::string_view path,
                                            std::string_view content) {
  auto findings = run(analyzer, path, content);
  EXPECT_TRUE(findings.has_value()) << (findings ? "" : findings.error().message);
  return findings ? describe_all(findings->packages) : std::vector<std::string>{};
}

// The package named `name` (first match), or nullptr.
inline const Package* find_package(const Findings& findings, std::string_view name) {
  for (const Package& p : findings.packages) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

// True when `analyzer` rejects `content` with an error (and does not crash).
inline bool rejects(const Analyzer& analyzer, std::string_view path, std::string_view content) {
  return !run(analyzer, path, content).has_value();
}

}  // namespace bulwark::scan::lang_test
