#include "jobs/stored_artifacts.h"

#include <array>
#include <utility>

#include <boost/json.hpp>

#include "metadata/referrers_index.h"

namespace bulwark::jobs {

StoredArtifacts::StoredArtifacts(storage::BlobStore& blobs, metadata::MetadataStore& metadata,
                                 std::string repository)
    : blobs_(blobs), metadata_(metadata), repository_(std::move(repository)) {}

Result<std::optional<std::string>> StoredArtifacts::manifest_by_tag(std::string_view tag) {
  BULWARK_ASSIGN_OR_RETURN(std::optional<Digest> digest, metadata_.resolve_tag(repository_, tag));
  if (!digest) return std::optional<std::string>();
  BULWARK_ASSIGN_OR_RETURN(std::string content, manifest(*digest));
  return std::optional<std::string>(std::move(content));
}

Result<std::string> StoredArtifacts::manifest(const Digest& digest) {
  BULWARK_ASSIGN_OR_RETURN(auto record, metadata_.get_manifest(repository_, digest));
  if (!record) {
    return fail(ErrorCode::kNotFound, "manifest " + digest.str() + " is not in " + repository_);
  }
  // The store checked the bytes against the digest when they were pushed.
  return std::move(record->content);
}

Result<std::string> StoredArtifacts::blob(const Digest& digest, uint64_t max_bytes) {
  BULWARK_ASSIGN_OR_RETURN(auto linked, metadata_.blob_in_repository(repository_, digest));
  if (!linked) return fail(ErrorCode::kNotFound, "blob " + digest.str() + " is not in " + repository_);
  if (*linked > max_bytes) {
    return fail(ErrorCode::kTooLarge, "blob " + digest.str() + " is larger than " +
                                          std::to_string(max_bytes) + " bytes");
  }
  BULWARK_ASSIGN_OR_RETURN(auto reader, blobs_.open(digest));
  if (reader->size() > max_bytes) {
    return fail(ErrorCode::kTooLarge, "blob " + digest.str() + " is larger than " +
                                          std::to_string(max_bytes) + " bytes");
  }
  std::string out;
  out.reserve(reader->size());
  std::array<char, 64 * 1024> buffer{};
  for (;;) {
    BULWARK_ASSIGN_OR_RETURN(size_t n, reader->read(buffer));
    if (n == 0) break;
    out.append(buffer.data(), n);
    if (out.size() > max_bytes) {
      return fail(ErrorCode::kTooLarge, "blob " + digest.str() + " grew past its size");
    }
  }
  if (Digest::of(out, digest.algorithm()) != digest) {
    return fail(ErrorCode::kDigestMismatch, "blob " + digest.str() + " does not match its digest");
  }
  return out;
}

Result<std::string> StoredArtifacts::referrers(const Digest& subject) {
  BULWARK_ASSIGN_OR_RETURN(auto listed, metadata_.list_referrers(repository_, subject, std::nullopt));
  return boost::json::serialize(metadata::referrers_index(listed));
}

Result<void> StoredArtifacts::push_blob(std::string_view) {
  return fail(ErrorCode::kUnsupported, "the server's signature store is read-only");
}

Result<bool> StoredArtifacts::push_manifest(std::string_view, std::string_view, std::string_view) {
  return fail(ErrorCode::kUnsupported, "the server's signature store is read-only");
}

}  // namespace bulwark::jobs
