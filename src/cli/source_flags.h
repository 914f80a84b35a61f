// The image-source flags every command that reads an image shares (`bulwark sbom`, `bulwark
// scan`; `sign`, `verify` and `attest` take the registry ones): the reference as skopeo spells it, --platform, --creds (or BULWARK_REGISTRY_AUTH),
// --tls-verify, --plain-http and --ca-file, and their conversion to scan::SourceOptions.
// Registration binds to a SourceFlags the caller keeps alive (CLI11 writes into it on parse).
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "common/result.h"
#include "remote/registry_client.h"
#include "scan/source/image.h"

namespace bulwark::cli {

struct SourceFlags {
  std::string reference;
  std::string platform;
  std::string creds;  // USER:PASSWORD; BULWARK_REGISTRY_AUTH is read when empty
  bool tls_verify = true;
  bool plain_http = false;
  std::string ca_file;
};

// Registers the positional, required `reference` on `sub`.
void add_reference_option(CLI::App* sub, SourceFlags& flags);

// Registers --platform, --creds, --tls-verify, --plain-http and --ca-file on `sub`.
void add_source_options(CLI::App* sub, SourceFlags& flags);
// Registers the registry connection flags only: --creds, --tls-verify, --plain-http, --ca-file.
void add_registry_options(CLI::App* sub, SourceFlags& flags);

// The options for scan::open_images. Errors: kInvalidArgument when the credentials are not
// USER:PASSWORD (the message names --creds; the credentials themselves never appear).
Result<scan::SourceOptions> source_options(const SourceFlags& flags);
// The connection options for remote::RegistryClient, with the same credential rules.
Result<remote::ClientOptions> registry_options(const SourceFlags& flags);

}  // namespace bulwark::cli
