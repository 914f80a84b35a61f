// kPythonMetadataAnalyzer against real installed distributions: the system's dist-packages and
// the running python3's site-packages (dist-info directories, egg-info directories and egg-info
// files made by pip, setuptools and Debian), compared with what Python's own importlib.metadata
// reports for the same directories. The test lists the files; the analyzer only sees bytes.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "scan/analyzer.h"

namespace bulwark::scan {
extern const Analyzer kPythonMetadataAnalyzer;
namespace {

namespace fs = std::filesystem;

std::string command_output(const std::string& command) {
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  if (!pipe) return out;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe.get())) > 0) out.append(buffer, n);
  return out;
}

// "name\tversion" of every distribution importlib.metadata finds directly in `dir`.
std::set<std::string> importlib_answer(const fs::path& dir) {
  std::string script =
      "import importlib.metadata as m, sys\n"
      "for d in m.distributions(path=[sys.argv[1]]):\n"
      "    n = d.metadata['Name']\n"
      "    if n and d.version: print(n + '\\t' + d.version)\n";
  std::string out = command_output("python3 -c \"" + script + "\" '" + dir.string() + "'");
  std::set<std::string> answer;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) answer.insert(line);
  return answer;
}

// Runs the analyzer over every file it wants among `dir`'s entries and their children.
std::set<std::string> analyzer_answer(const fs::path& dir) {
  std::set<std::string> found;
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
    if (entry.is_directory()) {
      for (const auto& child : fs::directory_iterator(entry.path(), ec)) {
        if (child.is_regular_file()) files.push_back(child.path());
      }
    }
  }
  for (const fs::path& file : files) {
    std::string path = file.relative_path().generic_string();  // as in an image: no leading '/'
    if (!kPythonMetadataAnalyzer.wants(path, 0644, fs::file_size(file))) continue;
    std::ifstream in(file, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    std::string content = bytes.str();
    Findings findings;
    auto result = kPythonMetadataAnalyzer.analyze(FileInput{path, content, 0644}, findings);
    EXPECT_TRUE(result.has_value()) << path << ": " << (result ? "" : result.error().message);
    for (const Package& p : findings.packages) {
      EXPECT_EQ(p.type, "pypi");
      found.insert(p.name + "\t" + p.version);
    }
  }
  return found;
}

TEST(PythonInstalledTest, MetadataEqualsImportlib) {
  std::set<fs::path> dirs = {"/usr/lib/python3/dist-packages"};
  std::string purelib =
      command_output("python3 -c \"import sysconfig; print(sysconfig.get_paths()['purelib'])\"");
  while (!purelib.empty() && purelib.back() == '\n') purelib.pop_back();
  if (!purelib.empty()) dirs.insert(purelib);
  size_t compared = 0;
  for (const fs::path& dir : dirs) {
    if (!fs::is_directory(dir)) continue;
    std::set<std::string> expected = importlib_answer(dir);
    std::set<std::string> found = analyzer_answer(dir);
    EXPECT_EQ(found, expected) << dir;
    compared += expected.size();
  }
  EXPECT_GT(compared, 0u) << "no installed Python distributions to compare with";
}

}  // namespace
}  // namespace bulwark::scan
