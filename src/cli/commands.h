// The `bulwark` subcommands. Each registers its options on the CLI11 app and returns the action
// to run when it is chosen; actions return the process exit code (0 ok, 1 a policy or
// verification said no, 2 usage or operational error).
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace bulwark::cli {

using Action = std::function<int()>;

struct Command {
  CLI::App* app;  // the registered subcommand
  Action run;
};

Command add_admin(CLI::App& app);
Command add_attest(CLI::App& app);
Command add_audit(CLI::App& app);
Command add_db(CLI::App& app);
Command add_keygen(CLI::App& app);
Command add_policy(CLI::App& app);
Command add_promote(CLI::App& app);
Command add_sbom(CLI::App& app);
Command add_scan(CLI::App& app);
Command add_serve(CLI::App& app);
Command add_sign(CLI::App& app);
Command add_sign_blob(CLI::App& app);
Command add_verify(CLI::App& app);
Command add_verify_attestation(CLI::App& app);
Command add_verify_blob(CLI::App& app);
Command add_version(CLI::App& app);

inline constexpr int kExitOk = 0;
inline constexpr int kExitDenied = 1;
inline constexpr int kExitError = 2;

}  // namespace bulwark::cli
