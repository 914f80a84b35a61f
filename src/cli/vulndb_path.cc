#include "cli/vulndb_path.h"

#include <cstdlib>

namespace bulwark::cli {
namespace {

std::string_view env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string_view() : std::string_view(value);
}

}  // namespace

std::filesystem::path data_dir(std::string_view data_flag) {
  if (!data_flag.empty()) return std::filesystem::path(data_flag);
  if (std::string_view data = env("BULWARK_DATA"); !data.empty()) return std::filesystem::path(data);
  return "./var";
}

std::filesystem::path default_vulndb_path(const std::filesystem::path& data_dir) {
  if (std::string_view db = env("BULWARK_VULNDB"); !db.empty()) return std::filesystem::path(db);
  return data_dir / "vulndb.sqlite";
}

std::filesystem::path vulndb_path(std::string_view db_flag, std::string_view data_flag) {
  if (!db_flag.empty()) return std::filesystem::path(db_flag);
  return default_vulndb_path(data_dir(data_flag));
}

}  // namespace bulwark::cli
