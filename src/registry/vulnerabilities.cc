// Vulnerability findings over HTTP (issue 5), beside the Distribution API and behind its gate:
//
//   GET /api/v1/repositories/<name>/manifests/<digest>/vulnerabilities[?resolved=true]
//       The image's scan state (pending, scanning, done, failed), the database generation it was
//       last matched against, and its open findings — each the report's finding object
//       (vulndb/report/json.cc) plus firstSeen, deadline, overdue and resolvedAt; resolved ones
//       too when asked — needing pull on <name>.
//   GET /api/v1/vulnerabilities/overdue[?limit=N]
//       Open findings past their remediation deadline, oldest deadline first, in repositories the
//       caller may pull.
//   GET /api/v1/vulnerabilities/summary
//       Per severity over the repositories the caller may pull: open, overdue, resolved, and the
//       mean time to remediate (seconds from first sighting to resolution).
//
// Times are unix seconds. Errors are in the OCI error format, like the rest of the registry.
#include <boost/json.hpp>
#include <map>

#include "common/clock.h"
#include "jobs/sbom_job.h"
#include "registry/context.h"
#include "registry/gate.h"
#include "registry/pagination.h"
#include "registry/respond.h"

namespace bulwark::registry {
namespace {

constexpr size_t kDefaultLimit = 100;
constexpr size_t kMaxLimit = 10000;

// The scan job's state, as this API names it.
struct StateName {
  metadata::JobState state;
  std::string_view name;
};
constexpr StateName kStateNames[] = {{metadata::JobState::kQueued, "pending"},
                                     {metadata::JobState::kRunning, "scanning"},
                                     {metadata::JobState::kDone, "done"},
                                     {metadata::JobState::kFailed, "failed"}};

std::string_view state_name(metadata::JobState state) {
  for (const auto& row : kStateNames) {
    if (row.state == state) return row.name;
  }
  return "failed";
}

boost::json::value optional_time(const std::optional<int64_t>& t) {
  return t ? boost::json::value(*t) : boost::json::value(nullptr);
}

// A stored finding: the matcher's JSON object plus its lifetime.
boost::json::object finding_json(const metadata::StoredFinding& f, int64_t now) {
  boost::json::object out;
  boost::system::error_code ec;
  if (auto parsed = boost::json::parse(f.finding.detail_json, ec); !ec && parsed.is_object()) {
    out = std::move(parsed.as_object());
  }
  out["vulnerability"] = f.finding.vulnerability;
  out["severity"] = f.finding.severity;
  // Named like the report's own keys (camelCase), since they extend its finding object.
  out["firstSeen"] = f.first_seen;
  out["deadline"] = optional_time(f.deadline);
  out["overdue"] = !f.resolved_at && f.deadline && *f.deadline < now;
  out["resolvedAt"] = optional_time(f.resolved_at);
  return out;
}

http::Response not_enabled() {
  return oci_error(oci::ErrorCode::kUnsupported, "vulnerability findings are not enabled");
}

http::Task<http::Response> image_vulnerabilities(Context& ctx, http::Request& req) {
  if (ctx.options.findings == nullptr) co_return not_enabled();
  auto name = repository_param(req);
  if (!name) co_return std::move(name.error());
  auto digest = digest_param(req.param("digest"));
  if (!digest) co_return std::move(digest.error());
  const bool resolved = req.query_param("resolved").value_or("") == "true";
  struct Found {
    std::optional<metadata::JobStatus> job;
    std::optional<metadata::ImageScanRecord> scan;
    std::vector<metadata::StoredFinding> findings;
  };
  auto found = co_await blocking([&]() -> Result<Found> {
    Found out;
    BULWARK_ASSIGN_OR_RETURN(auto subject, ctx.metadata.get_manifest(*name, *digest));
    if (!subject) return fail(ErrorCode::kNotFound, "no such manifest in " + *name);
    if (ctx.options.jobs != nullptr) {
      BULWARK_ASSIGN_OR_RETURN(out.job,
                               ctx.options.jobs->job_status(jobs::kSbomJob, *name, digest->str()));
    }
    BULWARK_ASSIGN_OR_RETURN(out.scan, ctx.options.findings->get_image_scan(*name, digest->str()));
    BULWARK_ASSIGN_OR_RETURN(out.findings,
                             ctx.options.findings->list_findings(*name, digest->str(), resolved));
    return out;
  });
  if (!found) {
    co_return error_response(found.error(), oci::ErrorCode::kManifestUnknown,
                             oci::ErrorCode::kManifestInvalid);
  }
  const int64_t now = unix_seconds();
  boost::json::object scan;
  if (found->job) {
    scan["state"] = state_name(found->job->state);
    if (!found->job->last_error.empty()) scan["error"] = found->job->last_error;
  } else {
    scan["state"] = found->scan ? "done" : "not_scanned";
  }
  boost::json::value match = nullptr;
  if (found->scan && found->scan->db_generation) {
    match = boost::json::object{{"distro", found->scan->distro},
                                {"db_generation", *found->scan->db_generation},
                                {"matched_at", optional_time(found->scan->matched_at)},
                                {"report", found->scan->report_digest}};
  } else if (found->scan) {
    scan["detail"] = "not matched yet: no vulnerability database (bulwark db import)";
  }
  std::map<std::string, int64_t> open_by_severity;
  int64_t overdue = 0;
  boost::json::array findings;
  for (const auto& f : found->findings) {
    boost::json::object item = finding_json(f, now);
    if (!f.resolved_at) ++open_by_severity[f.finding.severity];
    if (item["overdue"].as_bool()) ++overdue;
    findings.push_back(std::move(item));
  }
  boost::json::object summary;
  for (const auto& [severity, count] : open_by_severity) summary[severity] = count;
  co_return json_response(boost::json::object{{"repository", *name},
                                              {"digest", digest->str()},
                                              {"scan", std::move(scan)},
                                              {"match", std::move(match)},
                                              {"open", std::move(summary)},
                                              {"overdue", overdue},
                                              {"findings", std::move(findings)}});
}

http::Task<http::Response> overdue_findings(Context& ctx, http::Request& req) {
  if (ctx.options.findings == nullptr) co_return not_enabled();
  auto limit = limit_param(req, kDefaultLimit, kMaxLimit);
  if (!limit) co_return std::move(limit.error());
  const int64_t now = unix_seconds();
  auto rows = co_await blocking([&] { return ctx.options.findings->overdue_findings(now, kMaxLimit * 10); });
  if (!rows) co_return error_response(rows.error(), oci::ErrorCode::kNameUnknown, oci::ErrorCode::kBadRequest);
  PullableRepositories readable(ctx, req);
  boost::json::array out;
  for (const auto& f : *rows) {
    if (out.size() == *limit) break;
    if (!co_await readable.contains(f.repository)) continue;
    boost::json::object item = finding_json(f, now);
    item["repository"] = f.repository;
    item["digest"] = f.digest;
    out.push_back(std::move(item));
  }
  co_return json_response(boost::json::object{{"findings", std::move(out)}});
}

http::Task<http::Response> findings_summary(Context& ctx, http::Request& req) {
  if (ctx.options.findings == nullptr) co_return not_enabled();
  const int64_t now = unix_seconds();
  auto rows = co_await blocking([&] { return ctx.options.findings->findings_summary(now); });
  if (!rows) co_return error_response(rows.error(), oci::ErrorCode::kNameUnknown, oci::ErrorCode::kBadRequest);
  PullableRepositories readable(ctx, req);
  // Summed per severity, in the store's order (worst first).
  std::vector<metadata::SeveritySummary> totals;
  for (const auto& row : *rows) {
    if (!co_await readable.contains(row.repository)) continue;
    auto it = std::find_if(totals.begin(), totals.end(),
                           [&](const auto& t) { return t.severity == row.severity; });
    if (it == totals.end()) {
      totals.push_back(row);
      continue;
    }
    it->open += row.open;
    it->overdue += row.overdue;
    it->resolved += row.resolved;
    it->remediation_seconds += row.remediation_seconds;
  }
  boost::json::array severities;
  for (const auto& t : totals) {
    boost::json::object item{{"severity", t.severity},
                             {"open", t.open},
                             {"overdue", t.overdue},
                             {"resolved", t.resolved}};
    item["mean_time_to_remediate_seconds"] =
        t.resolved > 0 ? boost::json::value(static_cast<double>(t.remediation_seconds) /
                                            static_cast<double>(t.resolved))
                       : boost::json::value(nullptr);
    severities.push_back(std::move(item));
  }
  co_return json_response(boost::json::object{{"severities", std::move(severities)}});
}

}  // namespace

void register_vulnerabilities(http::Router& router, Context& ctx) {
  add_guarded(router, ctx, "GET", "/api/v1/repositories/{name+}/manifests/{digest}/vulnerabilities",
              needs(auth::Action::kPull), bind_handler(ctx, image_vulnerabilities));
  add_guarded(router, ctx, "GET", "/api/v1/vulnerabilities/overdue", kNeedsLogin,
              bind_handler(ctx, overdue_findings));
  add_guarded(router, ctx, "GET", "/api/v1/vulnerabilities/summary", kNeedsLogin,
              bind_handler(ctx, findings_summary));
}

}  // namespace bulwark::registry
