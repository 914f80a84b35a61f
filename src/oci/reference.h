// Repository names, tags and references as the OCI distribution spec defines them. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/digest.h"
#include "common/result.h"

namespace bulwark::oci {

// Maximum length of a repository name (distribution's limit, with room for a registry host in
// the full reference: 255 - len("host:port/")).
inline constexpr size_t kMaxRepositoryLength = 255;

// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*`, length-limited.
// Rejects "..", empty components and anything that could traverse paths.
Result<void> validate_repository(std::string_view name);
// `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`.
Result<void> validate_tag(std::string_view tag);

// A manifest reference in an API path: a tag or a digest.
using Reference = std::variant<std::string, Digest>;
// Digest if it contains ':', otherwise a tag; each validated.
Result<Reference> parse_reference(std::string_view text);

// A full image reference as clients write it: [HOST[:PORT]/]REPO[:TAG][@DIGEST].
struct ImageReference {
  std::string registry;  // empty when none was given
  std::string repository;
  std::optional<std::string> tag;
  std::optional<Digest> digest;
  std::string str() const;
};
// The first component is a registry host when it contains '.' or ':' or is "localhost".
Result<ImageReference> parse_image_reference(std::string_view text);

}  // namespace bulwark::oci
