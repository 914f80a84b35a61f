// `bulwark version`: prints the version.
#include <iostream>

#include "cli/commands.h"

namespace bulwark::cli {

Command add_version(CLI::App& app) {
  return {app.add_subcommand("version", "Print the version"), [] {
            std::cout << "bulwark 0.1.0\n";
            return kExitOk;
          }};
}

}  // namespace bulwark::cli
