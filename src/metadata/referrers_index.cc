#include "metadata/referrers_index.h"

#include <boost/json.hpp>

#include "oci/media_types.h"

namespace bulwark::metadata {

boost::json::object referrers_index(const std::vector<ManifestRecord>& referrers) {
  boost::json::array manifests;
  for (const ManifestRecord& m : referrers) {
    boost::json::object d{{"mediaType", m.media_type}, {"digest", m.digest.str()}, {"size", m.size}};
    if (!m.artifact_type.empty()) d["artifactType"] = m.artifact_type;
    if (!m.annotations_json.empty()) {
      boost::system::error_code ec;
      auto annotations = boost::json::parse(m.annotations_json, ec);
      if (!ec && annotations.is_object()) d["annotations"] = std::move(annotations);
    }
    manifests.push_back(std::move(d));
  }
  return boost::json::object{{"schemaVersion", 2},
                             {"mediaType", oci::media::kOciIndex},
                             {"manifests", std::move(manifests)}};
}

}  // namespace bulwark::metadata
