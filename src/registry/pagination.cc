#include "registry/pagination.h"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <charconv>

namespace bulwark::registry {

Parsed<size_t> limit_param(const http::Request& request, size_t fallback, size_t max) {
  auto text = request.query_param("limit");
  if (!text || text->empty()) return fallback;
  size_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value == 0 || value > max) {
    return tl::unexpected(oci_error(oci::ErrorCode::kBadRequest,
                                    "limit must be a whole number from 1 to " + std::to_string(max)));
  }
  return value;
}

Parsed<Page> page_param(const http::Request& request) {
  Page page{kMaxPageSize, ""};
  if (auto n = request.query_param("n")) {
    uint64_t value = 0;
    auto [p, ec] = std::from_chars(n->data(), n->data() + n->size(), value);
    if (n->empty() || p != n->data() + n->size() || (ec != std::errc() && ec != std::errc::result_out_of_range)) {
      return tl::unexpected(oci_error(oci::ErrorCode::kBadRequest,
                                      "n must be a non-negative integer"));
    }
    page.limit = ec == std::errc::result_out_of_range ? kMaxPageSize
                                                      : std::min<uint64_t>(value, kMaxPageSize);
  }
  if (auto last = request.query_param("last")) page.last = *last;
  return page;
}

http::Task<http::Response> paged_response(
    const Page& page, std::string_view path,
    std::function<Result<std::vector<std::string>>(std::string_view, size_t)> list,
    std::function<std::string(const std::vector<std::string>&)> render) {
  std::vector<std::string> items;
  if (page.limit > 0) {
    auto listed = co_await blocking([&] { return list(page.last, page.limit + 1); });
    if (!listed) {
      co_return error_response(listed.error(), oci::ErrorCode::kNameUnknown,
                               oci::ErrorCode::kBadRequest);
    }
    items = std::move(*listed);
  }
  http::Response r;
  r.headers.set("Content-Type", "application/json");
  if (items.size() > page.limit) {
    items.resize(page.limit);
    std::string link = "<" + std::string(path) + "?n=" + std::to_string(page.limit) + "&last=" +
                       boost::urls::encode(items.back(), boost::urls::unreserved_chars) +
                       ">; rel=\"next\"";
    r.headers.set("Link", std::move(link));
  }
  r.body = render(items);
  co_return r;
}

}  // namespace bulwark::registry
