// Writing a small file (a key, a password) so that a reader, a crash or a racing writer never
// sees a partial one: the bytes go to a fsynced temporary file in the same directory with the
// final mode (never wider, whatever the umask), which is then published as KeyFileWrite says, and
// the directory is fsynced. Thread-safe (no shared state).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string_view>

#include "common/result.h"

namespace bulwark {

// How write_durable_file() publishes the file.
enum class KeyFileWrite {
  // link(2): refuses to replace an existing file (kAlreadyExists), so processes racing to create
  // the first key agree on one of them.
  kCreateNew,
  // rename(2) over an existing file: key rotation.
  kReplace,
};

// Writes `bytes` to `file` with `mode`. Errors: kAlreadyExists (kCreateNew and the file exists),
// kIo otherwise; messages name the file. REQUIRES: the directory of `file` exists.
Result<void> write_durable_file(const std::filesystem::path& file, std::string_view bytes,
                                mode_t mode, KeyFileWrite how);

}  // namespace bulwark
