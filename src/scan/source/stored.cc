// open_stored_images(): manifests from the MetadataStore, blobs from the BlobStore.
#include "scan/source/stored.h"

#include "scan/source/internal.h"

namespace bulwark::scan {
namespace {

class BlobReaderStream final : public ByteStream {
 public:
  explicit BlobReaderStream(std::unique_ptr<storage::BlobReader> reader)
      : reader_(std::move(reader)) {}
  Result<size_t> read(std::span<char> buf) override { return reader_->read(buf); }

 private:
  std::unique_ptr<storage::BlobReader> reader_;
};

class StoredSource final : public source::BlobSource {
 public:
  StoredSource(storage::BlobStore& blobs, metadata::MetadataStore& metadata,
               std::string repository)
      : blobs_(blobs), metadata_(metadata), repository_(std::move(repository)) {}

  Result<source::FetchedManifest> manifest(const Digest& digest) override {
    BULWARK_ASSIGN_OR_RETURN(auto record, metadata_.get_manifest(repository_, digest));
    if (!record) {
      return fail(ErrorCode::kNotFound, "no manifest " + digest.str() + " in " + repository_);
    }
    BULWARK_TRY_VOID(source::verify_digest(record->content, digest, "manifest " + digest.str()));
    return source::FetchedManifest{std::move(record->content), std::move(record->media_type),
                                   digest};
  }

  Result<std::string> blob(const Digest& digest, uint64_t max_bytes) override {
    BULWARK_ASSIGN_OR_RETURN(std::unique_ptr<storage::BlobReader> reader, blobs_.open(digest));
    if (reader->size() > max_bytes) {
      return fail(ErrorCode::kTooLarge, "blob " + digest.str() + " is larger than " +
                                            std::to_string(max_bytes) + " bytes");
    }
    std::string out(static_cast<size_t>(reader->size()), '\0');
    size_t done = 0;
    while (done < out.size()) {
      BULWARK_ASSIGN_OR_RETURN(size_t n, reader->read(std::span<char>(out.data() + done,
                                                                     out.size() - done)));
      if (n == 0) break;
      done += n;
    }
    out.resize(done);
    BULWARK_TRY_VOID(source::verify_digest(out, digest, "blob " + digest.str()));
    return out;
  }

  Result<std::unique_ptr<ByteStream>> open_blob(const oci::Descriptor& layer) override {
    BULWARK_ASSIGN_OR_RETURN(std::unique_ptr<storage::BlobReader> reader, blobs_.open(layer.digest));
    return std::unique_ptr<ByteStream>(std::make_unique<BlobReaderStream>(std::move(reader)));
  }

 private:
  storage::BlobStore& blobs_;
  metadata::MetadataStore& metadata_;
  std::string repository_;
};

}  // namespace

Result<std::vector<Image>> open_stored_images(storage::BlobStore& blobs,
                                              metadata::MetadataStore& metadata,
                                              std::string_view repository,
                                              const Digest& manifest_digest,
                                              std::string_view platform) {
  if (!platform.empty()) {
    BULWARK_TRY_VOID(source::parse_platform(platform));
  }
  auto source = std::make_shared<StoredSource>(blobs, metadata, std::string(repository));
  BULWARK_ASSIGN_OR_RETURN(source::FetchedManifest root, source->manifest(manifest_digest));
  return source::expand(std::move(source), std::string(repository) + "@" + manifest_digest.str(),
                        root, platform);
}

}  // namespace bulwark::scan
