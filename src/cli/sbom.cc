// `bulwark sbom REF`: the inventory of an image as CycloneDX, SPDX or a table.
//
// REF is spelled as skopeo spells it (docker://HOST/REPO:TAG, oci:DIR[:TAG], docker-archive:FILE,
// or HOST/REPO:TAG). A multi-platform image gives one SBOM per platform: --platform picks one,
// --output-dir writes them all; a JSON document is never mixed with another on stdout.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/source_flags.h"
#include "scan/sbom/format.h"
#include "scan/source/image.h"
#include "scan/walker.h"

namespace bulwark::cli {
namespace {

struct SbomFlags {
  SourceFlags source;
  std::string format = "cyclonedx";
  std::string output_file;
  std::string output_dir;
};

// "linux/arm64/v8" -> "linux-arm64-v8", for file names.
std::string file_stem(const std::string& platform) {
  std::string out = platform.empty() ? "image" : platform;
  for (char& c : out) {
    if (c == '/') c = '-';
  }
  return out;
}

int write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  out.close();
  if (!out) {
    std::cerr << "bulwark sbom: cannot write " << path.string() << "\n";
    return kExitError;
  }
  return kExitOk;
}

int run_sbom(const SbomFlags& flags) {
  const scan::SbomFormat* format = scan::find_sbom_format(flags.format);
  if (format == nullptr) {
    std::cerr << "bulwark sbom: unknown format '" << flags.format << "' (one of:";
    for (const auto& f : scan::sbom_formats()) std::cerr << " " << f.name;
    std::cerr << ")\n";
    return kExitError;
  }
  auto options = source_options(flags.source);
  if (!options) {
    std::cerr << "bulwark sbom: " << options.error().message << "\n";
    return kExitError;
  }
  auto images = scan::open_images(flags.source.reference, *options);
  if (!images) {
    std::cerr << "bulwark sbom: " << images.error().message << "\n";
    return kExitError;
  }
  bool several = images->size() > 1;
  if (several && flags.output_dir.empty() && format->name != "table") {
    std::cerr << "bulwark sbom: " << flags.source.reference << " has " << images->size()
              << " platforms:";
    for (const auto& image : *images) std::cerr << " " << image.platform;
    std::cerr << "; pick one with --platform or write them all with --output-dir\n";
    return kExitError;
  }
  if (!flags.output_dir.empty()) std::filesystem::create_directories(flags.output_dir);
  for (const auto& image : *images) {
    auto inventory = scan::inventory(image);
    if (!inventory) {
      std::cerr << "bulwark sbom: " << image.name << " (" << image.platform
                << "): " << inventory.error().message << "\n";
      return kExitError;
    }
    for (const auto& warning : inventory->warnings) std::cerr << "warning: " << warning << "\n";
    std::string document = format->write(*inventory);
    if (!flags.output_dir.empty()) {
      auto path = std::filesystem::path(flags.output_dir) /
                  (file_stem(image.platform) + "." + std::string(format->file_extension));
      if (int rc = write_file(path, document); rc != kExitOk) return rc;
    } else if (!flags.output_file.empty()) {
      if (int rc = write_file(flags.output_file, document); rc != kExitOk) return rc;
    } else {
      std::cout << document;
      if (several) std::cout << "\n";
    }
  }
  return kExitOk;
}

}  // namespace

Command add_sbom(CLI::App& app) {
  auto flags = std::make_shared<SbomFlags>();
  CLI::App* sub = app.add_subcommand("sbom", "Inventory an image's packages as an SBOM");
  add_reference_option(sub, flags->source);
  sub->add_option("-o,--output", flags->format,
                  "cyclonedx (1.6), cyclonedx-1.5, cyclonedx-1.6, spdx (2.3 JSON) or table");
  sub->add_option("--output-file", flags->output_file, "write the SBOM here instead of stdout");
  sub->add_option("--output-dir", flags->output_dir, "write one SBOM per platform into this directory");
  add_source_options(sub, flags->source);
  return {sub, [flags] { return run_sbom(*flags); }};
}

}  // namespace bulwark::cli
