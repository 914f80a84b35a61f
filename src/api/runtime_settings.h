// RuntimeSettings: the registry-wide settings that may change while the server runs — the
// configuration file's values overlaid by overrides stored in the metadata database
// (metadata/settings_store.h), set with PATCH /api/v1/settings or `bulwark admin settings set`.
//
// Mutable keys (one table, kMutableSettings in runtime_settings.cc: name, parser, bounds):
//   auth.token_lifetime    duration 1m..1h   access tokens issued from then on
//   auth.refresh_lifetime  duration 1h..90d  refresh tokens issued from then on
//   uploads.expiry         duration 1h..30d  the upload janitor's idle limit
// Durations as in the configuration file ("90s", "15m", "24h", "7d"; common/config.h).
//
// A change made through any store on the same database (this process or another) advances the
// store's identity generation; refresh() re-reads the overrides when it moved. An override
// that no longer validates (edited by hand) is ignored with a warning: the file's value holds.
//
// Thread-safety: thread-safe. The getters are lock-free atomic loads (callable anywhere);
// refresh() and update paths block on the store — call them from worker threads only.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/config.h"
#include "common/result.h"
#include "metadata/identity_store.h"
#include "metadata/settings_store.h"

namespace bulwark::api {

enum class Setting { kTokenLifetime, kRefreshLifetime, kUploadExpiry };
inline constexpr size_t kSettingCount = 3;

// One mutable key's rule.
struct SettingRule {
  Setting id;
  std::string_view key;  // e.g. "auth.token_lifetime"
  int64_t min_seconds;   // inclusive bounds
  int64_t max_seconds;
  int64_t Config::*base;  // the configuration field it overrides
};

// The table of mutable keys, in display order.
const std::array<SettingRule, kSettingCount>& mutable_settings();

// The rule for `key`, or nullptr for a key that cannot be changed at runtime.
const SettingRule* find_setting(std::string_view key);

// `value` parsed for `key` (seconds). kInvalidArgument naming the key for an unknown key, an
// unparsable value or one out of bounds.
Result<int64_t> validate_setting(std::string_view key, std::string_view value);

// One key's effective value and where it comes from.
struct EffectiveSetting {
  const SettingRule* rule = nullptr;
  int64_t seconds = 0;
  std::optional<metadata::StoredSetting> override_;  // set when the stored override applies
};

class RuntimeSettings {
 public:
  // Effective values start as `base`'s; call refresh() (worker thread) before serving.
  // `store` and `generation` (usually the same SqliteMetadataStore) must outlive this.
  RuntimeSettings(const Config& base, metadata::SettingsStore& store,
                  const metadata::IdentityStore& generation);

  // Cheap, non-blocking.
  int64_t get(Setting id) const { return values_[static_cast<size_t>(id)].load(); }
  int64_t token_lifetime() const { return get(Setting::kTokenLifetime); }
  int64_t refresh_lifetime() const { return get(Setting::kRefreshLifetime); }
  int64_t upload_expiry() const { return get(Setting::kUploadExpiry); }

  // Re-reads the overrides when the identity generation moved since the last read (or always
  // when `force`). On a store error the previous values stay. Blocking.
  Result<void> refresh(bool force = false);

  // The effective values with their overrides, read fresh from the store. Blocking.
  Result<std::vector<EffectiveSetting>> snapshot();

  // Validates every change first (nothing is stored unless all are valid), then stores them in
  // one transaction as `actor`, refreshes, and returns each key's (old, new) value text, where
  // old is the previous effective value ("5m" for an override, "300s" for a file value).
  // kInvalidArgument naming the first bad key or value; kInvalidArgument for no changes.
  struct Change {
    std::string key;
    std::string old_value;
    std::string new_value;
  };
  Result<std::vector<Change>> apply(const std::map<std::string, std::string>& changes,
                                    std::string_view actor);

 private:
  Result<std::vector<EffectiveSetting>> load();

  const std::array<int64_t, kSettingCount> base_;  // the configuration's values
  metadata::SettingsStore& store_;
  const metadata::IdentityStore& generation_;
  std::array<std::atomic<int64_t>, kSettingCount> values_;
  std::mutex refresh_mu_;       // serialises refreshes
  std::atomic<uint64_t> seen_;  // generation of the last read
  std::atomic<bool> loaded_{false};
};

}  // namespace bulwark::api
