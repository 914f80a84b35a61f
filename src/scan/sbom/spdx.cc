#include "scan/sbom/spdx.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <set>
#include <string_view>
#include <vector>

#include "common/digest.h"
#include "scan/sbom/common.h"
#include "scan/sbom/license.h"

namespace bulwark::scan {
namespace {

namespace json = boost::json;

constexpr std::string_view kNoAssertion = "NOASSERTION";
constexpr std::string_view kImageId = "SPDXRef-Image";
constexpr std::string_view kOsId = "SPDXRef-OperatingSystem";

json::string text(std::string_view s) { return json::string(valid_utf8(s)); }

// SPDX idstring characters are [A-Za-z0-9.-]; everything else becomes '-', runs collapsed,
// at most `max` characters.
std::string idstring(std::string_view s, size_t max) {
  std::string out;
  for (char c : s) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.';
    if (ok) {
      out += c;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
    if (out.size() >= max) break;
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

// The LicenseRef-* definitions the document needs (hasExtractedLicensingInfos), in first-use order.
class ExtractedLicenses {
 public:
  // A LicenseRef for free licence text: readable prefix + hash, so different texts never collide.
  std::string ref_for_text(const std::string& found) {
    std::string prefix = idstring(found, 40);
    std::string ref =
        "LicenseRef-" + (prefix.empty() ? "" : prefix + "-") + sha256_hex(found).substr(0, 8);
    add(ref, found);
    return ref;
  }
  // LicenseRefs the analyzer reported inside an expression: defined by the string as found.
  void add_refs_of(const std::string& expression, const std::string& found) {
    for (const auto& ref : license_refs(expression)) add(ref, found);
  }
  json::array to_json() const { return infos_; }
  bool empty() const { return infos_.empty(); }

 private:
  void add(const std::string& ref, const std::string& found) {
    if (!seen_.insert(ref).second) return;
    infos_.push_back(
        json::object{{"licenseId", ref}, {"extractedText", text(found)}, {"name", text(found)}});
  }
  std::set<std::string> seen_;
  json::array infos_;
};

std::string license_declared(const Package& package, ExtractedLicenses& extracted) {
  std::vector<LicenseTerm> terms;
  std::set<std::string> seen;
  for (const auto& raw : package.licenses) {
    LicenseTerm term = classify_license(raw);
    if (term.text.empty()) continue;
    if (term.kind == LicenseTerm::Kind::kName) {
      term = {LicenseTerm::Kind::kExpression, extracted.ref_for_text(term.text), false};
    } else {
      extracted.add_refs_of(term.text, term.text);
    }
    if (seen.insert(term.text).second) terms.push_back(std::move(term));
  }
  return terms.empty() ? std::string(kNoAssertion) : join_license_terms(terms);
}

json::object purl_ref(const std::string& purl) {
  return json::object{{"referenceCategory", "PACKAGE-MANAGER"},
                      {"referenceType", "purl"},
                      {"referenceLocator", text(purl)}};
}

// The fields every package has: not analysed file by file, nothing concluded.
json::object base_package(std::string_view id, std::string_view name, std::string_view version) {
  json::object p;
  p["SPDXID"] = id;
  p["name"] = text(name.empty() ? "unknown" : name);
  if (!version.empty()) p["versionInfo"] = text(version);
  p["downloadLocation"] = kNoAssertion;
  p["filesAnalyzed"] = false;
  p["licenseConcluded"] = kNoAssertion;
  return p;
}

std::string source_info(const Package& package, const Inventory& inventory) {
  std::vector<std::string> parts;
  if (auto layer = layer_digest(package, inventory); !layer.empty()) {
    parts.push_back("layer " + std::string(layer));
  }
  if (!package.evidence.empty()) parts.push_back("evidence " + package.evidence);
  if (!package.source_name.empty()) {
    parts.push_back("source package " + package.source_name +
                    (package.source_version.empty() ? "" : " " + package.source_version));
  }
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : "; ") + part;
  return out;
}

json::object relationship(std::string_view from, std::string_view type, std::string_view to) {
  return json::object{
      {"spdxElementId", from}, {"relationshipType", type}, {"relatedSpdxElement", to}};
}

}  // namespace

std::string to_spdx(const Inventory& inventory) {
  json::array packages;
  json::array relationships;
  relationships.push_back(relationship("SPDXRef-DOCUMENT", "DESCRIBES", kImageId));

  json::object image = base_package(kImageId, image_name(inventory), inventory.manifest_digest);
  image["licenseDeclared"] = kNoAssertion;
  if (std::string purl = image_purl(inventory); !purl.empty()) {
    image["externalRefs"] = json::array{purl_ref(purl)};
  }
  image["primaryPackagePurpose"] = "CONTAINER";
  packages.push_back(std::move(image));

  if (inventory.os) {
    const OsRelease& os = *inventory.os;
    json::object p = base_package(kOsId, os.family, os.version);
    p["licenseDeclared"] = kNoAssertion;
    if (!os.pretty_name.empty()) p["description"] = text(os.pretty_name);
    if (!os.evidence.empty()) p["sourceInfo"] = text("evidence " + os.evidence);
    p["primaryPackagePurpose"] = "OPERATING_SYSTEM";
    packages.push_back(std::move(p));
    relationships.push_back(relationship(kImageId, "CONTAINS", kOsId));
  }

  ExtractedLicenses extracted;
  std::set<std::string> ids;
  for (size_t i = 0; i < inventory.packages.size(); ++i) {
    const Package& package = inventory.packages[i];
    const std::string purl = package_purl(package, inventory);
    // Stable across scans: type, name and a hash of what identifies this occurrence.
    std::string id = "SPDXRef-Package-" + idstring(package.type, 16) + "-" +
                     idstring(display_name(package), 48) + "-" +
                     sha256_hex(purl + "\n" + package.evidence + "\n" +
                                std::string(layer_digest(package, inventory)))
                         .substr(0, 16);
    if (!ids.insert(id).second) {
      id += "-" + std::to_string(i);
      ids.insert(id);
    }
    json::object p = base_package(id, display_name(package), display_version(package));
    p["licenseDeclared"] = text(license_declared(package, extracted));
    p["externalRefs"] = json::array{purl_ref(purl)};
    if (std::string info = source_info(package, inventory); !info.empty()) {
      p["sourceInfo"] = text(info);
    }
    packages.push_back(std::move(p));
    relationships.push_back(relationship(kImageId, "CONTAINS", id));
  }

  json::object doc;
  doc["spdxVersion"] = "SPDX-2.3";
  doc["dataLicense"] = "CC0-1.0";
  doc["SPDXID"] = "SPDXRef-DOCUMENT";
  doc["name"] = text(image_name(inventory));
  doc["documentNamespace"] = "";  // filled below, from the rest of the document
  doc["creationInfo"] = json::object{{"created", sbom_timestamp(inventory.created)},
                                     {"creators", json::array{"Tool: bulwark"}}};
  doc["packages"] = std::move(packages);
  doc["relationships"] = std::move(relationships);
  if (!extracted.empty()) doc["hasExtractedLicensingInfos"] = extracted.to_json();

  // "sha256:<hex>" is safe in a URI path; anything else is reduced to idstring characters.
  std::string digest = Digest::parse(inventory.manifest_digest)
                           ? inventory.manifest_digest
                           : idstring(inventory.manifest_digest, 140);
  if (digest.empty()) digest = "unknown";
  const std::string content_hash = sha256_hex(json::serialize(doc)).substr(0, 32);
  doc["documentNamespace"] = "https://bulwark.dev/spdx/" + digest + "-" + content_hash;
  return json::serialize(doc) + "\n";
}

}  // namespace bulwark::scan
