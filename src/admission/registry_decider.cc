#include "admission/registry_decider.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <utility>

#include "oci/reference.h"
#include "policy/enforcement.h"

namespace bulwark::admission {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

RegistryDecider::RegistryDecider(RegistryDeciderOptions options,
                                 metadata::MetadataStore& metadata,
                                 metadata::EnforcementStore& enforcement)
    : options_(std::move(options)), metadata_(metadata), enforcement_(enforcement) {
  set_registry_hosts(std::move(options_.registry_hosts));
  if (!options_.now_millis) {
    options_.now_millis = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::steady_clock::now().time_since_epoch())
          .count();
    };
  }
}

void RegistryDecider::set_registry_hosts(std::vector<std::string> hosts) {
  for (std::string& host : hosts) host = lower(host);
  options_.registry_hosts = std::move(hosts);
}

bool RegistryDecider::ours(std::string_view host) const {
  const std::string wanted = lower(host);
  return std::find(options_.registry_hosts.begin(), options_.registry_hosts.end(), wanted) !=
         options_.registry_hosts.end();
}

Result<RegistryDecider::Resolved> RegistryDecider::resolve(const ImageRequest& request) {
  Resolved out;
  out.verdict.image = request.image;
  auto ref = oci::parse_image_reference(request.image);
  if (!ref) {
    out.final = true;
    out.verdict.reasons.push_back(ref.error().message);
    return out;
  }
  if (ref->registry.empty() || !ours(ref->registry)) {
    out.final = true;
    out.verdict.allowed = options_.allow_foreign_images;
    const std::string host = ref->registry.empty() ? "docker.io" : ref->registry;
    out.verdict.reasons.push_back(
        "not from this registry (" + host + "); admission.foreign_images is " +
        (options_.allow_foreign_images ? "allow: not evaluated" : "deny"));
    return out;
  }
  out.verdict.repository = ref->repository;
  if (ref->digest) {
    // A tag beside the digest is ignored, as container runtimes ignore it.
    BULWARK_ASSIGN_OR_RETURN(auto manifest, metadata_.get_manifest(ref->repository, *ref->digest));
    if (!manifest) {
      out.final = true;
      out.verdict.reasons.push_back("manifest " + ref->digest->str() + " of " + ref->repository +
                                    " not found in this registry");
      return out;
    }
    out.verdict.digest = ref->digest->str();
    return out;
  }
  const std::string tag = ref->tag.value_or("latest");  // as Kubernetes pulls an untagged image
  BULWARK_ASSIGN_OR_RETURN(auto digest, metadata_.resolve_tag(ref->repository, tag));
  if (!digest) {
    out.final = true;
    out.verdict.reasons.push_back("tag " + tag + " of " + ref->repository +
                                  " not found in this registry");
    return out;
  }
  out.verdict.digest = digest->str();
  return out;
}

Result<void> RegistryDecider::evaluate(ImageVerdict& verdict) {
  BULWARK_ASSIGN_OR_RETURN(auto decision,
                           enforcement_.get_image_policy(verdict.repository, verdict.digest));
  BULWARK_ASSIGN_OR_RETURN(auto manual,
                           enforcement_.get_manual_quarantine(verdict.repository, verdict.digest));
  const policy::ImageStatus status = policy::image_status(decision, manual);
  verdict.allowed = !status.quarantined;
  // A denial says why; an admission only has remarks when the policy flagged the image.
  if (status.quarantined || status.outcome == "flag") {
    verdict.reasons = status.reasons;
    if (verdict.reasons.empty()) verdict.reasons.push_back(policy::status_message(status));
    if (!status.manual && !status.policy.empty()) {
      verdict.reasons.push_back("decided by policy " + status.policy);
    }
  }
  return ok();
}

Result<ImageVerdict> RegistryDecider::decide_uncached(const ImageRequest& request) {
  BULWARK_ASSIGN_OR_RETURN(Resolved resolved, resolve(request));
  if (!resolved.final) BULWARK_TRY_VOID(evaluate(resolved.verdict));
  return std::move(resolved.verdict);
}

std::optional<ImageVerdict> RegistryDecider::cached(const std::string& image, int64_t now) {
  if (options_.cache_millis <= 0) return std::nullopt;
  std::lock_guard lock(cache_mu_);
  auto it = cache_.find(image);
  if (it == cache_.end() || it->second.expires <= now ||
      it->second.generation != enforcement_.enforcement_generation()) {
    return std::nullopt;
  }
  return it->second.verdict;
}

void RegistryDecider::remember(const ImageVerdict& verdict, int64_t now, uint64_t generation) {
  if (options_.cache_millis <= 0) return;
  std::lock_guard lock(cache_mu_);
  if (cache_.size() >= kMaxCacheEntries) cache_.clear();
  cache_[verdict.image] = CacheEntry{verdict, now + options_.cache_millis, generation};
}

Result<ImageVerdict> RegistryDecider::decide(const ImageRequest& request) {
  const int64_t now = options_.now_millis();
  if (auto hit = cached(request.image, now)) return std::move(*hit);
  const uint64_t generation = enforcement_.enforcement_generation();
  auto verdict = decide_uncached(request);
  if (verdict) remember(*verdict, now, generation);
  return verdict;
}

std::vector<Result<ImageVerdict>> RegistryDecider::decide_all(
    const std::vector<ImageRequest>& requests) {
  const int64_t now = options_.now_millis();
  const uint64_t generation = enforcement_.enforcement_generation();
  std::vector<Result<ImageVerdict>> out;
  out.reserve(requests.size());
  std::map<std::string, size_t, std::less<>> by_image;  // image -> index of its first verdict
  // repository@digest -> the evaluated verdict (or the error evaluating it)
  std::map<std::string, Result<ImageVerdict>, std::less<>> by_digest;
  // The verdict of an image not decided earlier in this review nor cached.
  auto decide_new = [&](const ImageRequest& request) -> Result<ImageVerdict> {
    BULWARK_ASSIGN_OR_RETURN(Resolved resolved, resolve(request));
    if (resolved.final) return std::move(resolved.verdict);
    const std::string key = resolved.verdict.repository + "@" + resolved.verdict.digest;
    auto evaluated = by_digest.find(key);
    if (evaluated == by_digest.end()) {
      Result<ImageVerdict> verdict = resolved.verdict;
      if (auto e = evaluate(*verdict); !e) verdict = fail(std::move(e.error()));
      evaluated = by_digest.emplace(key, std::move(verdict)).first;
    }
    if (!evaluated->second) return fail(evaluated->second.error());
    ImageVerdict verdict = *evaluated->second;
    verdict.image = request.image;  // same image, written differently (tag or digest)
    return verdict;
  };
  for (const ImageRequest& request : requests) {
    if (auto seen = by_image.find(request.image); seen != by_image.end()) {
      out.push_back(out[seen->second]);
      continue;
    }
    by_image.emplace(request.image, out.size());
    if (auto hit = cached(request.image, now)) {
      out.push_back(std::move(*hit));
      continue;
    }
    out.push_back(decide_new(request));
    if (out.back()) remember(*out.back(), now, generation);
  }
  return out;
}

std::vector<std::string> default_registry_hosts(const std::string& listen, int port) {
  std::string host = listen;
  if (auto colon = listen.rfind(':'); colon != std::string::npos) host = listen.substr(0, colon);
  const std::string p = std::to_string(port);
  std::vector<std::string> out{host + ":" + p};
  if (host != "localhost") out.push_back("localhost:" + p);
  return out;
}

}  // namespace bulwark::admission
