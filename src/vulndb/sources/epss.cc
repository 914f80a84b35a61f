// The FIRST EPSS importer: CSV files of (cve, epss, percentile) into EpssScore records. Two
// layouts: the official daily file ("#model_version:...,score_date:..." comment line, then the
// header "cve,epss,percentile", comma separated) and the EMBA crawler's per-year files
// (semicolon separated "CVE-ID;epss;percentile", no header). The separator is taken from the
// first data line. Compressed (.gz) files are not read. Stateless; thread-safe.
#include <charconv>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "vulndb/advisory.h"
#include "vulndb/sources/feed_io.h"

namespace bulwark::vulndb {
namespace {

namespace fs = std::filesystem;
constexpr size_t kMaxFileBytes = 256u << 20;
constexpr std::string_view kHeader = "cve,epss,percentile";

bool is_cve(std::string_view text) {
  static const std::regex kCve(R"(CVE-\d{4}-\d{4,})");
  return feed::matches(text, kCve);
}

bool is_epss_file(const fs::path& file) {
  if (file.extension() != ".csv") return false;
  const std::string head = feed::read_head(file, 256);
  return head.starts_with("#model_version") || head.starts_with(kHeader) ||
         (head.starts_with("CVE-") && head.find_first_of(";,") != std::string::npos);
}

bool recognizes(const fs::path& path) { return feed::any_file(path, is_epss_file); }

std::vector<std::string_view> split(std::string_view line, char separator) {
  std::vector<std::string_view> fields;
  for (size_t start = 0;;) {
    const size_t end = line.find(separator, start);
    fields.push_back(line.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return fields;
    start = end + 1;
  }
}

// A probability in [0, 1], written as a plain decimal.
bool parse_probability(std::string_view text, double& out) {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out,
                                         std::chars_format::fixed);
  return ec == std::errc() && end == text.data() + text.size() && out >= 0 && out <= 1;
}

Result<void> import_file(const fs::path& file, ImportSink& sink, ImportStats& stats) {
  BULWARK_ASSIGN_OR_RETURN(const std::string bytes, feed::read_file(file, kMaxFileBytes));
  const std::string_view text = bytes;
  char separator = 0;
  size_t line_number = 0;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.empty() || line.starts_with('#')) continue;
    const std::string where = file.string() + ":" + std::to_string(line_number);
    if (separator == 0) {  // the first data line: a header, or the first record
      if (line == kHeader) {
        separator = ',';
        continue;
      }
      if (!line.starts_with("CVE-")) {
        return fail(ErrorCode::kInvalidArgument,
                    where + ": not an EPSS header or record: " + feed::quoted(line));
      }
      separator = line.find(';') != std::string_view::npos ? ';' : ',';
    }
    const auto fields = split(line, separator);
    EpssScore score;
    if (fields.size() != 3 || !is_cve(fields[0]) || !parse_probability(fields[1], score.score) ||
        !parse_probability(fields[2], score.percentile)) {
      feed::skip(stats, where + ": malformed EPSS record " + feed::quoted(line));
      continue;
    }
    score.cve = std::string(fields[0]);
    if (auto added = sink.add_epss(std::move(score)); !added) {
      feed::skip(stats, where + ": " + added.error().message);
      continue;
    }
    ++stats.records;
  }
  return ok();
}

Result<ImportStats> import(const fs::path& path, ImportSink& sink) {
  return feed::import_files(path, is_epss_file, import_file, sink);
}

}  // namespace

extern const Importer kEpssImporter;
const Importer kEpssImporter{"epss", recognizes, import};

}  // namespace bulwark::vulndb
