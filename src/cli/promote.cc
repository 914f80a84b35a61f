// `bulwark promote SRC DST`: asks a Bulwark registry to promote an image from one project to
// another (POST /api/v1/promotions, registry/promotion.cc): the server re-verifies its signatures,
// re-matches it against the current vulnerability database, evaluates the destination's policy
// and only then copies it (blobs mounted, nothing uploaded) and moves the tag.
//
//   bulwark promote [--creds USER:PASSWORD] [--plain-http] [--tls-verify=false] [--ca-file F]
//                   [-o table|json] HOST/REPO:TAG|HOST/REPO@DIGEST [HOST/]REPO[:TAG]
//
// DST is on the same registry (its host may be left out); its tag defaults to SRC's. Exit codes:
// 0 promoted, 1 refused (the reasons are printed), 2 usage or operational error.
#include <boost/json.hpp>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/source_flags.h"
#include "common/strict_json.h"
#include "oci/reference.h"
#include "remote/registry_client.h"

namespace bulwark::cli {
namespace {

namespace json = boost::json;

struct PromoteFlags {
  SourceFlags registry;  // .reference is SRC
  std::string destination;
  std::string output = "table";
};

int error(const std::string& message) {
  std::cerr << "bulwark promote: " << message << "\n";
  return kExitError;
}

std::string string_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

// The result for people: what happened, the policy's verdict, why, and what was copied.
void print_table(const json::object& r) {
  const bool allowed =
      r.contains("allowed") && r.at("allowed").is_bool() && r.at("allowed").get_bool();
  std::cout << (allowed ? "promoted " : "refused  ") << string_at(r, "source") << " -> "
            << string_at(r, "destination") << "\n";
  std::cout << "digest:     " << string_at(r, "digest") << "\n";
  if (std::string policy = string_at(r, "policy"); !policy.empty()) {
    std::cout << "policy:     " << policy << " (" << string_at(r, "outcome") << ")\n";
  }
  if (const json::value* p = r.if_contains("provenance"); p != nullptr && p->is_object()) {
    const json::object& prov = p->get_object();
    const json::value* configured = prov.if_contains("configured");
    if (configured != nullptr && configured->is_bool() && !configured->get_bool()) {
      std::cout << "provenance: signature verification is not configured\n";
    } else {
      std::cout << "provenance: " << string_at(prov, "reason");
      if (const json::value* s = prov.if_contains("signers"); s != nullptr && s->is_array()) {
        for (const json::value& signer : s->get_array()) {
          if (signer.is_string()) std::cout << " " << std::string_view(signer.get_string());
        }
      }
      std::cout << "\n";
    }
  }
  for (std::string_view list : {"reasons", "copied", "notes"}) {
    const json::value* v = r.if_contains(list);
    if (v == nullptr || !v->is_array() || v->get_array().empty()) continue;
    std::cout << list << ":\n";
    for (const json::value& item : v->get_array()) {
      if (item.is_string()) std::cout << "  - " << std::string_view(item.get_string()) << "\n";
    }
  }
}

// The OCI error body's first message, else the status.
std::string error_message(const HttpClientResponse& response) {
  auto doc = parse_strict_json(response.body);
  if (doc && doc->is_object()) {
    const json::value* errors = doc->get_object().if_contains("errors");
    if (errors != nullptr && errors->is_array() && !errors->get_array().empty() &&
        errors->get_array()[0].is_object()) {
      const json::object& first = errors->get_array()[0].get_object();
      return string_at(first, "code") + ": " + string_at(first, "message");
    }
  }
  return "the registry answered " + std::to_string(response.status);
}

int run(const PromoteFlags& flags) {
  if (flags.output != "table" && flags.output != "json") return error("-o must be table or json");
  auto source = oci::parse_image_reference(flags.registry.reference);
  if (!source) return error("SRC: " + source.error().message);
  if (source->registry.empty()) return error("SRC must name the registry: HOST/REPO:TAG");
  if (!source->tag && !source->digest) return error("SRC must name a tag or a digest");
  auto destination = oci::parse_image_reference(flags.destination);
  if (!destination) return error("DST: " + destination.error().message);
  if (!destination->registry.empty() && destination->registry != source->registry) {
    return error("DST must be on the same registry as SRC (" + source->registry + ")");
  }
  if (destination->digest) return error("DST names a tag, not a digest");
  auto options = registry_options(flags.registry);
  if (!options) return error(options.error().message);

  json::object request{
      {"source",
       source->repository + (source->digest ? "@" + source->digest->str() : ":" + *source->tag)},
      {"destination", destination->repository + (destination->tag ? ":" + *destination->tag : "")}};
  remote::RegistryLocation location{source->registry, source->repository, "", source->digest};
  remote::RegistryClient client(location, *options);
  auto response = client.post_json("/api/v1/promotions", json::serialize(request));
  if (!response) return error(response.error().message);
  if (response->status != 200 && response->status != 409) return error(error_message(*response));
  auto body = parse_strict_json(response->body);
  if (!body || !body->is_object()) return error("the registry's answer is not a JSON object");
  if (flags.output == "json") {
    std::cout << response->body << "\n";
  } else {
    print_table(body->get_object());
  }
  return response->status == 200 ? kExitOk : kExitDenied;
}

}  // namespace

Command add_promote(CLI::App& app) {
  auto flags = std::make_shared<PromoteFlags>();
  CLI::App* sub = app.add_subcommand(
      "promote", "Promote an image to another project once that project's policy allows it");
  sub->add_option("source", flags->registry.reference,
                  "the image: HOST/REPO:TAG or HOST/REPO@DIGEST")
      ->required();
  sub->add_option("destination", flags->destination,
                  "where to: [HOST/]REPO[:TAG] on the same registry (tag: SRC's by default)")
      ->required();
  add_registry_options(sub, flags->registry);
  sub->add_option("-o,--output", flags->output, "table or json")->capture_default_str();
  sub->footer("Exit codes: 0 promoted, 1 refused by policy (reasons printed), 2 error.");
  return {sub, [flags] { return run(*flags); }};
}

}  // namespace bulwark::cli
