// Cryptographically secure random identifiers (OpenSSL RAND_bytes). Thread-safe.
#pragma once

#include <string>

namespace bulwark {

// A random RFC 4122 version-4 UUID in canonical lowercase form.
std::string random_uuid();
// `bytes` random bytes as lowercase hex.
std::string random_hex(size_t bytes);

}  // namespace bulwark
