// SettingsStore: persistence for registry-wide settings changed at runtime — overrides of
// configuration values, by key (e.g. "auth.token_lifetime" -> "2m"). The store keeps text as
// given; api/runtime_settings.h owns which keys exist and what values are valid.
//
// A committed put advances IdentityStore::identity_generation() of every store on the same
// database (this process or another, e.g. `bulwark admin settings set`), so holders of the
// effective values know to re-read them.
//
// Thread-safety: all methods are thread-safe; they block (disk I/O): call them from a worker
// thread, never from an I/O thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/result.h"

namespace bulwark::metadata {

struct StoredSetting {
  std::string value;
  int64_t updated_at = 0;  // unix seconds, stamped by the store
  std::string updated_by;  // the actor that set it last
};

class SettingsStore {
 public:
  virtual ~SettingsStore() = default;

  // Every stored override, by key.
  virtual Result<std::map<std::string, StoredSetting>> get_settings() = 0;
  // Stores all `values` (key -> value) in one transaction, replacing earlier values of the same
  // keys. kInvalidArgument for an empty key or an empty map.
  virtual Result<void> put_settings(const std::map<std::string, std::string>& values,
                                    std::string_view actor) = 0;
};

}  // namespace bulwark::metadata
