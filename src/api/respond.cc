// JSON answers, errors and request-body readers of the management API (context.h).
#include "api/context.h"
#include "common/log.h"
#include "common/strict_json.h"

namespace bulwark::api {

http::Response json_response(int status, json::value body) {
  http::Response r;
  r.status = status;
  r.headers.set("Content-Type", "application/json");
  r.headers.set("Cache-Control", "no-store");
  r.body = json::serialize(body);
  return r;
}

http::Response error_response(int status, std::string_view code, std::string_view message) {
  return json_response(
      status,
      json::object{{"errors", json::array{json::object{{"code", code}, {"message", message}}}}});
}

http::Response invalid(std::string_view message) { return error_response(422, "INVALID", message); }

http::Response no_content() {
  http::Response r;
  r.status = 204;
  return r;
}

namespace {

// How each store or service error is answered; `log` marks server-side faults.
struct ErrorAnswer {
  ErrorCode code;
  int status;
  std::string_view wire;
  bool log;
  std::string_view public_message;  // replaces the internal message when set
};
constexpr ErrorAnswer kErrorAnswers[] = {
    {ErrorCode::kInvalidArgument, 422, "INVALID", false, {}},
    {ErrorCode::kUnsupported, 422, "INVALID", false, {}},
    {ErrorCode::kOutOfRange, 422, "INVALID", false, {}},
    {ErrorCode::kNotFound, 404, "NOT_FOUND", false, {}},
    {ErrorCode::kAlreadyExists, 409, "ALREADY_EXISTS", false, {}},
    {ErrorCode::kConflict, 409, "CONFLICT", false, {}},
    {ErrorCode::kTooLarge, 413, "TOO_LARGE", false, {}},
    {ErrorCode::kUnavailable, 503, "UNAVAILABLE", true, "temporarily unavailable"},
    {ErrorCode::kIo, 503, "UNAVAILABLE", true, "temporarily unavailable"},
};

}  // namespace

http::Response admin_error(const AdminError& error) {
  if (error.denied) return error_response(403, "DENIED", error.error.message);
  for (const ErrorAnswer& a : kErrorAnswers) {
    if (a.code != error.error.code) continue;
    if (a.log) {
      log_event(LogLevel::kError, "management API store error",
                {{"error", error_code_name(a.code)}, {"detail", error.error.message}});
    }
    return error_response(
        a.status, a.wire,
        a.public_message.empty() ? std::string_view(error.error.message) : a.public_message);
  }
  log_event(LogLevel::kError, "management API internal error",
            {{"error", error_code_name(error.error.code)}, {"detail", error.error.message}});
  return error_response(500, "INTERNAL", "internal error");
}

http::Task<Parsed<json::object>> read_object(Context& ctx, http::Request& request) {
  const size_t max = ctx.options.max_body_bytes;
  auto too_large = [&] {
    return error_response(413, "TOO_LARGE",
                          "request body exceeds " + std::to_string(max) + " bytes");
  };
  if (auto len = request.body->content_length(); len && *len > max)
    co_return tl::unexpected(too_large());
  std::string text;
  char buf[16 * 1024];
  for (;;) {
    auto n = co_await request.body->read(std::span<char>(buf, sizeof buf));
    if (!n) {
      if (n.error().code == ErrorCode::kTooLarge) co_return tl::unexpected(too_large());
      co_return tl::unexpected(error_response(400, "BAD_REQUEST", "cannot read the request body"));
    }
    if (*n == 0) break;
    if (text.size() + *n > max) co_return tl::unexpected(too_large());
    text.append(buf, *n);
  }
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) co_return json::object{};
  auto parsed = parse_strict_json(text, 16);
  if (!parsed) {
    co_return tl::unexpected(
        error_response(400, "BAD_REQUEST", "request body: " + parsed.error().message));
  }
  if (!parsed->is_object()) {
    co_return tl::unexpected(
        error_response(400, "BAD_REQUEST", "request body must be a JSON object"));
  }
  co_return std::move(parsed->get_object());
}

Parsed<bool> check_keys(const json::object& body, std::initializer_list<std::string_view> allowed) {
  for (const auto& field : body) {
    bool known = false;
    for (std::string_view k : allowed) known = known || field.key() == k;
    if (!known) return tl::unexpected(invalid("unknown field " + quote_untrusted(field.key())));
  }
  return true;
}

Parsed<std::optional<std::string>> opt_string(const json::object& body, std::string_view key) {
  const json::value* v = body.if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<std::string>();
  if (!v->is_string())
    return tl::unexpected(invalid("\"" + std::string(key) + "\" must be a string"));
  return std::optional<std::string>(std::string(v->get_string()));
}

Parsed<std::string> req_string(const json::object& body, std::string_view key) {
  auto v = opt_string(body, key);
  if (!v) return tl::unexpected(std::move(v.error()));
  if (!*v) return tl::unexpected(invalid("\"" + std::string(key) + "\" is required"));
  return std::move(**v);
}

Parsed<std::optional<bool>> opt_bool(const json::object& body, std::string_view key) {
  const json::value* v = body.if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<bool>();
  if (!v->is_bool())
    return tl::unexpected(invalid("\"" + std::string(key) + "\" must be true or false"));
  return std::optional<bool>(v->get_bool());
}

Parsed<std::optional<std::vector<std::string>>> opt_strings(const json::object& body,
                                                            std::string_view key) {
  const json::value* v = body.if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<std::vector<std::string>>();
  auto bad = [&] {
    return tl::unexpected(invalid("\"" + std::string(key) + "\" must be an array of strings"));
  };
  if (!v->is_array()) return bad();
  std::vector<std::string> out;
  for (const json::value& e : v->get_array()) {
    if (!e.is_string()) return bad();
    out.emplace_back(e.get_string());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

http::Handler authed(Context& ctx, AuthedFn fn) {
  return [&ctx, fn](http::Request& request) -> http::Task<http::Response> {
    auto actor = co_await authenticate(ctx, request);
    if (!actor) co_return std::move(actor.error());
    co_return co_await fn(ctx, request, *actor);
  };
}

}  // namespace bulwark::api
