#include "cli/registry_store.h"

namespace bulwark::cli {

Result<std::optional<std::string>> RegistryStore::manifest_by_tag(std::string_view tag) {
  BULWARK_ASSIGN_OR_RETURN(std::optional<remote::Manifest> m,
                           client_->find_manifest(std::string(tag)));
  if (!m) return std::optional<std::string>();
  return std::optional<std::string>(std::move(m->bytes));
}

Result<std::string> RegistryStore::manifest(const Digest& digest) {
  BULWARK_ASSIGN_OR_RETURN(remote::Manifest m, client_->get_manifest(digest.str(), digest));
  return std::move(m.bytes);
}

Result<std::string> RegistryStore::blob(const Digest& digest, uint64_t max_bytes) {
  return client_->get_blob(digest, max_bytes);
}

Result<std::string> RegistryStore::referrers(const Digest& subject) {
  return client_->referrers(subject);
}

Result<void> RegistryStore::push_blob(std::string_view bytes) {
  BULWARK_TRY_VOID(client_->push_blob(bytes));
  return ok();
}

Result<bool> RegistryStore::push_manifest(std::string_view tag, std::string_view media_type,
                                          std::string_view bytes) {
  BULWARK_ASSIGN_OR_RETURN(remote::PushedManifest pushed,
                           client_->put_manifest(tag, media_type, bytes));
  return pushed.subject_indexed;
}

Result<ResolvedImage> resolve_image(const SourceFlags& flags) {
  std::string_view reference = flags.reference;
  if (reference.starts_with("docker://")) reference.remove_prefix(9);
  BULWARK_ASSIGN_OR_RETURN(remote::RegistryLocation location,
                           remote::parse_registry_reference(reference));
  BULWARK_ASSIGN_OR_RETURN(remote::ClientOptions options, registry_options(flags));
  ResolvedImage out;
  out.repository = location.host + "/" + location.repository;
  out.client = std::make_shared<remote::RegistryClient>(location, std::move(options));
  BULWARK_ASSIGN_OR_RETURN(remote::Manifest m,
                           out.client->get_manifest(location.reference, location.digest));
  out.digest = m.digest;
  out.media_type = m.media_type;
  out.size = m.bytes.size();
  out.store = std::make_unique<RegistryStore>(out.client);
  return out;
}

}  // namespace bulwark::cli
