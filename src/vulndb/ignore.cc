#include "vulndb/ignore.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <fstream>
#include <sstream>

namespace bulwark::vulndb {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool valid_id(std::string_view id) {
  if (id.empty() || !std::isalnum(static_cast<unsigned char>(id.front()))) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           c == ':';
  });
}

// A real calendar date written YYYY-MM-DD.
bool valid_date(std::string_view d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(d[i]))) return false;
  }
  int year = std::stoi(std::string(d.substr(0, 4)));
  int month = std::stoi(std::string(d.substr(5, 2)));
  int day = std::stoi(std::string(d.substr(8, 2)));
  if (month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int max = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= max;
}

std::vector<std::string_view> words_of(std::string_view line) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i >= line.size() || line[i] == '#') break;  // a comment runs to the end of the line
    size_t start = i;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    words.push_back(line.substr(start, i - start));
  }
  return words;
}

bool package_matches(std::string_view scope, const Finding& f) {
  if (scope.empty()) return true;
  if (scope.rfind("pkg:", 0) == 0) {
    std::string_view purl = f.purl;
    if (purl.rfind(scope, 0) != 0) return false;
    if (purl.size() == scope.size()) return true;
    char next = purl[scope.size()];
    return next == '@' || next == '?' || next == '#';
  }
  return f.package_name == scope;
}

}  // namespace

Result<IgnoreList> parse_ignore_list(std::string_view text) {
  IgnoreList list;
  int number = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++number;
    auto error = [&](const std::string& what) {
      return fail(ErrorCode::kInvalidArgument, "line " + std::to_string(number) + ": " + what);
    };
    std::vector<std::string_view> words = words_of(line);
    if (words.empty()) continue;
    IgnoreEntry entry;
    entry.line = number;
    if (!valid_id(words[0]) || words[0].rfind("exp:", 0) == 0)
      return error("'" + std::string(words[0]) + "' is not a vulnerability id");
    entry.id = words[0];
    for (size_t i = 1; i < words.size(); ++i) {
      std::string_view w = words[i];
      if (w.rfind("exp:", 0) == 0) {
        if (!entry.expires.empty()) return error("more than one exp: date");
        std::string_view date = w.substr(4);
        if (!valid_date(date))
          return error("'" + std::string(w) + "': the expiry date must be exp:YYYY-MM-DD");
        entry.expires = date;
      } else if (entry.package.empty() && entry.expires.empty()) {
        entry.package = w;
      } else {
        return error("unexpected '" + std::string(w) +
                     "' (an entry is: ID [PACKAGE|PURL] [exp:YYYY-MM-DD])");
      }
    }
    list.entries.push_back(std::move(entry));
  }
  return list;
}

Result<IgnoreList> load_ignore_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return fail(ErrorCode::kNotFound, "ignore file " + path.string() + " not found");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  if (!in && !in.eof()) return fail(ErrorCode::kIo, "cannot read ignore file " + path.string());
  auto list = parse_ignore_list(buf.str());
  if (!list) return fail(list.error().code, path.string() + ": " + list.error().message);
  return list;
}

bool ignore_applies(const IgnoreEntry& entry, const Finding& finding, std::string_view today) {
  if (!entry.expires.empty() && today > entry.expires) return false;
  if (!package_matches(entry.package, finding)) return false;
  if (iequals(entry.id, finding.vulnerability)) return true;
  return std::any_of(finding.aliases.begin(), finding.aliases.end(),
                     [&](const std::string& alias) { return iequals(entry.id, alias); });
}

size_t apply_ignore_list(const IgnoreList& list, std::string_view today, MatchResult& result) {
  size_t before = result.findings.size();
  std::erase_if(result.findings, [&](const Finding& f) {
    return std::any_of(list.entries.begin(), list.entries.end(),
                       [&](const IgnoreEntry& e) { return ignore_applies(e, f, today); });
  });
  return before - result.findings.size();
}

std::string utc_date(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
  return buf;
}

}  // namespace bulwark::vulndb
