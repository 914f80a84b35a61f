#include "remote/registry_client.h"

#include <algorithm>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <cctype>
#include <limits>

#include "common/strict_json.h"
#include "oci/media_types.h"
#include "oci/reference.h"

namespace bulwark::remote {
namespace {

constexpr int kMaxRedirects = 10;
constexpr size_t kMaxTokenResponse = 1 << 20;
constexpr size_t kMaxErrorBody = 64 << 10;
constexpr size_t kMaxSmallResponse = 1 << 20;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// scheme, host and port of an absolute URL, for same-origin checks; "" when unparseable.
std::string origin_of(std::string_view url) {
  auto u = boost::urls::parse_absolute_uri(url);
  if (!u) return "";
  std::string scheme = lower(u->scheme());
  std::string port = u->has_port() ? std::string(u->port())
                     : scheme == "https" ? "443"
                                         : "80";
  return scheme + "://" + lower(u->encoded_host()) + ":" + port;
}

// The URL `location` points at, resolved against `base`; nullopt unless it is http(s).
std::optional<std::string> resolve_location(std::string_view base, std::string_view location) {
  auto b = boost::urls::parse_absolute_uri(base);
  auto ref = boost::urls::parse_uri_reference(location);
  if (!b || !ref) return std::nullopt;
  boost::urls::url dest;
  if (!boost::urls::resolve(*b, *ref, dest)) return std::nullopt;
  std::string scheme = lower(dest.scheme());
  if (scheme != "http" && scheme != "https") return std::nullopt;
  return std::string(dest.buffer());
}

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool ok_status(int status) { return status >= 200 && status < 300; }

// The error for a non-2xx answer about `what`.
Error status_error(int status, const std::string& what) {
  std::string code = std::to_string(status);
  if (status == 404) return {ErrorCode::kNotFound, what + ": not found (404)"};
  if (status == 401 || status == 403) {
    return {ErrorCode::kNotFound, what + ": the registry denied access (" + code + ")"};
  }
  return {ErrorCode::kUnavailable, what + ": the registry answered " + code};
}

Result<void> verify_digest(std::string_view bytes, const Digest& expected, std::string_view what) {
  Digest actual = Digest::of(bytes, expected.algorithm());
  if (actual == expected) return ok();
  return fail(ErrorCode::kDigestMismatch, std::string(what) + " does not match its digest " +
                                              expected.str() + " (got " + actual.str() + ")");
}

const std::string& manifest_accept() {
  static const std::string accept = std::string(oci::media::kOciIndex) + ", " +
                                    std::string(oci::media::kOciManifest) + ", " +
                                    std::string(oci::media::kDockerManifestList) + ", " +
                                    std::string(oci::media::kDockerManifest);
  return accept;
}

}  // namespace

std::string AuthChallenge::param(std::string_view name) const {
  for (const auto& [key, value] : params) {
    if (key == name) return value;
  }
  return "";
}

std::vector<AuthChallenge> parse_auth_challenges(std::string_view header) {
  std::vector<AuthChallenge> out;
  size_t i = 0;
  auto skip = [&](std::string_view chars) {
    while (i < header.size() && chars.find(header[i]) != std::string_view::npos) ++i;
  };
  auto token = [&] {
    size_t start = i;
    while (i < header.size() && std::string_view(" \t,=\"").find(header[i]) == std::string_view::npos) {
      ++i;
    }
    return header.substr(start, i - start);
  };
  while (true) {
    skip(" \t,");
    if (i >= header.size()) break;
    std::string_view name = token();
    if (name.empty()) {  // a stray '=' or '"': skip it
      ++i;
      continue;
    }
    skip(" \t");
    bool is_param = i < header.size() && header[i] == '=';
    if (!is_param) {
      out.push_back(AuthChallenge{lower(name), {}});
      continue;
    }
    ++i;
    skip(" \t");
    std::string value;
    if (i < header.size() && header[i] == '"') {
      for (++i; i < header.size() && header[i] != '"'; ++i) {
        if (header[i] == '\\' && i + 1 < header.size()) ++i;
        value += header[i];
      }
      if (i < header.size()) ++i;  // the closing quote
    } else {
      value = std::string(token());
      skip("=");  // token68 padding
    }
    if (!out.empty()) out.back().params.emplace_back(lower(name), std::move(value));
  }
  return out;
}

Result<RegistryLocation> parse_registry_reference(std::string_view text) {
  BULWARK_ASSIGN_OR_RETURN(oci::ImageReference ref, oci::parse_image_reference(text));
  RegistryLocation out;
  out.host = ref.registry;
  out.repository = ref.repository;
  if (out.host.empty() || out.host == "docker.io" || out.host == "index.docker.io") {
    out.host = "registry-1.docker.io";
    if (out.repository.find('/') == std::string::npos) out.repository = "library/" + out.repository;
  }
  out.digest = ref.digest;
  out.reference = ref.digest ? ref.digest->str() : ref.tag.value_or("latest");
  return out;
}

RegistryClient::RegistryClient(RegistryLocation location, ClientOptions options)
    : location_(std::move(location)),
      options_(std::move(options)),
      base_((options_.plain_http ? "http://" : "https://") + location_.host) {}

std::string RegistryClient::url(std::string_view path) const {
  return base_ + "/v2/" + location_.repository + std::string(path);
}

HttpClientRequest RegistryClient::request(std::string url, size_t max_bytes) const {
  HttpClientRequest r;
  r.url = std::move(url);
  r.timeout_seconds = options_.timeout_seconds;
  r.max_response_bytes = max_bytes;
  r.tls_verify = options_.tls_verify;
  r.ca_file = options_.ca_file;
  return r;
}

std::string RegistryClient::authorization() const {
  std::lock_guard lock(mutex_);
  return authorization_;
}

Result<HttpClientResponse> RegistryClient::send(std::string method, std::string url,
                                                const Headers& headers, std::string_view body,
                                                size_t max_bytes, const HttpBodySink* stream) {
  const std::string registry_origin = origin_of(base_);
  const bool follows_redirects = method == "GET" || method == "HEAD";
  bool answered_challenge = false;
  for (int hop = 0; hop <= kMaxRedirects;) {
    bool to_registry = origin_of(url) == registry_origin;
    HttpClientRequest r =
        request(url, stream != nullptr ? std::numeric_limits<size_t>::max() : max_bytes);
    r.method = method;
    r.body = std::string(body);
    r.headers = headers;
    if (std::string auth = authorization(); to_registry && !auth.empty()) {
      r.headers.emplace_back("Authorization", std::move(auth));
    }
    std::optional<Result<HttpClientResponse>> response;
    if (stream != nullptr) {
      std::string error_body;
      HttpBodySink only_ok = [&](const HttpClientResponse& head, std::string_view chunk) {
        if (ok_status(head.status)) return (*stream)(head, chunk);
        if (error_body.size() + chunk.size() > kMaxErrorBody) return false;
        error_body.append(chunk);
        return true;
      };
      response = http_fetch_stream(r, only_ok);
    } else {
      response = http_fetch(r);
    }
    if (!*response) return fail(std::move(response->error()));
    HttpClientResponse& answer = **response;
    if (answer.status == 401 && to_registry && !answered_challenge) {
      BULWARK_TRY_VOID(answer_challenge(answer));
      answered_challenge = true;
      continue;  // the same request again, now with credentials
    }
    if (follows_redirects && is_redirect(answer.status)) {
      auto location = answer.header("location");
      std::optional<std::string> next = location ? resolve_location(url, *location) : std::nullopt;
      if (!next) {
        return fail(ErrorCode::kUnavailable, "the registry redirected without a usable Location");
      }
      url = std::move(*next);
      ++hop;
      continue;
    }
    return std::move(answer);
  }
  return fail(ErrorCode::kUnavailable,
              "the registry redirected more than " + std::to_string(kMaxRedirects) + " times");
}

Result<HttpClientResponse> RegistryClient::post_json(std::string_view path, std::string_view json) {
  if (!options_.username.empty()) {
    std::lock_guard lock(mutex_);
    if (authorization_.empty()) {
      authorization_ = basic_authorization(options_.username, options_.password);
    }
  }
  return send("POST", base_ + std::string(path), {{"Content-Type", "application/json"}}, json,
              kMaxManifestBytes, nullptr);
}

Result<void> RegistryClient::answer_challenge(const HttpClientResponse& unauthorized) {
  std::vector<AuthChallenge> challenges;
  for (const auto& [name, value] : unauthorized.headers) {
    if (name != "www-authenticate") continue;
    for (auto& c : parse_auth_challenges(value)) challenges.push_back(std::move(c));
  }
  auto find = [&](std::string_view scheme) -> const AuthChallenge* {
    for (const auto& c : challenges) {
      if (c.scheme == scheme) return &c;
    }
    return nullptr;
  };
  std::string denied = location_.repository + ": the registry denied access (401)";
  if (const auto* bearer = find("bearer")) return fetch_token(*bearer);
  if (find("basic") != nullptr) {
    if (options_.username.empty()) {
      return fail(ErrorCode::kNotFound, denied + ": it needs credentials");
    }
    std::lock_guard lock(mutex_);
    authorization_ = basic_authorization(options_.username, options_.password);
    return ok();
  }
  return fail(ErrorCode::kNotFound, denied + " without a challenge we can answer");
}

Result<void> RegistryClient::fetch_token(const AuthChallenge& challenge) {
  std::string realm = challenge.param("realm");
  std::string scheme = lower(realm.substr(0, realm.find(':')));
  if (realm.empty() || (scheme != "https" && scheme != "http")) {
    return fail(ErrorCode::kUnavailable, "the registry's Bearer challenge has no usable realm");
  }
  std::vector<std::pair<std::string, std::string>> query;
  if (std::string service = challenge.param("service"); !service.empty()) {
    query.emplace_back("service", service);
  }
  std::string scope = challenge.param("scope");
  query.emplace_back("scope",
                     scope.empty() ? "repository:" + location_.repository + ":pull" : scope);
  HttpClientRequest r = request(
      realm + (realm.find('?') == std::string::npos ? "?" : "&") + form_urlencode(query),
      kMaxTokenResponse);
  // Credentials travel to the realm only over TLS, unless plain HTTP was asked for.
  if (!options_.username.empty() && (scheme == "https" || options_.plain_http)) {
    r.headers.emplace_back("Authorization",
                           basic_authorization(options_.username, options_.password));
  }
  BULWARK_ASSIGN_OR_RETURN(HttpClientResponse response, http_fetch(r));
  if (!ok_status(response.status)) {
    return fail(status_error(response.status, location_.repository + ": token request"));
  }
  auto doc = parse_strict_json(response.body);
  std::string token;
  if (doc && doc->is_object()) {
    for (std::string_view key : {"token", "access_token"}) {
      const boost::json::value* v = doc->as_object().if_contains(key);
      if (v != nullptr && v->is_string() && !v->as_string().empty()) {
        token = std::string(v->as_string());
        break;
      }
    }
  }
  if (token.empty() || token.find_first_of("\r\n") != std::string::npos) {
    return fail(ErrorCode::kUnavailable, "the token service answered without a usable token");
  }
  std::lock_guard lock(mutex_);
  authorization_ = "Bearer " + token;
  return ok();
}

Result<Manifest> RegistryClient::get_manifest(const std::string& reference,
                                              const std::optional<Digest>& expected) {
  BULWARK_ASSIGN_OR_RETURN(std::optional<Manifest> m, load_manifest(reference, expected));
  if (!m) {
    return fail(ErrorCode::kNotFound, "manifest " + location_.repository +
                                          (expected ? "@" : ":") + reference + ": not found (404)");
  }
  return std::move(*m);
}

Result<std::optional<Manifest>> RegistryClient::find_manifest(const std::string& reference) {
  return load_manifest(reference, std::nullopt);
}

Result<std::optional<Manifest>> RegistryClient::load_manifest(const std::string& reference,
                                                              const std::optional<Digest>& expected) {
  std::string what = "manifest " + location_.repository + ":" + reference;
  if (expected) what = "manifest " + location_.repository + "@" + expected->str();
  BULWARK_ASSIGN_OR_RETURN(HttpClientResponse response,
                           send("GET", url("/manifests/" + reference),
                                {{"Accept", manifest_accept()}}, {}, kMaxManifestBytes, nullptr));
  if (response.status == 404) return std::optional<Manifest>();
  if (!ok_status(response.status)) return fail(status_error(response.status, what));
  Manifest m;
  m.media_type = std::string(response.header("content-type").value_or(""));
  if (size_t semi = m.media_type.find(';'); semi != std::string::npos) m.media_type.resize(semi);
  m.bytes = std::move(response.body);
  if (expected) {
    BULWARK_TRY_VOID(verify_digest(m.bytes, *expected, what));
    m.digest = *expected;
    return std::optional<Manifest>(std::move(m));
  }
  m.digest = Digest::of(m.bytes);
  if (auto announced = response.header("docker-content-digest")) {
    auto digest = Digest::parse(*announced);
    if (!digest) return fail(ErrorCode::kInvalidArgument, what + ": malformed Docker-Content-Digest");
    BULWARK_TRY_VOID(verify_digest(m.bytes, *digest, what));
    m.digest = *digest;
  }
  return std::optional<Manifest>(std::move(m));
}

Result<std::string> RegistryClient::get_blob(const Digest& digest, uint64_t max_bytes) {
  std::string what = "blob " + location_.repository + "@" + digest.str();
  BULWARK_ASSIGN_OR_RETURN(HttpClientResponse response,
                           send("GET", url("/blobs/" + digest.str()), {}, {}, max_bytes, nullptr));
  if (!ok_status(response.status)) return fail(status_error(response.status, what));
  BULWARK_TRY_VOID(verify_digest(response.body, digest, what));
  return std::move(response.body);
}

Result<void> RegistryClient::stream_blob(const Digest& digest, const HttpBodySink& sink) {
  std::string what = "blob " + location_.repository + "@" + digest.str();
  BULWARK_ASSIGN_OR_RETURN(HttpClientResponse response,
                           send("GET", url("/blobs/" + digest.str()), {}, {}, 0, &sink));
  if (!ok_status(response.status)) return fail(status_error(response.status, what));
  return ok();
}

Result<Digest> RegistryClient::push_blob(std::string_view bytes) {
  Digest digest = Digest::of(bytes);
  std::string what = "blob upload to " + location_.repository;
  BULWARK_ASSIGN_OR_RETURN(
      HttpClientResponse head,
      send("HEAD", url("/blobs/" + digest.str()), {}, {}, kMaxSmallResponse, nullptr));
  if (ok_status(head.status)) return digest;
  BULWARK_ASSIGN_OR_RETURN(
      HttpClientResponse started,
      send("POST", url("/blobs/uploads/"), {}, {}, kMaxSmallResponse, nullptr));
  if (started.status != 202) return fail(status_error(started.status, what));
  auto location = started.header("location");
  std::optional<std::string> upload =
      location ? resolve_location(url("/blobs/uploads/"), *location) : std::nullopt;
  if (!upload || origin_of(*upload) != origin_of(base_)) {
    return fail(ErrorCode::kUnavailable, what + ": the registry gave no usable upload location");
  }
  *upload += (upload->find('?') == std::string::npos ? "?" : "&");
  *upload += "digest=" + percent_encode(digest.str());
  BULWARK_ASSIGN_OR_RETURN(
      HttpClientResponse done,
      send("PUT", *upload, {{"Content-Type", "application/octet-stream"}}, bytes,
           kMaxSmallResponse, nullptr));
  if (done.status != 201) return fail(status_error(done.status, what));
  return digest;
}

Result<PushedManifest> RegistryClient::put_manifest(std::string_view reference,
                                                    std::string_view media_type,
                                                    std::string_view bytes) {
  Digest digest = Digest::of(bytes);
  std::string ref = reference.empty() ? digest.str() : std::string(reference);
  BULWARK_ASSIGN_OR_RETURN(
      HttpClientResponse response,
      send("PUT", url("/manifests/" + ref), {{"Content-Type", std::string(media_type)}}, bytes,
           kMaxSmallResponse, nullptr));
  if (response.status != 201) {
    return fail(status_error(response.status, "manifest " + location_.repository + ":" + ref));
  }
  return PushedManifest{digest, response.header("oci-subject").has_value()};
}

Result<std::string> RegistryClient::referrers(const Digest& subject,
                                              std::string_view artifact_type) {
  std::string path = "/referrers/" + subject.str();
  if (!artifact_type.empty()) path += "?artifactType=" + percent_encode(artifact_type);
  BULWARK_ASSIGN_OR_RETURN(
      HttpClientResponse response,
      send("GET", url(path), {{"Accept", std::string(oci::media::kOciIndex)}}, {},
           kMaxManifestBytes, nullptr));
  std::string index;
  bool filtered = false;
  if (ok_status(response.status)) {
    index = std::move(response.body);
    filtered = response.header("oci-filters-applied").value_or("").find("artifactType") !=
               std::string_view::npos;
  } else if (response.status == 404) {
    // No referrers API: the fallback tag sha256-<hex> holds the index, if anything was attached.
    std::string tag = std::string(algorithm_name(subject.algorithm())) + "-" + subject.hex();
    BULWARK_ASSIGN_OR_RETURN(std::optional<Manifest> fallback, find_manifest(tag));
    if (!fallback) return std::string(R"({"schemaVersion":2,"mediaType":")") +
                          std::string(oci::media::kOciIndex) + R"(","manifests":[]})";
    index = std::move(fallback->bytes);
  } else {
    return fail(status_error(response.status, "referrers of " + subject.str()));
  }
  if (artifact_type.empty() || filtered) return index;
  auto doc = parse_strict_json(index);
  if (!doc || !doc->is_object() || !doc->as_object().contains("manifests") ||
      !doc->as_object().at("manifests").is_array()) {
    return fail(ErrorCode::kInvalidArgument, "referrers of " + subject.str() + ": not an index");
  }
  boost::json::array kept;
  for (const boost::json::value& m : doc->as_object().at("manifests").as_array()) {
    const boost::json::value* type = m.is_object() ? m.as_object().if_contains("artifactType")
                                                   : nullptr;
    if (type != nullptr && type->is_string() && type->as_string() == artifact_type) {
      kept.push_back(m);
    }
  }
  doc->as_object()["manifests"] = std::move(kept);
  return boost::json::serialize(*doc);
}

}  // namespace bulwark::remote
