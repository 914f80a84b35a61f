// RuntimeSettings: the table of mutable keys, validation, and the overlay of stored overrides.
#include "api/runtime_settings.h"

#include <algorithm>

#include "common/log.h"

namespace bulwark::api {
namespace {

constexpr int64_t kMinute = 60;
constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 86400;

const std::array<SettingRule, kSettingCount> kMutableSettings = {{
    {Setting::kTokenLifetime, "auth.token_lifetime", kMinute, kHour,
     &Config::auth_token_lifetime_seconds},
    {Setting::kRefreshLifetime, "auth.refresh_lifetime", kHour, 90 * kDay,
     &Config::auth_refresh_lifetime_seconds},
    {Setting::kUploadExpiry, "uploads.expiry", kHour, 30 * kDay, &Config::upload_expiry_seconds},
}};

std::array<int64_t, kSettingCount> base_values(const Config& config) {
  std::array<int64_t, kSettingCount> out{};
  for (const SettingRule& rule : kMutableSettings) {
    out[static_cast<size_t>(rule.id)] = config.*rule.base;
  }
  return out;
}

std::string seconds_text(int64_t seconds) { return std::to_string(seconds) + "s"; }

}  // namespace

const std::array<SettingRule, kSettingCount>& mutable_settings() { return kMutableSettings; }

const SettingRule* find_setting(std::string_view key) {
  for (const SettingRule& rule : kMutableSettings) {
    if (rule.key == key) return &rule;
  }
  return nullptr;
}

Result<int64_t> validate_setting(std::string_view key, std::string_view value) {
  const SettingRule* rule = find_setting(key);
  if (rule == nullptr) {
    return fail(ErrorCode::kInvalidArgument,
                "unknown setting \"" + std::string(key) + "\" (not changeable at runtime)");
  }
  auto seconds = parse_duration_seconds(value);
  if (!seconds) {
    return fail(ErrorCode::kInvalidArgument, std::string(key) + ": " + seconds.error().message);
  }
  if (*seconds < rule->min_seconds || *seconds > rule->max_seconds) {
    return fail(ErrorCode::kInvalidArgument, std::string(key) + ": " + std::to_string(*seconds) +
                                                 "s is outside " + seconds_text(rule->min_seconds) +
                                                 ".." + seconds_text(rule->max_seconds));
  }
  return *seconds;
}

RuntimeSettings::RuntimeSettings(const Config& base, metadata::SettingsStore& store,
                                 const metadata::IdentityStore& generation)
    : base_(base_values(base)), store_(store), generation_(generation), seen_(0) {
  for (size_t i = 0; i < kSettingCount; ++i) values_[i].store(base_[i]);
}

Result<std::vector<EffectiveSetting>> RuntimeSettings::load() {
  BULWARK_ASSIGN_OR_RETURN(auto stored, store_.get_settings());
  std::vector<EffectiveSetting> out;
  for (const SettingRule& rule : kMutableSettings) {
    EffectiveSetting e{&rule, base_[static_cast<size_t>(rule.id)], std::nullopt};
    if (auto it = stored.find(std::string(rule.key)); it != stored.end()) {
      auto seconds = validate_setting(rule.key, it->second.value);
      if (seconds) {
        e.seconds = *seconds;
        e.override_ = it->second;
      } else {
        log_event(LogLevel::kWarn, "ignoring an invalid stored setting",
                  {{"key", rule.key}, {"detail", seconds.error().message}});
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

Result<void> RuntimeSettings::refresh(bool force) {
  uint64_t generation = generation_.identity_generation();
  if (!force && loaded_.load() && generation == seen_.load()) return ok();
  std::lock_guard lock(refresh_mu_);
  generation = generation_.identity_generation();  // before reading: a change meanwhile shows
  if (!force && loaded_.load() && generation == seen_.load()) return ok();
  BULWARK_ASSIGN_OR_RETURN(std::vector<EffectiveSetting> effective, load());
  for (const EffectiveSetting& e : effective) {
    values_[static_cast<size_t>(e.rule->id)].store(e.seconds);
  }
  seen_.store(generation);
  loaded_.store(true);
  return ok();
}

Result<std::vector<EffectiveSetting>> RuntimeSettings::snapshot() {
  BULWARK_TRY_VOID(refresh(true));
  return load();
}

Result<std::vector<RuntimeSettings::Change>> RuntimeSettings::apply(
    const std::map<std::string, std::string>& changes, std::string_view actor) {
  if (changes.empty()) return fail(ErrorCode::kInvalidArgument, "no settings given");
  for (const auto& [key, value] : changes) {
    auto valid = validate_setting(key, value);
    if (!valid) return fail(std::move(valid.error()));
  }
  BULWARK_ASSIGN_OR_RETURN(std::vector<EffectiveSetting> before, load());
  std::vector<Change> out;
  for (const auto& [key, value] : changes) {
    const SettingRule* rule = find_setting(key);
    const EffectiveSetting& old = before[static_cast<size_t>(rule - kMutableSettings.data())];
    out.push_back({key, old.override_ ? old.override_->value : seconds_text(old.seconds), value});
  }
  BULWARK_TRY_VOID(store_.put_settings(changes, actor));
  BULWARK_TRY_VOID(refresh(true));
  return out;
}

}  // namespace bulwark::api
