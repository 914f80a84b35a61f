// Route matching: segment-wise comparison with backtracking for {var+}; no regex, and no
// allocation on the lookup path beyond the captured parameters.
#include "http/router.h"

#include <algorithm>

namespace bulwark::http {
namespace {

// Splits "/a/b/c" into {"a","b","c"} ("/" yields one empty segment). Views point into `path`.
void split_path(std::string_view path, std::vector<std::string_view>& out) {
  out.clear();
  if (path.empty() || path.front() != '/') return;
  path.remove_prefix(1);
  for (;;) {
    size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) return;
    path.remove_prefix(slash + 1);
  }
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler) {
  std::vector<std::string_view> parts;
  split_path(pattern, parts);
  Route route{std::move(method), {}, std::move(handler)};
  for (std::string_view part : parts) {
    Segment segment{Segment::kLiteral, std::string(part)};
    if (part.size() >= 2 && part.front() == '{' && part.back() == '}') {
      std::string_view name = part.substr(1, part.size() - 2);
      bool many = !name.empty() && name.back() == '+';
      if (many) name.remove_suffix(1);
      segment = Segment{many ? Segment::kMany : Segment::kOne, std::string(name)};
    }
    route.segments.push_back(std::move(segment));
  }
  routes_.push_back(std::move(route));
}

// Matches pattern[pi..] against parts[si..]. On success appends the captures of that suffix in
// reverse order (captures are recorded only once the rest has matched, so failed branches of the
// backtracking never allocate).
bool Router::match_segments(const std::vector<Segment>& pattern, size_t pi,
                            const std::vector<std::string_view>& parts, size_t si,
                            std::vector<std::pair<std::string, std::string>>& params) {
  if (pi == pattern.size()) return si == parts.size();
  if (si >= parts.size()) return false;
  const Segment& segment = pattern[pi];
  if (segment.kind == Segment::kLiteral) {
    return parts[si] == segment.text && match_segments(pattern, pi + 1, parts, si + 1, params);
  }
  if (parts[si].empty()) return false;
  if (segment.kind == Segment::kOne) {
    if (!match_segments(pattern, pi + 1, parts, si + 1, params)) return false;
    params.emplace_back(segment.text, parts[si]);
    return true;
  }
  // kMany: every later segment consumes at least one part; take as many non-empty parts as
  // possible (like the greedy name capture of the Distribution spec's regexes) and back off.
  size_t longest = parts.size() - (pattern.size() - pi - 1);
  size_t end = si + 1;
  while (end < longest && !parts[end].empty()) ++end;
  for (; end > si; --end) {
    if (match_segments(pattern, pi + 1, parts, end, params)) {
      const char* first = parts[si].data();
      const char* last = parts[end - 1].data() + parts[end - 1].size();
      params.emplace_back(segment.text, std::string(first, last));
      return true;
    }
  }
  return false;
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  thread_local std::vector<std::string_view> parts;
  split_path(path, parts);
  const bool head = method == "HEAD";
  Match result;
  Match fallback;  // first GET route for a HEAD request
  std::vector<std::pair<std::string, std::string>> scratch;
  for (const Route& route : routes_) {
    const bool exact = route.method == method;
    const bool get_for_head = head && fallback.handler == nullptr && route.method == "GET";
    if (!exact && !get_for_head && result.path_matched) continue;
    scratch.clear();
    if (!match_segments(route.segments, 0, parts, 0, scratch)) continue;
    result.path_matched = true;
    std::reverse(scratch.begin(), scratch.end());
    if (exact) {
      result.handler = &route.handler;
      result.params = std::move(scratch);
      return result;
    }
    if (get_for_head) {
      fallback.handler = &route.handler;
      fallback.params = std::move(scratch);
    }
  }
  if (fallback.handler != nullptr) {
    fallback.path_matched = true;
    return fallback;
  }
  return result;
}

}  // namespace bulwark::http
