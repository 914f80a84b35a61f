#include "vulndb/sources/feed_io.h"

#include <algorithm>
#include <fstream>
#include <system_error>

#include <boost/json/string.hpp>
#include <boost/json/value.hpp>

#include "common/strict_json.h"

namespace bulwark::vulndb::feed {

namespace fs = std::filesystem;

Result<std::string> read_file(const fs::path& path, size_t max_bytes) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return fail(ErrorCode::kInvalidArgument, path.string() + ": not a regular file");
  }
  const auto size = fs::file_size(path, ec);
  if (ec) return fail(ErrorCode::kIo, path.string() + ": cannot read: " + ec.message());
  if (size > max_bytes) {
    return fail(ErrorCode::kTooLarge, path.string() + ": larger than " +
                                          std::to_string(max_bytes) + " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::kIo, path.string() + ": cannot open");
  std::string bytes(static_cast<size_t>(size), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<size_t>(in.gcount()));
  if (in.bad()) return fail(ErrorCode::kIo, path.string() + ": read failed");
  // A file that grew since file_size is truncated at the limit we checked.
  return bytes;
}

std::string read_head(const fs::path& path, size_t n) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return {};
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::string bytes(n, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(n));
  bytes.resize(static_cast<size_t>(in.gcount()));
  return bytes;
}

Result<std::vector<fs::path>> list_files(const fs::path& path, bool (*accept)(const fs::path&)) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) return std::vector<fs::path>{path};
  if (!fs::is_directory(path, ec)) {
    return fail(ErrorCode::kInvalidArgument, path.string() + ": not a file or directory");
  }
  std::vector<fs::path> files;
  fs::recursive_directory_iterator it(path, fs::directory_options::none, ec), end;
  if (ec) return fail(ErrorCode::kIo, path.string() + ": cannot list: " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) return fail(ErrorCode::kIo, path.string() + ": cannot list: " + ec.message());
    if (it.depth() >= kMaxWalkDepth) it.disable_recursion_pending();
    if (it->is_symlink(ec) || !it->is_regular_file(ec)) continue;
    if (!accept(it->path())) continue;
    if (files.size() >= kMaxWalkFiles) {
      return fail(ErrorCode::kTooLarge, path.string() + ": more than " +
                                            std::to_string(kMaxWalkFiles) + " feed files");
    }
    files.push_back(it->path());
  }
  if (ec) return fail(ErrorCode::kIo, path.string() + ": cannot list: " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

bool any_file(const fs::path& path, bool (*accept)(const fs::path&)) {
  constexpr int kDepth = 3;
  constexpr int kEntries = 500;
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) return accept(path);
  if (!fs::is_directory(path, ec)) return false;
  fs::recursive_directory_iterator it(path, fs::directory_options::none, ec), end;
  int seen = 0;
  for (; !ec && it != end && seen < kEntries; it.increment(ec), ++seen) {
    if (it.depth() >= kDepth) it.disable_recursion_pending();
    if (it->is_symlink(ec) || !it->is_regular_file(ec)) continue;
    if (accept(it->path())) return true;
  }
  return false;
}

Result<ImportStats> import_files(const std::filesystem::path& path,
                                 bool (*accept)(const std::filesystem::path& file),
                                 FileImport import_file, ImportSink& sink) {
  BULWARK_ASSIGN_OR_RETURN(const auto files, list_files(path, accept));
  ImportStats stats;
  for (const auto& file : files) BULWARK_TRY_VOID(import_file(file, sink, stats));
  return stats;
}

Result<ImportStats> import_merged(const std::filesystem::path& path,
                                  bool (*accept)(const std::filesystem::path& file),
                                  FileCollect collect_file, ImportSink& sink) {
  BULWARK_ASSIGN_OR_RETURN(const auto files, list_files(path, accept));
  ImportStats stats;
  std::map<std::string, Advisory> advisories;
  for (const auto& file : files) BULWARK_TRY_VOID(collect_file(file, advisories, stats));
  add_advisories(advisories, sink, stats);
  return stats;
}

void add_advisories(std::map<std::string, Advisory>& advisories, ImportSink& sink, ImportStats& stats) {
  for (auto& [id, advisory] : advisories) {
    if (auto added = sink.add_advisory(std::move(advisory)); !added) {
      skip(stats, id + ": " + added.error().message);
      continue;
    }
    ++stats.records;
  }
}

void warn(ImportStats& stats, std::string message) {
  if (stats.warnings.size() < kMaxWarnings) {
    stats.warnings.push_back(std::move(message));
  } else if (stats.warnings.size() == kMaxWarnings) {
    stats.warnings.push_back("more warnings not shown");
  }
}

void skip(ImportStats& stats, std::string message) {
  ++stats.skipped;
  warn(stats, std::move(message));
}

std::string_view string_field(const boost::json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (value == nullptr || !value->is_string()) return {};
  const auto& s = value->get_string();
  return {s.data(), s.size()};
}

bool matches(std::string_view text, const std::regex& pattern, size_t max_length) {
  return text.size() <= max_length && std::regex_match(text.begin(), text.end(), pattern);
}

std::string quoted(std::string_view text) { return quote_untrusted(text); }

}  // namespace bulwark::vulndb::feed
