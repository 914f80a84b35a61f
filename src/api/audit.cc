// GET /api/v1/audit: one page of the audit trail, oldest first, filtered by actor, action,
// repository, digest and time window (since inclusive, until exclusive; unix seconds or RFC
// 3339), paged with `after` (the `next` of the previous page) and `limit` (1..1000, default 100).
// System administrators see everything; a project admin may query with `repository` set to a
// repository of a project it administers (administrative events of a project carry the project
// name as their repository). Refused queries are audit events themselves.
#include <charconv>

#include "api/context.h"
#include "audit/export.h"
#include "auth/authorizer.h"
#include "common/strict_json.h"

namespace bulwark::api {
namespace {

constexpr size_t kMaxLimit = 1000;

Parsed<int64_t> non_negative(std::string_view key, const std::string& text, int64_t max) {
  int64_t value = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0 || value > max) {
    return tl::unexpected(error_response(400, "BAD_REQUEST",
                                         std::string(key) + " must be a whole number from 0 to " +
                                             std::to_string(max) + ", not " +
                                             quote_untrusted(text)));
  }
  return value;
}

Parsed<metadata::AuditQuery> query_of(const http::Request& request) {
  metadata::AuditQuery q;
  static constexpr struct {
    std::string_view key;
    std::optional<std::string> metadata::AuditQuery::*field;
  } kExact[] = {{"actor", &metadata::AuditQuery::actor},
                {"action", &metadata::AuditQuery::action},
                {"repository", &metadata::AuditQuery::repository},
                {"digest", &metadata::AuditQuery::digest}};
  for (const auto& filter : kExact) {
    if (auto v = request.query_param(filter.key); v && !v->empty()) q.*filter.field = std::move(*v);
  }
  static constexpr struct {
    std::string_view key;
    std::optional<int64_t> metadata::AuditQuery::*field;
  } kTimes[] = {{"since", &metadata::AuditQuery::since_ms},
                {"until", &metadata::AuditQuery::until_ms}};
  for (const auto& bound : kTimes) {
    auto v = request.query_param(bound.key);
    if (!v || v->empty()) continue;
    auto ms = audit::parse_time_ms(*v);
    if (!ms) {
      return tl::unexpected(error_response(400, "BAD_REQUEST",
                                           std::string(bound.key) +
                                               " must be unix seconds or an RFC 3339 time, not " +
                                               quote_untrusted(*v)));
    }
    q.*bound.field = *ms;
  }
  if (auto v = request.query_param("after"); v && !v->empty()) {
    auto after = non_negative("after", *v, INT64_MAX);
    if (!after) return tl::unexpected(std::move(after.error()));
    q.after_seq = *after;
  }
  if (auto v = request.query_param("limit"); v && !v->empty()) {
    auto limit = non_negative("limit", *v, kMaxLimit);
    if (!limit) return tl::unexpected(std::move(limit.error()));
    if (*limit == 0)
      return tl::unexpected(error_response(400, "BAD_REQUEST", "limit must be 1 or more"));
    q.limit = static_cast<size_t>(*limit);
  }
  return q;
}

http::Task<http::Response> query(Context& ctx, http::Request& request, const Actor& actor) {
  auto q = query_of(request);
  if (!q) co_return std::move(q.error());
  co_return co_await blocking([&]() -> http::Response {
    if (!actor.principal.is_admin) {
      std::string project;
      if (q->repository) project = std::string(auth::project_of(*q->repository));
      auto allowed = project.empty() ? Result<bool>(false) : ctx.admin->manages(actor, project);
      if (!allowed) return admin_error(allowed.error());
      if (!*allowed) {
        audit::Event event;
        event.actor = actor.principal.name;
        event.client_address = actor.client_address;
        event.action = "audit.query";
        event.resource.repository = q->repository.value_or("");
        event.outcome = audit::Outcome::kDenied;
        event.reason = "not a system administrator or project admin of the repository's project";
        ctx.services.audit_writer.submit(std::move(event));
        return error_response(403, "DENIED",
                              "only system administrators may query the whole audit trail; "
                              "project admins give repository=<a repository of their project>");
      }
    }
    auto records = ctx.services.audit_store.query_audit(*q);
    if (!records) return admin_error(records.error());
    json::array events;
    for (const metadata::AuditRecord& r : *records) events.push_back(audit::record_view(r));
    json::value next = nullptr;
    if (records->size() == q->limit && !records->empty()) next = records->back().seq;
    return json_response(200, json::object{{"events", std::move(events)}, {"next", next}});
  });
}

}  // namespace

void register_audit(http::Router& router, Context& ctx) {
  router.add("GET", "/api/v1/audit", authed(ctx, query));
}

}  // namespace bulwark::api
