// The OCI image index listing referrers (distribution-spec 1.1 referrers API, and the index the
// server's signature reader sees): one descriptor per stored referrer with its mediaType, digest,
// size, artifactType and annotations. Pure function; thread-safe.
#pragma once

#include <vector>

#include <boost/json/object.hpp>

#include "metadata/metadata_store.h"

namespace bulwark::metadata {

// {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[...]}
// for `referrers` (as MetadataStore::list_referrers returns them).
boost::json::object referrers_index(const std::vector<ManifestRecord>& referrers);

}  // namespace bulwark::metadata
