// Internals shared by the http module's own .cc files (not for other modules): the process-wide
// worker pool behind run_blocking() and percent-decoding. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace bulwark::http::internal {

// Registers a user of the worker pool, creating it with `threads` threads if none exists.
// run_blocking() uses the pool while at least one user is registered.
void acquire_worker_pool(int threads);
// Unregisters a user; the last one joins the pool's threads (waiting for running jobs).
void release_worker_pool();

// Percent-decodes `text` ('+' stays a literal plus); nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text);

}  // namespace bulwark::http::internal
