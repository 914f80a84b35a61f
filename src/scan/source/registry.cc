// docker://HOST/REPO[:TAG|@DIGEST] — a registry speaking the OCI distribution API.
//
// Requests go out anonymously first; a 401 is answered once per request by the challenge it
// carries (Bearer: a token from the realm, with Basic credentials when given; Basic: the
// credentials) and the request is retried. Redirects (blob downloads go to object stores) are
// followed by hand so the Authorization header never leaves the registry's origin. Layers are
// streamed: a thread runs the transfer and feeds the reader through a bounded buffer.
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <cctype>
#include <limits>
#include <mutex>

#include "common/http_client.h"
#include "common/strict_json.h"
#include "oci/media_types.h"
#include "oci/reference.h"
#include "scan/source/internal.h"

namespace bulwark::scan {
namespace {

using source::FetchedManifest;

constexpr int kMaxRedirects = 10;
constexpr int kTimeoutSeconds = 60;
constexpr size_t kMaxTokenResponse = 1 << 20;
constexpr size_t kMaxErrorBody = 64 << 10;

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

// The error for a non-2xx answer about `what`.
Error status_error(int status, const std::string& what) {
  std::string code = std::to_string(status);
  if (status == 404) return {ErrorCode::kNotFound, what + " not found (404)"};
  if (status == 401 || status == 403) {
    return {ErrorCode::kNotFound,
            what + ": the registry denied access (" + code +
                "): it does not exist or needs other credentials"};
  }
  if (status == 400) return {ErrorCode::kInvalidArgument, what + ": the registry answered 400"};
  return {ErrorCode::kUnavailable, what + ": the registry answered " + code};
}

bool ok_status(int status) { return status >= 200 && status < 300; }

// One repository of one registry; shared by the Images it produced. Thread-safe.
class RegistryClient final : public source::BlobSource {
 public:
  RegistryClient(source::RegistryLocation location, const SourceOptions& options)
      : location_(std::move(location)),
        base_((options.plain_http ? "http://" : "https://") + location_.host),
        username_(options.username),
        password_(options.password),
        tls_verify_(options.tls_verify),
        plain_http_(options.plain_http),
        ca_file_(options.ca_file) {}

  const source::RegistryLocation& location() const { return location_; }

  // The manifest `reference` (tag or digest) names, verified against the digest it was asked by,
  // else against the Docker-Content-Digest the registry announced.
  Result<FetchedManifest> fetch_manifest(const std::string& reference,
                                         const std::optional<Digest>& expected) {
    static const std::string accept = std::string(oci::media::kOciIndex) + ", " +
                                      std::string(oci::media::kOciManifest) + ", " +
                                      std::string(oci::media::kDockerManifestList) + ", " +
                                      std::string(oci::media::kDockerManifest);
    std::string what = "manifest " + location_.repository + ":" + reference;
    if (expected) what = "manifest " + location_.repository + "@" + expected->str();
    BULWARK_ASSIGN_OR_RETURN(
        HttpClientResponse response,
        get(url("/manifests/" + reference), {{"Accept", accept}}, source::kMaxManifestBytes, nullptr));
    if (!ok_status(response.status)) return fail(status_error(response.status, what));
    FetchedManifest m;
    m.content_type = std::string(response.header("content-type").value_or(""));
    if (size_t semi = m.content_type.find(';'); semi != std::string::npos) m.content_type.resize(semi);
    m.bytes = std::move(response.body);
    if (expected) {
      BULWARK_TRY_VOID(source::verify_digest(m.bytes, *expected, what));
      m.digest = *expected;
      return m;
    }
    m.digest = Digest::of(m.bytes);
    if (auto announced = response.header("docker-content-digest")) {
      auto digest = Digest::parse(*announced);
      if (!digest) return fail(ErrorCode::kInvalidArgument, what + ": malformed Docker-Content-Digest");
      BULWARK_TRY_VOID(source::verify_digest(m.bytes, *digest, what));
      m.digest = *digest;
    }
    return m;
  }

  Result<FetchedManifest> manifest(const Digest& digest) override {
    return fetch_manifest(digest.str(), digest);
  }

  Result<std::string> blob(const Digest& digest, uint64_t max_bytes) override {
    std::string what = "blob " + location_.repository + "@" + digest.str();
    BULWARK_ASSIGN_OR_RETURN(HttpClientResponse response,
                             get(url("/blobs/" + digest.str()), {}, max_bytes, nullptr));
    if (!ok_status(response.status)) return fail(status_error(response.status, what));
    BULWARK_TRY_VOID(source::verify_digest(response.body, digest, what));
    return std::move(response.body);
  }

  Result<std::unique_ptr<ByteStream>> open_blob(const oci::Descriptor& layer) override {
    // The producer thread keeps this client alive through its own reference.
    std::shared_ptr<RegistryClient> self = self_.lock();
    if (!self) return fail(ErrorCode::kInternal, "registry client is gone");
    return source::start_producer_stream(
        [self, layer](const std::function<bool(std::string_view)>& push) -> Result<void> {
          std::string what = "blob " + self->location_.repository + "@" + layer.digest.str();
          uint64_t received = 0;
          bool too_long = false;
          HttpBodySink sink = [&](const HttpClientResponse&, std::string_view chunk) {
            received += chunk.size();
            if (received > layer.size) {
              too_long = true;
              return false;
            }
            return push(chunk);
          };
          auto response = self->get(self->url("/blobs/" + layer.digest.str()), {},
                                    0, &sink);
          if (too_long) {
            return fail(ErrorCode::kCorrupt, what + " is longer than its manifest says (" +
                                                 std::to_string(layer.size) + " bytes)");
          }
          if (!response) return fail(std::move(response.error()));
          if (!ok_status(response->status)) return fail(status_error(response->status, what));
          return ok();
        });
  }

  void set_self(const std::shared_ptr<RegistryClient>& self) { self_ = self; }

 private:
  std::string url(const std::string& path) const {
    return base_ + "/v2/" + location_.repository + path;
  }

  HttpClientRequest request(std::string url, size_t max_bytes) const {
    HttpClientRequest r;
    r.url = std::move(url);
    r.timeout_seconds = kTimeoutSeconds;
    r.max_response_bytes = max_bytes;
    r.tls_verify = tls_verify_;
    r.ca_file = ca_file_;
    return r;
  }

  std::string authorization() const {
    std::lock_guard lock(mutex_);
    return authorization_;
  }

  // GET `url` with auth and redirects. A `stream` sink gets the body of a 2xx answer only (other
  // answers keep at most kMaxErrorBody of theirs); otherwise the body is kept, up to `max_bytes`.
  Result<HttpClientResponse> get(std::string url,
                                 const std::vector<std::pair<std::string, std::string>>& headers,
                                 size_t max_bytes, const HttpBodySink* stream) {
    const std::string registry_origin = origin_of(base_);
    bool answered_challenge = false;
    for (int hop = 0; hop <= kMaxRedirects;) {
      bool to_registry = origin_of(url) == registry_origin;
      HttpClientRequest r =
          request(url, stream != nullptr ? std::numeric_limits<size_t>::max() : max_bytes);
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
      if (is_redirect(answer.status)) {
        auto location = answer.header("location");
        std::optional<std::string> next =
            location ? resolve_location(url, *location) : std::nullopt;
        if (!next) {
          return fail(ErrorCode::kUnavailable, "the registry redirected without a usable Location");
        }
        url = std::move(*next);
        ++hop;
        continue;
      }
      return std::move(answer);
    }
    return fail(ErrorCode::kUnavailable, "the registry redirected more than " +
                                             std::to_string(kMaxRedirects) + " times");
  }

  // Answers a 401's challenge: sets authorization_ for the retry.
  Result<void> answer_challenge(const HttpClientResponse& unauthorized) {
    std::vector<source::AuthChallenge> challenges;
    for (const auto& [name, value] : unauthorized.headers) {
      if (name != "www-authenticate") continue;
      for (auto& c : source::parse_auth_challenges(value)) challenges.push_back(std::move(c));
    }
    auto find = [&](std::string_view scheme) -> const source::AuthChallenge* {
      for (const auto& c : challenges) {
        if (c.scheme == scheme) return &c;
      }
      return nullptr;
    };
    std::string denied = location_.repository + ": the registry denied access (401)";
    if (const auto* bearer = find("bearer")) return fetch_token(*bearer);
    if (find("basic") != nullptr) {
      if (username_.empty()) {
        return fail(ErrorCode::kNotFound, denied + ": it needs credentials");
      }
      std::lock_guard lock(mutex_);
      authorization_ = basic_authorization(username_, password_);
      return ok();
    }
    return fail(ErrorCode::kNotFound, denied + " without a challenge we can answer");
  }

  Result<void> fetch_token(const source::AuthChallenge& challenge) {
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
    query.emplace_back("scope", scope.empty() ? "repository:" + location_.repository + ":pull" : scope);
    HttpClientRequest r = request(realm + (realm.find('?') == std::string::npos ? "?" : "&") +
                                      form_urlencode(query),
                                  kMaxTokenResponse);
    // Credentials travel to the realm only over TLS, unless plain HTTP was asked for.
    if (!username_.empty() && (scheme == "https" || plain_http_)) {
      r.headers.emplace_back("Authorization", basic_authorization(username_, password_));
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

  const source::RegistryLocation location_;
  const std::string base_;
  const std::string username_;
  const std::string password_;
  const bool tls_verify_;
  const bool plain_http_;
  const std::string ca_file_;
  std::weak_ptr<RegistryClient> self_;

  mutable std::mutex mutex_;
  std::string authorization_;  // the header value that last worked, guarded by mutex_
};

}  // namespace

namespace source {

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

}  // namespace source

Result<std::vector<Image>> open_registry_images(std::string_view rest, const std::string& name,
                                                const SourceOptions& options) {
  BULWARK_ASSIGN_OR_RETURN(source::RegistryLocation location, source::parse_registry_reference(rest));
  auto client = std::make_shared<RegistryClient>(std::move(location), options);
  client->set_self(client);
  BULWARK_ASSIGN_OR_RETURN(
      FetchedManifest root,
      client->fetch_manifest(client->location().reference, client->location().digest));
  return source::expand(client, name, root, options.platform);
}

}  // namespace bulwark::scan
