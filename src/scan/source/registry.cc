// docker://HOST/REPO[:TAG|@DIGEST] — a registry speaking the OCI distribution API, read through
// remote::RegistryClient (auth challenges, same-origin redirects, digest checks). Layers are
// streamed: a thread runs the transfer and feeds the reader through a bounded buffer.
#include <memory>

#include "remote/registry_client.h"
#include "scan/source/internal.h"

namespace bulwark::scan {
namespace {

using source::FetchedManifest;

// The manifests and blobs of one repository of one registry; shared by the Images it produced.
// Thread-safe (remote::RegistryClient is).
class RegistrySource final : public source::BlobSource {
 public:
  explicit RegistrySource(std::shared_ptr<remote::RegistryClient> client)
      : client_(std::move(client)) {}

  Result<FetchedManifest> fetch(const std::string& reference, const std::optional<Digest>& expected) {
    BULWARK_ASSIGN_OR_RETURN(remote::Manifest m, client_->get_manifest(reference, expected));
    return FetchedManifest{std::move(m.bytes), std::move(m.media_type), std::move(m.digest)};
  }

  Result<FetchedManifest> manifest(const Digest& digest) override {
    return fetch(digest.str(), digest);
  }

  Result<std::string> blob(const Digest& digest, uint64_t max_bytes) override {
    return client_->get_blob(digest, max_bytes);
  }

  Result<std::unique_ptr<ByteStream>> open_blob(const oci::Descriptor& layer) override {
    // The producer thread keeps the client alive through its own reference.
    std::shared_ptr<remote::RegistryClient> client = client_;
    return source::start_producer_stream(
        [client, layer](const std::function<bool(std::string_view)>& push) -> Result<void> {
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
          auto streamed = client->stream_blob(layer.digest, sink);
          if (too_long) {
            return fail(ErrorCode::kCorrupt, "blob " + client->location().repository + "@" +
                                                 layer.digest.str() +
                                                 " is longer than its manifest says (" +
                                                 std::to_string(layer.size) + " bytes)");
          }
          return streamed;
        });
  }

 private:
  std::shared_ptr<remote::RegistryClient> client_;
};

}  // namespace

Result<std::vector<Image>> open_registry_images(std::string_view rest, const std::string& name,
                                                const SourceOptions& options) {
  BULWARK_ASSIGN_OR_RETURN(remote::RegistryLocation location,
                           remote::parse_registry_reference(rest));
  remote::ClientOptions client_options;
  client_options.username = options.username;
  client_options.password = options.password;
  client_options.plain_http = options.plain_http;
  client_options.tls_verify = options.tls_verify;
  client_options.ca_file = options.ca_file;
  auto client = std::make_shared<remote::RegistryClient>(location, std::move(client_options));
  auto source = std::make_shared<RegistrySource>(client);
  BULWARK_ASSIGN_OR_RETURN(FetchedManifest root, source->fetch(location.reference, location.digest));
  return source::expand(source, name, root, options.platform);
}

}  // namespace bulwark::scan
