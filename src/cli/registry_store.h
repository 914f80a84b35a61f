// The image a provenance command works on (`bulwark sign|attest|verify|verify-attestation REF`):
// REF resolved to its manifest digest on the registry, and trust::ArtifactStore over that
// registry's repository so the trust module reads and writes signatures there. Blocking;
// one per command run.
#pragma once

#include <memory>
#include <string>

#include "cli/source_flags.h"
#include "common/digest.h"
#include "common/result.h"
#include "remote/registry_client.h"
#include "trust/image_signatures.h"

namespace bulwark::cli {

// trust::ArtifactStore on one repository of a remote registry.
class RegistryStore final : public trust::ArtifactStore {
 public:
  explicit RegistryStore(std::shared_ptr<remote::RegistryClient> client)
      : client_(std::move(client)) {}

  Result<std::optional<std::string>> manifest_by_tag(std::string_view tag) override;
  Result<std::string> manifest(const Digest& digest) override;
  Result<std::string> blob(const Digest& digest, uint64_t max_bytes) override;
  Result<std::string> referrers(const Digest& subject) override;
  Result<void> push_blob(std::string_view bytes) override;
  Result<bool> push_manifest(std::string_view tag, std::string_view media_type,
                             std::string_view bytes) override;

 private:
  std::shared_ptr<remote::RegistryClient> client_;
};

struct ResolvedImage {
  std::shared_ptr<remote::RegistryClient> client;
  std::unique_ptr<RegistryStore> store;
  std::string repository;  // "HOST/REPO" as signatures name it (cosign's docker-reference)
  Digest digest;           // of the manifest REF names
  std::string media_type;  // of that manifest
  uint64_t size = 0;
};

// Resolves flags.reference ("docker://HOST/REPO:TAG|@DIGEST" or "HOST/REPO:TAG|@DIGEST") on its
// registry with flags' connection options.
Result<ResolvedImage> resolve_image(const SourceFlags& flags);

}  // namespace bulwark::cli
