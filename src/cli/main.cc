// bulwark: the registry server and the pipeline tool. Subcommands are listed in one table.
#include <iostream>
#include <vector>

#include "cli/commands.h"

namespace {

using Registration = bulwark::cli::Command (*)(CLI::App&);
constexpr Registration kCommands[] = {
    bulwark::cli::add_admin,
    bulwark::cli::add_attest,
    bulwark::cli::add_audit,
    bulwark::cli::add_db,
    bulwark::cli::add_keygen,
    bulwark::cli::add_policy,
    bulwark::cli::add_promote,
    bulwark::cli::add_sbom,
    bulwark::cli::add_scan,
    bulwark::cli::add_serve,
    bulwark::cli::add_sign,
    bulwark::cli::add_sign_blob,
    bulwark::cli::add_verify,
    bulwark::cli::add_verify_attestation,
    bulwark::cli::add_verify_blob,
    bulwark::cli::add_version,
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Bulwark: a defence-in-depth OCI container registry"};
  app.require_subcommand(1);
  std::vector<bulwark::cli::Command> commands;
  for (auto reg : kCommands) commands.push_back(reg(app));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : bulwark::cli::kExitError;
  }
  for (const auto& command : commands) {
    if (command.app->parsed()) return command.run();
  }
  return bulwark::cli::kExitError;
}
