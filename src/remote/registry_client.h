// RegistryClient: Bulwark's client of other registries' Distribution API (and of its own), for the
// pipeline commands that read images (`bulwark sbom|scan docker://...`) and write next to them
// (`bulwark sign|attest` push signatures, attestations and referrers), and later replication.
//
// Requests go out anonymously first; a 401 is answered once per request by the challenge it
// carries (Bearer: a token from the realm, with Basic credentials when given; Basic: the
// credentials) and the request is retried. GET redirects (blob downloads go to object stores) are
// followed by hand so the Authorization header never leaves the registry's origin; other methods
// never follow redirects. Every manifest and blob read is checked against its digest.
//
// Thread-safe: one client may serve concurrent calls (the current Authorization is guarded by a
// mutex). Every call blocks its thread (libcurl), so never call it on an I/O thread.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/digest.h"
#include "common/http_client.h"
#include "common/result.h"

namespace bulwark::remote {

// The largest manifest or index read (distribution's own limit).
inline constexpr uint64_t kMaxManifestBytes = 4 << 20;

// One repository of one registry, and the tag or digest a reference named.
struct RegistryLocation {
  std::string host;        // "registry-1.docker.io", "127.0.0.1:5000"
  std::string repository;  // "library/debian"
  std::string reference;   // the tag, or the digest when one was given ("latest" by default)
  std::optional<Digest> digest;
};

// HOST/REPO[:TAG][@DIGEST] as docker names images: no host means Docker Hub (and "library/" for
// one-part names).
Result<RegistryLocation> parse_registry_reference(std::string_view text);

// One challenge of a WWW-Authenticate header: scheme lower-cased, parameter names lower-cased.
struct AuthChallenge {
  std::string scheme;
  std::vector<std::pair<std::string, std::string>> params;
  std::string param(std::string_view name) const;  // "" when absent
};
std::vector<AuthChallenge> parse_auth_challenges(std::string_view header);

struct ClientOptions {
  std::string username;  // may be empty: anonymous
  std::string password;
  bool plain_http = false;  // http:// instead of https://
  bool tls_verify = true;
  std::string ca_file;      // PEM bundle for https; empty: the system's store
  int timeout_seconds = 60;
};

// What a manifest PUT established.
struct PushedManifest {
  Digest digest;
  // The registry answered with OCI-Subject: it indexed the manifest's subject for the referrers
  // API itself (OCI distribution 1.1).
  bool subject_indexed = false;
};

// A manifest as the registry served it.
struct Manifest {
  std::string bytes;
  std::string media_type;  // Content-Type without parameters; may be empty
  Digest digest;           // of `bytes`
};

class RegistryClient {
 public:
  RegistryClient(RegistryLocation location, ClientOptions options);

  const RegistryLocation& location() const { return location_; }

  // The manifest `reference` (tag or digest) names, checked against `expected` when given, else
  // against the Docker-Content-Digest the registry announced.
  Result<Manifest> get_manifest(const std::string& reference,
                                const std::optional<Digest>& expected = std::nullopt);
  // Like get_manifest(), but nullopt when the registry says it has no such manifest (404).
  Result<std::optional<Manifest>> find_manifest(const std::string& reference);
  // A blob read whole (at most `max_bytes`), checked against `digest`.
  Result<std::string> get_blob(const Digest& digest, uint64_t max_bytes);
  // Streams blob `digest` into `sink` (only a 2xx answer's body reaches it). The caller checks the
  // digest. kUnavailable for a non-2xx answer.
  Result<void> stream_blob(const Digest& digest, const HttpBodySink& sink);

  // Uploads `bytes` unless the repository already has that blob (HEAD); returns its digest.
  Result<Digest> push_blob(std::string_view bytes);
  // PUTs a manifest under `reference` (a tag, or empty for by-digest) with Content-Type
  // `media_type`.
  Result<PushedManifest> put_manifest(std::string_view reference, std::string_view media_type,
                              std::string_view bytes);
  // The referrers index of `subject` (OCI 1.1 API), or the referrers fallback tag's index when the
  // registry has no referrers API; an empty index when neither exists. `artifact_type` filters
  // (client-side when the registry did not apply it).
  Result<std::string> referrers(const Digest& subject, std::string_view artifact_type = {});

  // POSTs a JSON document to another API of the same registry (`path` from the host, e.g.
  // "/api/v1/promotions") and returns the answer whatever its status (bodies up to 4 MiB). The
  // credentials go along with the first request (Basic): such calls name several repositories,
  // which no single Bearer challenge scope covers. Over plain HTTP only when plain_http was asked.
  Result<HttpClientResponse> post_json(std::string_view path, std::string_view json);

 private:
  using Headers = std::vector<std::pair<std::string, std::string>>;
  std::string url(std::string_view path) const;
  HttpClientRequest request(std::string url, size_t max_bytes) const;
  std::string authorization() const;
  // One request with auth (and, for GET/HEAD, redirects). A `stream` sink gets the body of a 2xx
  // answer only; otherwise the body is kept up to `max_bytes`.
  Result<HttpClientResponse> send(std::string method, std::string url, const Headers& headers,
                                  std::string_view body, size_t max_bytes,
                                  const HttpBodySink* stream);
  // The manifest, or nullopt on 404.
  Result<std::optional<Manifest>> load_manifest(const std::string& reference,
                                                const std::optional<Digest>& expected);
  Result<void> answer_challenge(const HttpClientResponse& unauthorized);
  Result<void> fetch_token(const AuthChallenge& challenge);

  const RegistryLocation location_;
  const ClientOptions options_;
  const std::string base_;

  mutable std::mutex mutex_;
  std::string authorization_;  // the header value that last worked, guarded by mutex_
};

}  // namespace bulwark::remote
