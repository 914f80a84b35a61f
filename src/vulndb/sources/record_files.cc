// One-advisory-per-file feeds (see record_files.h). Stateless.
#include "vulndb/sources/record_files.h"

#include <algorithm>
#include <system_error>
#include <utility>

#include "vulndb/sources/feed_io.h"

namespace bulwark::vulndb::feed {

Result<ImportStats> import_record_files(const std::filesystem::path& path,
                                        bool (*accept)(const std::filesystem::path& file),
                                        RecordFileReader read, ImportSink& sink) {
  BULWARK_ASSIGN_OR_RETURN(const auto files, list_files(path, accept));
  std::error_code ec;
  const bool directory = std::filesystem::is_directory(path, ec);
  ImportStats stats;
  std::map<std::string, Advisory> advisories;
  for (const auto& file : files) {
    if (auto r = read(file, advisories, stats); !r) {
      if (!directory) return fail(std::move(r.error()));
      skip(stats, r.error().message);
    }
  }
  add_advisories(advisories, sink, stats);
  return stats;
}

void add_unique(std::vector<std::string>& list, std::string value) {
  if (value.empty() || std::find(list.begin(), list.end(), value) != list.end()) return;
  list.push_back(std::move(value));
}

void merge_advisory(std::map<std::string, Advisory>& advisories, Advisory advisory) {
  auto [it, added] = advisories.try_emplace(advisory.id, advisory);
  if (added) return;
  Advisory& into = it->second;
  for (auto& alias : advisory.aliases) {
    if (alias != into.id) add_unique(into.aliases, std::move(alias));
  }
  for (auto& reference : advisory.references) add_unique(into.references, std::move(reference));
  for (auto& severity : advisory.severities) {
    const bool known = std::any_of(into.severities.begin(), into.severities.end(), [&](const auto& s) {
      return s.type == severity.type && s.value == severity.value;
    });
    if (!known) into.severities.push_back(std::move(severity));
  }
  for (auto& affected : advisory.affected) into.affected.push_back(std::move(affected));
}

}  // namespace bulwark::vulndb::feed
