// `bulwark admin settings show|set`: the registry-wide settings changeable at runtime
// (api/runtime_settings.h) in <data>/metadata.sqlite, through api::AdminService — the same
// validation and audit as PATCH /api/v1/settings. A running server picks a change up at its next
// use of the setting (the store's identity generation moves). --config names the server's
// configuration file so that `show` and the audit's old values use its values rather than the
// defaults; BULWARK_* variables apply as for `serve`.
#include <iostream>
#include <memory>

#include "api/api.h"
#include "api/runtime_settings.h"
#include "cli/admin_internal.h"
#include "common/config.h"

namespace bulwark::cli::admin {
namespace {

struct SettingsFlags {
  Common common;
  std::string config_file;
  std::string key;    // set only
  std::string value;  // set only
};

Result<Config> base_config(const SettingsFlags& f) {
  Config config;
  if (!f.config_file.empty()) BULWARK_TRY_VOID(apply_config_file(config, f.config_file));
  BULWARK_TRY_VOID(apply_config_env(config, bulwark_environment()));
  return config;
}

struct Opened {
  std::unique_ptr<Admin> admin;
  std::unique_ptr<api::RuntimeSettings> settings;
};

Result<Opened> open_settings(const SettingsFlags& f) {
  BULWARK_ASSIGN_OR_RETURN(Config config, base_config(f));
  Opened out;
  BULWARK_ASSIGN_OR_RETURN(out.admin, open_admin(f.common));
  out.settings =
      std::make_unique<api::RuntimeSettings>(config, *out.admin->store, *out.admin->store);
  return out;
}

void print_settings(const std::vector<api::EffectiveSetting>& effective, const Common& common) {
  if (common.output == "json") {
    print_json(api::effective_settings_json({}, effective)["runtime"]);
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const api::EffectiveSetting& e : effective) {
    const auto& o = e.override_;
    rows.push_back({std::string(e.rule->key), std::to_string(e.seconds) + "s",
                    o ? "override " + o->value : "config", o ? o->updated_by : "-",
                    format_time(o ? o->updated_at : 0)});
  }
  print_table({"KEY", "VALUE", "SOURCE", "SET BY", "SET AT"}, rows);
}

int show(const SettingsFlags& f) {
  constexpr std::string_view what = "settings show";
  auto opened = open_settings(f);
  if (!opened) return fail_with(what, opened.error());
  auto effective = opened->admin->service->get_settings(opened->admin->actor, *opened->settings);
  if (!effective) return fail_with(what, effective.error());
  print_settings(*effective, f.common);
  return kExitOk;
}

int set(const SettingsFlags& f) {
  constexpr std::string_view what = "settings set";
  auto opened = open_settings(f);
  if (!opened) return fail_with(what, opened.error());
  auto changed = opened->admin->service->update_settings(opened->admin->actor, *opened->settings,
                                                         {{f.key, f.value}});
  if (!changed) return fail_with(what, changed.error());
  for (const api::RuntimeSettings::Change& c : *changed) {
    std::cerr << "set " << c.key << " to " << c.new_value << " (was " << c.old_value << ")\n";
  }
  return kExitOk;
}

void add_config_option(CLI::App* cmd, SettingsFlags& f) {
  cmd->add_option("--config", f.config_file, "the server's YAML configuration file");
}

}  // namespace

Leaves add_settings_commands(CLI::App& admin) {
  CLI::App* group =
      admin.add_subcommand("settings", "Show or change settings that take effect at runtime");
  group->require_subcommand(1);
  Leaves leaves;

  auto sf = std::make_shared<SettingsFlags>();
  CLI::App* show_cmd = group->add_subcommand("show", "Show the runtime settings' effective values");
  add_common(show_cmd, sf->common, true);
  add_config_option(show_cmd, *sf);
  leaves.push_back({show_cmd, [sf] { return show(*sf); }});

  auto tf = std::make_shared<SettingsFlags>();
  CLI::App* set_cmd = group->add_subcommand(
      "set",
      "Set KEY to VALUE: auth.token_lifetime (1m..1h), auth.refresh_lifetime (1h..90d), "
      "uploads.expiry (1h..30d)");
  add_common(set_cmd, tf->common, false);
  add_config_option(set_cmd, *tf);
  set_cmd->add_option("KEY", tf->key, "setting name")->required();
  set_cmd->add_option("VALUE", tf->value, "duration, e.g. 15m, 12h, 7d")->required();
  leaves.push_back({set_cmd, [tf] { return set(*tf); }});
  return leaves;
}

}  // namespace bulwark::cli::admin
