// Internals shared by the image sources (source/*.cc): the BlobSource each transport implements,
// expand() which turns a manifest or index into Images, the image config reader, platform
// matching, and small ByteStreams. Not part of the scan API.
//
// Thread-safety: the functions are reentrant. A BlobSource is shared by the Images it produced
// (their open_layer keeps it alive) and must allow concurrent calls from several threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "common/digest.h"
#include "common/result.h"
#include "oci/manifest.h"
#include "scan/source/image.h"

namespace bulwark::scan::source {

// The largest manifest or index we read (distribution's own limit).
inline constexpr uint64_t kMaxManifestBytes = 4 << 20;
// The largest image config we read.
inline constexpr uint64_t kMaxConfigBytes = 8 << 20;

// A manifest as a transport found it.
struct FetchedManifest {
  std::string bytes;
  std::string content_type;  // as the transport reported it; empty when it has no opinion
  Digest digest;             // of `bytes`
};

// Where the manifests and blobs of one image live.
class BlobSource {
 public:
  virtual ~BlobSource() = default;
  // The manifest with `digest`, verified against it (kDigestMismatch otherwise).
  virtual Result<FetchedManifest> manifest(const Digest& digest) = 0;
  // A small blob read whole (at most `max_bytes`), verified against `digest`.
  virtual Result<std::string> blob(const Digest& digest, uint64_t max_bytes) = 0;
  // Streams the blob `layer` describes, as stored (the walker verifies it).
  virtual Result<std::unique_ptr<ByteStream>> open_blob(const oci::Descriptor& layer) = 0;
};

// kDigestMismatch unless `bytes` hash to `expected` (in expected's algorithm). `what` names the
// document in the message.
Result<void> verify_digest(std::string_view bytes, const Digest& expected, std::string_view what);

// Turns `root` (a manifest or index of `source`) into Images named `name`: an index expands to one
// Image per platform manifest matching `platform` ("" = all), skipping attestation (platform os
// "unknown") and artifact manifests. kNotFound when nothing matches.
Result<std::vector<Image>> expand(std::shared_ptr<BlobSource> source, const std::string& name,
                                  const FetchedManifest& root, std::string_view platform);

// ---- OCI image layouts (a directory, or the members of a tar archive)

// The files of one OCI layout, by path relative to its root ("index.json", "blobs/sha256/<hex>").
class LayoutFiles {
 public:
  virtual ~LayoutFiles() = default;
  // The whole file; kNotFound when absent, kTooLarge past `max_bytes`.
  virtual Result<std::string> read(const std::string& path, uint64_t max_bytes) = 0;
  virtual Result<std::unique_ptr<ByteStream>> open(const std::string& path) = 0;
};

// "blobs/<algorithm>/<hex>": a Digest's hex is validated, so the path stays inside the layout.
std::string layout_blob_path(const Digest& digest);

// The Images of the layout's index.json entry whose "org.opencontainers.image.ref.name" is `tag`
// (empty `tag`: the layout's only entry), named `name`, filtered by `platform`.
Result<std::vector<Image>> open_layout(std::shared_ptr<LayoutFiles> files, std::string_view tag,
                                       const std::string& name, std::string_view platform);

// ---- registries (docker://)


// ---- platforms

struct Platform {
  std::string os;
  std::string architecture;
  std::string variant;
  std::string str() const;  // "os/arch[/variant]"
};
// Parses "os/arch[/variant]" (kInvalidArgument otherwise).
Result<Platform> parse_platform(std::string_view text);
// Whether `have` satisfies the filter `want`: os and architecture equal; a filter without a
// variant takes any variant, one with a variant needs the same one (arm64 without a variant is
// arm64/v8, as the OCI image index spec's platform normalisation says).
bool platform_matches(const Platform& want, const Platform& have);
// Checks `image_platform` ("os/arch[/variant]") against the filter text `want` ("" = anything).
Result<void> check_platform(std::string_view want, const std::string& image_platform);

// ---- image configs

struct ImageConfig {
  std::string created;
  Platform platform;                    // os/architecture/variant as the config says (may be empty)
  std::vector<std::string> diff_ids;    // rootfs.diff_ids
  std::vector<std::string> created_by;  // history created_by of each non-empty layer, in order
  bool has_history = false;
};
// Parses an image config (OCI or Docker); kInvalidArgument when malformed.
Result<ImageConfig> parse_image_config(std::string_view bytes);
// Fills image.created, image.platform (unless the config names none) and each layer's diff_id and
// created_by. kCorrupt when the config's diff_ids do not match the layer count.
// REQUIRES: image.layers is filled.
Result<void> apply_config(const ImageConfig& config, Image& image);

// True for the config media types of container images (OCI and Docker).
bool is_image_config_type(std::string_view media_type);

// ---- streams

// A ByteStream over a whole in-memory string.
std::unique_ptr<ByteStream> string_stream(std::string bytes);

// Produces a stream's bytes by calling `push` (which returns false once the reader is gone: stop
// then) and returns how it ended.
using StreamProducer =
    std::function<Result<void>(const std::function<bool(std::string_view)>& push)>;
// Runs `producer` on a thread of its own, feeding a ByteStream through a buffer of at most
// `max_buffered` bytes (the producer waits while it is full). Returns once the first byte arrived
// or the producer ended: its error then, if it failed before producing anything. A later failure
// is the error of a read(). Destroying the stream stops the producer and joins its thread.
Result<std::unique_ptr<ByteStream>> start_producer_stream(StreamProducer producer,
                                                          size_t max_buffered = 4 << 20);

}  // namespace bulwark::scan::source

namespace bulwark::scan {

// The transports open_images() dispatches to; `rest` is the reference after its "transport:"
// prefix, `name` the whole reference as given.
Result<std::vector<Image>> open_registry_images(std::string_view rest, const std::string& name,
                                                const SourceOptions& options);
Result<std::vector<Image>> open_oci_layout_images(std::string_view rest, const std::string& name,
                                                  const SourceOptions& options);
Result<std::vector<Image>> open_docker_archive_images(std::string_view rest,
                                                      const std::string& name,
                                                      const SourceOptions& options);

}  // namespace bulwark::scan
