#include "cli/source_flags.h"

#include <cstdlib>

namespace bulwark::cli {

void add_reference_option(CLI::App* sub, SourceFlags& flags) {
  sub->add_option("reference", flags.reference,
                  "docker://HOST/REPO:TAG|@DIGEST, HOST/REPO:TAG, oci:DIR[:TAG] or docker-archive:FILE")
      ->required();
}

void add_source_options(CLI::App* sub, SourceFlags& flags) {
  sub->add_option("--platform", flags.platform, "os/arch[/variant] of a multi-platform image");
  add_registry_options(sub, flags);
}

void add_registry_options(CLI::App* sub, SourceFlags& flags) {
  sub->add_option("--creds", flags.creds,
                  "USER:PASSWORD for the registry (or set BULWARK_REGISTRY_AUTH)");
  sub->add_option("--tls-verify", flags.tls_verify, "verify the registry's TLS certificate");
  sub->add_flag("--plain-http", flags.plain_http, "talk HTTP, not HTTPS, to the registry");
  sub->add_option("--ca-file", flags.ca_file, "extra CA certificates (PEM) for the registry");
}

Result<scan::SourceOptions> source_options(const SourceFlags& flags) {
  BULWARK_ASSIGN_OR_RETURN(remote::ClientOptions client, registry_options(flags));
  scan::SourceOptions options;
  options.platform = flags.platform;
  options.tls_verify = client.tls_verify;
  options.plain_http = client.plain_http;
  options.ca_file = client.ca_file;
  options.username = std::move(client.username);
  options.password = std::move(client.password);
  return options;
}

Result<remote::ClientOptions> registry_options(const SourceFlags& flags) {
  remote::ClientOptions options;
  options.tls_verify = flags.tls_verify;
  options.plain_http = flags.plain_http;
  options.ca_file = flags.ca_file;
  std::string creds = flags.creds;
  if (const char* env = std::getenv("BULWARK_REGISTRY_AUTH"); creds.empty() && env != nullptr)
    creds = env;
  if (!creds.empty()) {
    size_t colon = creds.find(':');
    if (colon == std::string::npos)
      return fail(ErrorCode::kInvalidArgument, "--creds must be USER:PASSWORD");
    options.username = creds.substr(0, colon);
    options.password = creds.substr(colon + 1);
  }
  return options;
}

}  // namespace bulwark::cli
