// Test helpers for the Go, Rust and Java analyzer tests: running the real tools that build their
// inputs, reading and writing files, and rendering findings for exact comparisons. Test-only;
// not thread-safe (tests are single-threaded).
#pragma once

#include <stdio.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "scan/analyzer.h"

namespace bulwark::scan::testing {

struct CommandResult {
  int status = -1;     // exit status, or -1 if it did not exit normally
  std::string output;  // stdout and stderr
};

// Runs `command` with /bin/sh, capturing its output.
inline CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  int status = ::pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// Single-quotes `text` for /bin/sh.
inline std::string shell_quote(std::string_view text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_file(const std::string& path, std::string_view content) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

// The result of one analyzer call.
struct Analysis {
  Result<void> result;
  Findings findings;
};

inline Analysis analyze_with(const Analyzer& analyzer, std::string_view path, std::string_view content,
                             uint32_t mode = 0644) {
  Analysis a;
  a.result = analyzer.analyze(FileInput{path, content, mode}, a.findings);
  return a;
}

// "type:namespace/name@version" plus " <evidence>" if set; sorted, for exact comparisons.
inline std::vector<std::string> package_keys(const Findings& findings) {
  std::vector<std::string> keys;
  for (const Package& p : findings.packages) {
    std::string key = p.type + ":" + (p.namespace_.empty() ? "" : p.namespace_ + "/") + p.name + "@" + p.version;
    if (!p.evidence.empty()) key += " " + p.evidence;
    keys.push_back(key);
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

}  // namespace bulwark::scan::testing
