#include "admission/webhook.h"

#include <set>
#include <utility>
#include <vector>

#include "admission/review.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/strings.h"
#include "registry/respond.h"

namespace bulwark::admission {
namespace {

http::Response text_response(int status, std::string text) {
  http::Response r;
  r.status = status;
  r.headers.set("Content-Type", "text/plain; charset=utf-8");
  r.body = std::move(text) + "\n";
  return r;
}

bool records_deployment(const AdmissionRequest& request) {
  return !request.dry_run && (request.operation == "CREATE" || request.operation == "UPDATE");
}

// A tag reference pinned to its digest: "host/repo:tag@sha256:..." (the tag, if any, kept).
std::string pinned(const std::string& image, const std::string& digest) {
  return image + "@" + digest;
}

http::Task<http::Response> handle(Webhook& webhook, size_t max_body_bytes, http::Request& request,
                                  Mode mode) {
  auto body = co_await registry::read_body(request, max_body_bytes);
  if (!body) {
    co_return text_response(body.error().code == ErrorCode::kTooLarge ? 413 : 400,
                            "AdmissionReview: " + body.error().message);
  }
  auto answer = co_await registry::blocking([&] { return webhook.review(*body, mode); });
  if (!answer) co_return text_response(400, answer.error().message);
  http::Response r;
  r.headers.set("Content-Type", "application/json");
  r.body = std::move(*answer);
  co_return r;
}

}  // namespace

Webhook::Webhook(WebhookOptions options, ImageDecider& decider,
                 metadata::DeploymentStore* deployments)
    : options_(std::move(options)), decider_(decider), deployments_(deployments) {
  if (!options_.now) options_.now = [] { return unix_seconds(); };
}

void Webhook::register_routes(http::Router& router) {
  const size_t max = options_.max_body_bytes;
  router.add("POST", "/admission/validate",
             [this, max](http::Request& r) { return handle(*this, max, r, Mode::kValidate); });
  router.add("POST", "/admission/mutate",
             [this, max](http::Request& r) { return handle(*this, max, r, Mode::kMutate); });
}

Result<std::string> Webhook::review(std::string_view body, Mode mode) {
  BULWARK_ASSIGN_OR_RETURN(AdmissionRequest request, parse_admission_review(body));
  AdmissionResponse response;
  response.uid = request.uid;
  if (!request.supported) {
    response.allowed = true;
    response.message = request.kind + " (" + (request.group.empty() ? "core" : request.group) +
                       ") carries no pod template: not evaluated by Bulwark";
    return admission_response_json(response);
  }

  std::vector<ImageRequest> requests;
  requests.reserve(request.images.size());
  for (const ContainerImage& c : request.images) {
    requests.push_back(
        ImageRequest{c.image, options_.cluster, request.namespace_name, request.workload()});
  }
  const std::vector<Result<ImageVerdict>> verdicts = decider_.decide_all(requests);

  std::vector<std::string> denials;
  std::vector<metadata::Deployment> admitted;
  std::set<std::string, std::less<>> reported;  // one message per distinct image
  bool fail_open_used = false;
  for (size_t i = 0; i < request.images.size() && i < verdicts.size(); ++i) {
    const ContainerImage& container = request.images[i];
    const Result<ImageVerdict>& verdict = verdicts[i];
    const bool first = reported.insert(container.image).second;
    if (!verdict) {
      if (!first) continue;
      if (options_.fail_open) {
        fail_open_used = true;
        response.warnings.push_back(container.image + ": not evaluated (" +
                                    verdict.error().message + "); admitted by admission.fail_open");
      } else {
        denials.push_back(container.image + ": could not be evaluated: " + verdict.error().message);
      }
      continue;
    }
    if (!verdict->allowed) {
      if (first) denials.push_back(container.image + ": " + join(verdict->reasons, "; "));
      continue;
    }
    if (first && !verdict->reasons.empty()) {
      response.warnings.push_back(container.image + ": " + join(verdict->reasons, "; "));
    }
    if (verdict->digest.empty()) continue;  // foreign: neither pinned nor recorded
    if (mode == Mode::kMutate && container.image.find('@') == std::string::npos) {
      response.patch.push_back(PatchOp{container.pointer, pinned(container.image, verdict->digest)});
    }
    if (first) {
      metadata::Deployment d;
      d.cluster = options_.cluster;
      d.namespace_name = request.namespace_name;
      d.workload = request.workload();
      d.image = container.image;
      d.repository = verdict->repository;
      d.digest = verdict->digest;
      admitted.push_back(std::move(d));
    }
  }

  response.allowed = denials.empty();
  const std::string workload =
      options_.cluster + "/" + request.namespace_name + "/" + request.workload();
  if (!response.allowed) {
    response.code = 403;
    response.message = std::to_string(denials.size()) + " image" +
                       (denials.size() == 1 ? "" : "s") + " of " + request.workload() +
                       " denied by Bulwark: " + join(denials, " | ");
    response.patch.clear();
    if (options_.on_refusal) options_.on_refusal("admission.deny", workload, response.message);
  } else if (fail_open_used && options_.on_refusal) {
    options_.on_refusal("admission.fail_open", workload, join(response.warnings, " | "));
  }
  if (response.allowed && mode == Mode::kValidate && deployments_ != nullptr &&
      records_deployment(request)) {
    record(admitted, request.workload());
  }
  return admission_response_json(response);
}

void Webhook::record(const std::vector<metadata::Deployment>& admitted,
                     const std::string& workload) {
  const int64_t now = options_.now();
  auto key_of = [](const metadata::Deployment& d) {
    return d.cluster + '\n' + d.namespace_name + '\n' + d.workload + '\n' + d.image;
  };
  std::vector<metadata::Deployment> due;
  {
    std::lock_guard lock(recorded_mu_);
    for (const metadata::Deployment& d : admitted) {
      auto it = recorded_.find(key_of(d));
      if (it != recorded_.end() && it->second.first == d.digest &&
          now - it->second.second < options_.record_interval_seconds) {
        continue;
      }
      due.push_back(d);
    }
  }
  if (due.empty()) return;
  // The record is not the decision: a failure to write it is logged, not answered.
  if (auto r = deployments_->record_deployments(due, now); !r) {
    log_event(LogLevel::kWarn, "recording admitted images failed",
              {{"workload", workload}, {"detail", r.error().message}});
    return;
  }
  std::lock_guard lock(recorded_mu_);
  if (recorded_.size() + due.size() > kMaxRecorded) recorded_.clear();
  for (const metadata::Deployment& d : due) recorded_[key_of(d)] = {d.digest, now};
}

}  // namespace bulwark::admission
