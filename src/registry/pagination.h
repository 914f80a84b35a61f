// `n`/`last` pagination shared by tags/list and _catalog, with the RFC 5988 Link header the
// distribution spec uses for the next page. Stateless.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "http/http.h"
#include "registry/respond.h"

namespace bulwark::registry {

struct Page {
  size_t limit = 0;   // page size the client asked for (or the default)
  std::string last;   // exclusive lower bound
};

inline constexpr size_t kMaxPageSize = 10000;

// Reads ?n= (0..kMaxPageSize; larger values are clamped) and ?last=. Non-numeric n -> 400.
Parsed<Page> page_param(const http::Request& request);

// Reads ?limit= of the /api/v1 listings: absent means `fallback`; otherwise a whole number from
// 1 to `max`, else 400 BAD_REQUEST saying so.
Parsed<size_t> limit_param(const http::Request& request, size_t fallback, size_t max);

// Fetches one page via `list(after, limit + 1)` and builds the response body with `render`,
// adding `Link: <path?n=..&last=..>; rel="next"` when more items exist.
http::Task<http::Response> paged_response(
    const Page& page, std::string_view path,
    std::function<Result<std::vector<std::string>>(std::string_view after, size_t limit)> list,
    std::function<std::string(const std::vector<std::string>&)> render);

}  // namespace bulwark::registry
