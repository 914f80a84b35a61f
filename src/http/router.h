// Route table: method + path pattern -> handler. Built once at start-up, then read-only, so
// lookups are thread-safe without locks.
//
// Patterns are '/'-separated segments: a literal, `{var}` (exactly one segment) or `{var+}`
// (one or more segments, matched so that the rest of the pattern still fits — how OCI repository
// names with slashes are captured: "/v2/{name+}/manifests/{reference}").
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/http.h"

namespace bulwark::http {

class Router {
 public:
  void add(std::string method, std::string pattern, Handler handler);

  struct Match {
    const Handler* handler = nullptr;  // null: no route
    bool path_matched = false;         // a route matched the path but not the method (-> 405)
    std::vector<std::pair<std::string, std::string>> params;
  };
  // HEAD falls back to a GET route when no HEAD route is registered.
  Match match(std::string_view method, std::string_view path) const;

 private:
  struct Segment {
    enum Kind { kLiteral, kOne, kMany } kind;
    std::string text;  // literal text or variable name
  };
  struct Route {
    std::string method;
    std::vector<Segment> segments;
    Handler handler;
  };
  static bool match_segments(const std::vector<Segment>& pattern, size_t pi,
                             const std::vector<std::string_view>& parts, size_t si,
                             std::vector<std::pair<std::string, std::string>>& params);
  std::vector<Route> routes_;
};

}  // namespace bulwark::http
