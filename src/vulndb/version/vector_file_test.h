// Test helper shared by golang_test.cc and composer_test.cc: reads a version vector file
// (format: testdata/README.md) and checks a scheme against it. Test-only; not thread-safe.
#pragma once

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "vulndb/version/scheme.h"

namespace bulwark::vulndb::testing_vectors {

inline int sign(int v) { return (v > 0) - (v < 0); }

// Checks every "A OP B", "chain:" and "same:" vector of testdata/<file> in both directions,
// reflexivity, the "valid:"/"invalid:" lists, and that all mentioned versions sort without
// cycles. Returns the number of ordering vectors checked.
inline size_t check_vector_file(const VersionScheme& s, const std::string& file) {
  std::ifstream in(std::string(VULNDB_VERSION_TESTDATA_DIR) + "/" + file);
  EXPECT_TRUE(in) << file;
  std::vector<std::string> versions;
  size_t checked = 0;
  auto expect = [&](const std::string& a, const std::string& b, int want, int line) {
    SCOPED_TRACE(file + ":" + std::to_string(line) + ": '" + a + "' vs '" + b + "'");
    EXPECT_EQ(sign(s.compare(a, b)), want);
    EXPECT_EQ(sign(s.compare(b, a)), -want) << "antisymmetry";
    EXPECT_TRUE(s.valid(a));
    EXPECT_TRUE(s.valid(b));
    ++checked;
  };
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    line = line.substr(0, line.find('#'));
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string word; words >> word;) w.push_back(word);
    if (w.empty()) continue;
    if (w[0] == "chain:" || w[0] == "same:") {
      for (size_t i = 1; i < w.size(); ++i) {
        for (size_t j = i + 1; j < w.size(); ++j) expect(w[i], w[j], w[0] == "chain:" ? -1 : 0, number);
      }
      for (size_t i = 1; i < w.size(); ++i) EXPECT_TRUE(s.valid(w[i])) << file << ":" << number << ": " << w[i];
      versions.insert(versions.end(), w.begin() + 1, w.end());
    } else if (w[0] == "valid:" || w[0] == "invalid:") {
      for (size_t i = 1; i < w.size(); ++i) {
        EXPECT_EQ(s.valid(w[i]), w[0] == "valid:") << file << ":" << number << ": " << w[i];
        EXPECT_EQ(s.compare(w[i], w[i]), 0) << w[i];
      }
      versions.insert(versions.end(), w.begin() + 1, w.end());
    } else {
      EXPECT_EQ(w.size(), 3u) << file << ":" << number;
      const int op = w.size() != 3 ? 99 : w[1] == "<" ? -1 : w[1] == "=" ? 0 : w[1] == ">" ? 1 : 99;
      EXPECT_NE(op, 99) << file << ":" << number;
      if (op == 99) continue;
      expect(w[0], w[2], op, number);
      versions.push_back(w[0]);
      versions.push_back(w[2]);
    }
  }
  // Insertion sort never misbehaves on a broken comparator; a cycle shows up as a pair out of
  // order afterwards.
  std::sort(versions.begin(), versions.end());
  versions.erase(std::unique(versions.begin(), versions.end()), versions.end());
  for (size_t i = 1; i < versions.size(); ++i) {
    for (size_t j = i; j > 0 && s.compare(versions[j - 1], versions[j]) > 0; --j) {
      std::swap(versions[j - 1], versions[j]);
    }
  }
  for (size_t i = 0; i < versions.size(); ++i) {
    for (size_t j = i + 1; j < versions.size(); ++j) {
      EXPECT_LE(s.compare(versions[i], versions[j]), 0)
          << file << ": '" << versions[i] << "' sorted before '" << versions[j] << "'";
    }
  }
  return checked;
}

}  // namespace bulwark::vulndb::testing_vectors
