// TempDir: a fresh private directory (mkdtemp, mode 0700) under the system temp directory,
// removed with everything in it on destruction. For tests and tools. One owner; not thread-safe.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace bulwark {

class TempDir {
 public:
  // The directory is named "<prefix>-XXXXXX". Throws std::runtime_error if it cannot be made.
  explicit TempDir(std::string_view prefix = "bulwark") {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = std::move(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // `path()/name`.
  std::string file(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

}  // namespace bulwark
