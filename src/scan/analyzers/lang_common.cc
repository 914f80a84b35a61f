// Helpers shared by the language-package analyzers (lang_common.h).
#include "scan/analyzers/lang_common.h"

#include <utility>

#include "common/strict_json.h"

namespace bulwark::scan {

namespace json = boost::json;

Result<json::value> lang_parse_json(std::string_view content, std::string_view what) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  if (content.substr(0, kBom.size()) == kBom) content.remove_prefix(kBom.size());
  auto parsed = parse_strict_json(content, 128);
  if (!parsed) {
    return fail(ErrorCode::kInvalidArgument,
                std::string(what) + ": " + parsed.error().message);
  }
  return std::move(*parsed);
}

Result<json::object> lang_parse_json_object(std::string_view content, std::string_view what) {
  BULWARK_ASSIGN_OR_RETURN(json::value value, lang_parse_json(content, what));
  if (!value.is_object()) {
    return fail(ErrorCode::kInvalidArgument, std::string(what) + ": not a JSON object");
  }
  return std::move(value.as_object());
}

std::string_view json_string_member(const json::object& object, std::string_view key) {
  auto it = object.find(key);
  if (it == object.end() || !it->value().is_string()) return {};
  const json::string& s = it->value().get_string();
  return std::string_view(s.data(), s.size());
}

const json::object* json_object_member(const json::object& object, std::string_view key) {
  auto it = object.find(key);
  return it != object.end() && it->value().is_object() ? &it->value().get_object() : nullptr;
}

const json::array* json_array_member(const json::object& object, std::string_view key) {
  auto it = object.find(key);
  return it != object.end() && it->value().is_array() ? &it->value().get_array() : nullptr;
}

bool json_true_member(const json::object& object, std::string_view key) {
  auto it = object.find(key);
  return it != object.end() && it->value().is_bool() && it->value().get_bool();
}

namespace {

// One licence entry: "MIT" or {"type": "MIT", "url": ...}.
void add_license(const json::value& entry, std::vector<std::string>& out) {
  std::string_view text;
  if (entry.is_string()) {
    text = std::string_view(entry.get_string().data(), entry.get_string().size());
  } else if (entry.is_object()) {
    text = json_string_member(entry.get_object(), "type");
    if (text.empty()) text = json_string_member(entry.get_object(), "name");
  }
  text = trim(text);
  if (!text.empty()) out.emplace_back(text);
}

}  // namespace

std::vector<std::string> json_licenses(const json::value& field) {
  std::vector<std::string> out;
  if (field.is_array()) {
    for (const json::value& entry : field.get_array()) add_license(entry, out);
  } else {
    add_license(field, out);
  }
  return out;
}

void set_namespaced_name(std::string_view full, bool npm_scope, Package& package) {
  size_t slash = full.find('/');
  bool split = slash != std::string_view::npos && slash > 0 && slash + 1 < full.size() &&
               (!npm_scope || full.front() == '@');
  if (split) {
    package.namespace_ = std::string(full.substr(0, slash));
    package.name = std::string(full.substr(slash + 1));
  } else {
    package.namespace_.clear();
    package.name = std::string(full);
  }
}

bool lang_inside_node_modules(std::string_view path) {
  constexpr std::string_view kDir = "node_modules/";
  for (size_t pos = path.find(kDir); pos != std::string_view::npos;
       pos = path.find(kDir, pos + 1)) {
    if (pos == 0 || path[pos - 1] == '/') return true;
  }
  return false;
}

std::string_view unquote(std::string_view text) {
  if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') &&
      text.back() == text.front()) {
    return text.substr(1, text.size() - 2);
  }
  return text;
}

void PackageSet::add(Package package) {
  auto key = std::make_tuple(package.type, package.namespace_, package.name, package.version);
  auto [it, inserted] = index_.emplace(std::move(key), packages_.size());
  if (!inserted) {
    if (!package.dev) packages_[it->second].dev = false;
    return;
  }
  packages_.push_back(std::move(package));
}

void PackageSet::move_to(Findings& out) {
  for (Package& package : packages_) out.packages.push_back(std::move(package));
  packages_.clear();
  index_.clear();
}

}  // namespace bulwark::scan
