// Media types the registry understands, in one place.
#pragma once

#include <string_view>

namespace bulwark::oci::media {

inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view kOciEmpty = "application/vnd.oci.empty.v1+json";
inline constexpr std::string_view kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerSchema1 =
    "application/vnd.docker.distribution.manifest.v1+json";
inline constexpr std::string_view kDockerSchema1Signed =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";
inline constexpr std::string_view kDockerConfig = "application/vnd.docker.container.image.v1+json";

// True for the config media types of runnable images (OCI and Docker), as opposed to artifacts.
inline bool is_image_config(std::string_view media_type) {
  return media_type == kOciConfig || media_type == kDockerConfig;
}

}  // namespace bulwark::oci::media
