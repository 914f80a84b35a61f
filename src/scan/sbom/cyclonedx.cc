#include "scan/sbom/cyclonedx.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <set>
#include <string_view>
#include <vector>

#include "scan/sbom/common.h"
#include "scan/sbom/license.h"

namespace bulwark::scan {
namespace {

namespace json = boost::json;

json::string text(std::string_view s) { return json::string(valid_utf8(s)); }

void add_property(json::array& properties, std::string_view name, std::string_view value) {
  if (value.empty()) return;
  properties.push_back(json::object{{"name", name}, {"value", text(value)}});
}

// licenseChoice: a list of {license: {id | name}}, or one {expression} when an expression is
// involved and every string is valid SPDX; an expression next to free text is kept as a name.
json::array licenses_of(const Package& package) {
  std::vector<LicenseTerm> terms;
  for (const auto& raw : package.licenses) {
    LicenseTerm term = classify_license(raw);
    if (term.text.empty()) continue;
    bool seen = false;
    for (const auto& t : terms) seen = seen || (t.kind == term.kind && t.text == term.text);
    if (!seen) terms.push_back(std::move(term));
  }
  bool any_expression = false, any_name = false;
  for (const auto& t : terms) {
    any_expression = any_expression || t.kind == LicenseTerm::Kind::kExpression;
    any_name = any_name || t.kind == LicenseTerm::Kind::kName;
  }
  json::array out;
  if (any_expression && !any_name) {
    out.push_back(json::object{{"expression", text(join_license_terms(terms))}});
    return out;
  }
  for (const auto& t : terms) {
    json::object license;
    if (t.kind == LicenseTerm::Kind::kId) {
      license["id"] = t.text;
    } else {
      license["name"] = text(t.text);
    }
    out.push_back(json::object{{"license", std::move(license)}});
  }
  return out;
}

bool is_os_type(std::string_view type) { return type == "deb" || type == "rpm" || type == "apk"; }

json::object package_component(const Package& package, const Inventory& inventory,
                               const std::string& ref, const std::string& purl) {
  json::object c;
  c["type"] = "library";
  c["bom-ref"] = text(ref);
  // group: the maven groupId, npm scope, composer vendor. Go modules are named by their full path
  // (as cyclonedx-gomod, Syft and Trivy write them); an OS package's namespace is its vendor,
  // not a group.
  if (package.type == "golang") {
    c["name"] = text(display_name(package));
  } else {
    if (!package.namespace_.empty() && !is_os_type(package.type))
      c["group"] = text(package.namespace_);
    c["name"] = text(package.name);
  }
  if (std::string version = display_version(package); !version.empty())
    c["version"] = text(version);
  if (json::array licenses = licenses_of(package); !licenses.empty()) {
    c["licenses"] = std::move(licenses);
  }
  c["purl"] = text(purl);
  json::array properties;
  add_property(properties, "bulwark:package:type", package.type);
  add_property(properties, "bulwark:layer:digest", layer_digest(package, inventory));
  if (package.layer >= 0 && static_cast<size_t>(package.layer) < inventory.layers.size()) {
    add_property(properties, "bulwark:layer:diff-id",
                 inventory.layers[static_cast<size_t>(package.layer)].diff_id);
  }
  add_property(properties, "bulwark:evidence", package.evidence);
  add_property(properties, "bulwark:package:source-name", package.source_name);
  add_property(properties, "bulwark:package:source-version", package.source_version);
  add_property(properties, "bulwark:package:arch", package.arch);
  if (package.epoch)
    add_property(properties, "bulwark:package:epoch", std::to_string(*package.epoch));
  add_property(properties, "bulwark:package:modularity-label", package.modularity_label);
  if (package.dev) add_property(properties, "bulwark:package:dev", "true");
  if (!properties.empty()) c["properties"] = std::move(properties);
  return c;
}

json::object image_component(const Inventory& inventory, const std::string& ref,
                             const std::string& purl) {
  json::object c;
  c["type"] = "container";
  c["bom-ref"] = text(ref);
  c["name"] = text(image_name(inventory));
  if (!inventory.manifest_digest.empty()) c["version"] = text(inventory.manifest_digest);
  if (!purl.empty()) c["purl"] = text(purl);
  json::array properties;
  add_property(properties, "bulwark:image:config-digest", inventory.config_digest);
  add_property(properties, "bulwark:image:platform", inventory.platform);
  add_property(properties, "bulwark:image:created", inventory.created);
  for (const auto& layer : inventory.layers) {
    add_property(properties, "bulwark:image:layer", layer.digest);
  }
  if (!properties.empty()) c["properties"] = std::move(properties);
  return c;
}

json::object os_component(const OsRelease& os, const std::string& ref) {
  json::object c;
  c["type"] = "operating-system";
  c["bom-ref"] = text(ref);
  c["name"] = text(os.family.empty() ? "unknown" : os.family);
  if (!os.version.empty()) c["version"] = text(os.version);
  if (!os.pretty_name.empty()) c["description"] = text(os.pretty_name);
  json::array properties;
  add_property(properties, "bulwark:os:codename", os.codename);
  add_property(properties, "bulwark:evidence", os.evidence);
  if (!properties.empty()) c["properties"] = std::move(properties);
  return c;
}

// `ref`, or `ref` with a package-id qualifier when it is already taken.
std::string unique_ref(std::string ref, size_t index, std::set<std::string>& taken) {
  if (!taken.insert(ref).second) {
    ref += (ref.find('?') == std::string::npos ? "?" : "&") + std::string("package-id=") +
           std::to_string(index);
    taken.insert(ref);
  }
  return ref;
}

}  // namespace

std::string to_cyclonedx(const Inventory& inventory, int minor) {
  const std::string spec_version = "1." + std::to_string(minor);
  std::set<std::string> taken;

  const std::string image_purl_text = image_purl(inventory);
  const std::string image_ref =
      unique_ref(image_purl_text.empty() ? "bulwark:image" : image_purl_text, 0, taken);

  json::object tool{{"type", "application"}, {"name", "bulwark"}};
  json::object metadata;
  metadata["timestamp"] = sbom_timestamp(inventory.created);
  metadata["tools"] = json::object{{"components", json::array{tool}}};
  metadata["component"] = image_component(inventory, image_ref, image_purl_text);

  json::array components;
  json::array depends_on;
  if (inventory.os) {
    std::string ref =
        unique_ref("bulwark:os:" + inventory.os->family + "@" + inventory.os->version, 0, taken);
    components.push_back(os_component(*inventory.os, ref));
    depends_on.push_back(text(ref));
  }
  for (size_t i = 0; i < inventory.packages.size(); ++i) {
    const Package& package = inventory.packages[i];
    std::string purl = package_purl(package, inventory);
    std::string ref = unique_ref(purl, i, taken);
    components.push_back(package_component(package, inventory, ref, purl));
    depends_on.push_back(text(ref));
  }

  json::object bom;
  bom["$schema"] = "http://cyclonedx.org/schema/bom-" + spec_version + ".schema.json";
  bom["bomFormat"] = "CycloneDX";
  bom["specVersion"] = spec_version;
  bom["serialNumber"] = "";  // filled below, from the rest of the document
  bom["version"] = 1;
  bom["metadata"] = std::move(metadata);
  bom["components"] = std::move(components);
  bom["dependencies"] =
      json::array{json::object{{"ref", text(image_ref)}, {"dependsOn", std::move(depends_on)}}};

  const std::string seed = "bulwark cyclonedx " + spec_version + "\n" + inventory.manifest_digest +
                           "\n" + json::serialize(bom);
  bom["serialNumber"] = "urn:uuid:" + uuid_from(seed);
  return json::serialize(bom) + "\n";
}

}  // namespace bulwark::scan
