// Image: one platform manifest to inventory, from wherever it lives, with a way to stream its layers.
//
// Sources (source/*.cc, one per transport) resolve a reference to the platform manifests it names
// (an index expands to one Image per platform, filtered by SourceOptions::platform), read the image
// config (diff_ids, history, created, platform) and hand layers out as byte streams of the blob as
// stored (compressed or not). The walker verifies each layer's digest while it reads it.
//
// Thread-safety: an Image may be read by one thread at a time; open_layer may be called more than
// once per layer (the walker re-reads a layer when a hard link needs a file it skipped).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "scan/package.h"

namespace bulwark::scan {

// A forward-only stream of bytes.
class ByteStream {
 public:
  virtual ~ByteStream() = default;
  // Reads the next bytes; 0 at the end.
  virtual Result<size_t> read(std::span<char> buf) = 0;
};

struct Image {
  std::string name;             // the reference as given
  std::string manifest_digest;  // "sha256:..." of the platform manifest
  std::string config_digest;
  std::string platform;         // "linux/amd64" (from the config, else the index entry)
  std::string created;          // config "created", may be empty
  std::vector<LayerInfo> layers;          // in application order (digest, diff_id, size, created_by)
  std::vector<std::string> layer_media_types;  // parallel to layers
  // Opens layer `index` (REQUIRES: index < layers.size()) as the stored bytes.
  std::function<Result<std::unique_ptr<ByteStream>>(size_t index)> open_layer;
};

struct SourceOptions {
  std::string platform;   // "os/arch[/variant]"; empty: every platform of an index
  std::string username;   // registry credentials (docker://), may be empty
  std::string password;
  bool tls_verify = true;  // docker://: verify the registry's certificate
  bool plain_http = false; // docker://: talk HTTP instead of HTTPS (local registries)
  std::string ca_file;     // docker://: extra CA bundle
};

// Resolves `reference`, spelled as skopeo spells it:
//   docker://HOST/REPO:TAG | docker://HOST/REPO@DIGEST | HOST/REPO:TAG (docker:// implied)
//   oci:DIR[:TAG]           (an OCI image layout directory)
//   docker-archive:FILE     (a `docker save` tar)
// Errors: kInvalidArgument (malformed reference), kNotFound (no such image or platform),
// kUnavailable (registry unreachable), kDigestMismatch (manifest does not match its digest).
Result<std::vector<Image>> open_images(std::string_view reference, const SourceOptions& options);

}  // namespace bulwark::scan
