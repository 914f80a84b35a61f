// Upload id validation shared by every BlobStore backend.
//
// Upload ids name staging files and keys, so they are restricted to [A-Za-z0-9-]{1,64}: no path
// separators, dots or empty names can reach a backend. Pure function; thread-safe.
#pragma once

#include <string_view>

#include "common/result.h"

namespace bulwark::storage {

// kInvalidArgument unless `id` matches [A-Za-z0-9-]{1,64}.
Result<void> validate_upload_id(std::string_view id);

}  // namespace bulwark::storage
