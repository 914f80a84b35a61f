// Internal: libsodium initialisation shared by the auth module's sources. Thread-safe.
#pragma once

namespace bulwark::auth {

// Calls sodium_init() once per process (idempotent, safe from any thread); aborts if libsodium
// cannot initialise, since no secret may then be generated or checked.
void ensure_sodium();

}  // namespace bulwark::auth
