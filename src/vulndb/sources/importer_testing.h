// Test helpers for the importer tests: a sink that keeps everything, and the output of an
// independent expectation script (tests/vulndb/*_expect.py). Test code only.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "vulndb/advisory.h"

namespace bulwark::vulndb::importer_testing {

// Keeps every record an importer hands over.
class CollectingSink : public ImportSink {
 public:
  Result<void> add_advisory(Advisory advisory) override {
    advisories.push_back(std::move(advisory));
    return ok();
  }
  Result<void> add_kev(KevEntry entry) override {
    kev.push_back(std::move(entry));
    return ok();
  }
  Result<void> add_epss(EpssScore score) override {
    epss.push_back(std::move(score));
    return ok();
  }
  std::vector<Advisory> advisories;
  std::vector<KevEntry> kev;
  std::vector<EpssScore> epss;
};

// The lines `python3 SCRIPT ARGS...` prints, sorted; a non-zero exit fails the test.
inline std::vector<std::string> run_expect_script(const std::string& script,
                                                  const std::vector<std::string>& args) {
  std::string command = "python3 '" + script + "'";
  for (const auto& arg : args) command += " '" + arg + "'";
  std::vector<std::string> lines;
  FILE* pipe = ::popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr) << command;
  if (pipe == nullptr) return lines;
  std::string line;
  for (int c; (c = std::fgetc(pipe)) != EOF;) {
    if (c == '\n') {
      lines.push_back(line);
      line.clear();
    } else {
      line.push_back(static_cast<char>(c));
    }
  }
  EXPECT_EQ(::pclose(pipe), 0) << command;
  std::sort(lines.begin(), lines.end());
  return lines;
}

}  // namespace bulwark::vulndb::importer_testing
