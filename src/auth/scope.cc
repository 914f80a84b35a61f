#include "auth/scope.h"

#include <algorithm>
#include <array>

namespace bulwark::auth {
namespace {

namespace json = boost::json;

// Longest repository name the distribution spec allows; also bounds everything else here.
constexpr size_t kMaxNameBytes = 255;
// Scopes accepted in one token request; more are reported invalid.
constexpr size_t kMaxScopes = 64;

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool is_word(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_lower_alnum);
}

// One path component: alnum runs joined by a separator ".", "_", "__" or one or more "-".
bool is_path_component(std::string_view c) {
  if (c.empty() || !is_lower_alnum(c.front()) || !is_lower_alnum(c.back())) return false;
  size_t i = 0;
  while (i < c.size()) {
    size_t sep = i;
    while (i < c.size() && !is_lower_alnum(c[i])) ++i;
    std::string_view s = c.substr(sep, i - sep);
    bool ok = s.empty() || s == "." || s == "_" || s == "__" ||
              s.find_first_not_of('-') == std::string_view::npos;
    if (!ok) return false;
    while (i < c.size() && is_lower_alnum(c[i])) ++i;
  }
  return true;
}

bool is_repository_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameBytes) return false;
  for (size_t start = 0;;) {
    size_t slash = name.find('/', start);
    if (!is_path_component(name.substr(start, slash - start))) return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

bool is_registry_resource(std::string_view name) { return name == "catalog"; }

struct ResourceType {
  std::string_view type;
  bool (*valid_name)(std::string_view);
};
constexpr std::array<ResourceType, 2> kResourceTypes = {{
    {"repository", is_repository_name},
    {"registry", is_registry_resource},
}};

bool is_action(std::string_view a) {
  return a == "*" || (!a.empty() && a.size() <= 32 && a.front() >= 'a' && a.front() <= 'z' &&
                      std::all_of(a.begin(), a.end(),
                                  [](char c) { return (c >= 'a' && c <= 'z') || c == '-'; }));
}

// Client text for an error message: printable ASCII, at most 64 characters.
std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size() && i < 64; ++i) {
    char c = text[i];
    out += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? c : '?';
  }
  return out + (text.size() > 64 ? "...\"" : "\"");
}

void add_action(std::vector<std::string>& actions, std::string_view action) {
  if (std::find(actions.begin(), actions.end(), action) == actions.end()) {
    actions.emplace_back(action);
  }
}

// Checks shared by the query-string and the access-claim forms. `text` names the scope in errors.
Result<void> validate(const Scope& s, std::string_view text) {
  auto type = std::find_if(kResourceTypes.begin(), kResourceTypes.end(),
                           [&](const ResourceType& t) { return t.type == s.type; });
  if (type == kResourceTypes.end()) {
    return fail(ErrorCode::kInvalidArgument, "unknown resource type in scope " + quoted(text));
  }
  if (!s.resource_class.empty() && !is_word(s.resource_class)) {
    return fail(ErrorCode::kInvalidArgument, "invalid resource class in scope " + quoted(text));
  }
  if (!type->valid_name(s.name)) {
    return fail(ErrorCode::kInvalidArgument, "invalid resource name in scope " + quoted(text));
  }
  if (!std::all_of(s.actions.begin(), s.actions.end(),
                   [](const std::string& a) { return is_action(a); })) {
    return fail(ErrorCode::kInvalidArgument, "invalid actions in scope " + quoted(text));
  }
  return ok();
}

bool same_resource(const Scope& a, const Scope& b) {
  return a.type == b.type && a.resource_class == b.resource_class && a.name == b.name;
}

// Quoted-string for an auth-param (RFC 9110 §5.6.4), dropping control characters.
void append_quoted(std::string& out, std::string_view value) {
  out += '"';
  for (char c : value) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) continue;
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

}  // namespace

std::string to_string(const Scope& scope) {
  std::string out = scope.type;
  if (!scope.resource_class.empty()) out += "(" + scope.resource_class + ")";
  out += ":" + scope.name + ":";
  for (size_t i = 0; i < scope.actions.size(); ++i) {
    if (i > 0) out += ',';
    out += scope.actions[i];
  }
  return out;
}

Result<Scope> parse_scope(std::string_view text) {
  size_t first = text.find(':');
  size_t last = text.rfind(':');
  if (first == std::string_view::npos || first == last || text.size() > 2 * kMaxNameBytes) {
    return fail(ErrorCode::kInvalidArgument, "scope is not type:name:actions: " + quoted(text));
  }
  Scope scope;
  std::string_view type = text.substr(0, first);
  if (size_t open = type.find('('); open != std::string_view::npos) {
    if (!type.ends_with(')')) {
      return fail(ErrorCode::kInvalidArgument, "invalid resource class in scope " + quoted(text));
    }
    scope.resource_class = type.substr(open + 1, type.size() - open - 2);
    if (scope.resource_class.empty()) {
      return fail(ErrorCode::kInvalidArgument, "invalid resource class in scope " + quoted(text));
    }
    type = type.substr(0, open);
  }
  scope.type = type;
  scope.name = text.substr(first + 1, last - first - 1);
  for (std::string_view rest = text.substr(last + 1);;) {
    size_t comma = rest.find(',');
    std::string_view action = rest.substr(0, comma);
    if (action.empty()) {  // "pull,,push" or a trailing comma
      return fail(ErrorCode::kInvalidArgument, "invalid actions in scope " + quoted(text));
    }
    add_action(scope.actions, action);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  BULWARK_TRY_VOID(validate(scope, text));
  return scope;
}

ParsedScopes parse_scope_params(std::span<const std::string_view> params) {
  ParsedScopes out;
  size_t seen = 0;
  for (std::string_view param : params) {
    for (size_t start = 0; start <= param.size();) {
      size_t space = std::min(param.find(' ', start), param.size());
      std::string_view text = param.substr(start, space - start);
      start = space + 1;
      if (text.empty()) continue;  // repeated or surrounding spaces
      if (++seen > kMaxScopes) {
        out.invalid.push_back({ErrorCode::kTooLarge, "too many scopes requested"});
        return out;
      }
      auto scope = parse_scope(text);
      if (!scope) {
        out.invalid.push_back(std::move(scope.error()));
        continue;
      }
      auto merged = std::find_if(out.scopes.begin(), out.scopes.end(),
                                 [&](const Scope& s) { return same_resource(s, *scope); });
      if (merged == out.scopes.end()) {
        out.scopes.push_back(std::move(*scope));
      } else {
        for (const std::string& a : scope->actions) add_action(merged->actions, a);
      }
    }
  }
  return out;
}

Scope grant(const Scope& requested, std::span<const std::string> allowed) {
  Scope granted = requested;
  std::erase_if(granted.actions, [&](const std::string& a) {
    return std::find(allowed.begin(), allowed.end(), a) == allowed.end();
  });
  return granted;
}

json::array to_access_claim(std::span<const Scope> scopes) {
  json::array access;
  for (const Scope& s : scopes) {
    json::object entry;
    entry["type"] = s.type;
    if (!s.resource_class.empty()) entry["class"] = s.resource_class;
    entry["name"] = s.name;
    json::array actions;
    for (const std::string& a : s.actions) actions.emplace_back(a);
    entry["actions"] = std::move(actions);
    access.push_back(std::move(entry));
  }
  return access;
}

Result<std::vector<Scope>> from_access_claim(const json::value& access) {
  auto bad = [](std::string why) {
    return fail(ErrorCode::kInvalidArgument, "access claim " + why);
  };
  std::vector<Scope> out;
  if (access.is_null()) return out;
  if (!access.is_array()) return bad("is not an array");
  for (const json::value& v : access.get_array()) {
    const json::object* o = v.if_object();
    if (o == nullptr) return bad("entry is not an object");
    auto text = [&](std::string_view key) -> const json::string* {
      const json::value* field = o->if_contains(key);
      return field == nullptr ? nullptr : field->if_string();
    };
    const json::value* actions = o->if_contains("actions");
    if (text("type") == nullptr || text("name") == nullptr || actions == nullptr ||
        !actions->is_array() || (o->contains("class") && text("class") == nullptr)) {
      return bad("entry lacks type, name or actions");
    }
    Scope scope{std::string(*text("type")),
                text("class") ? std::string(*text("class")) : "",
                std::string(*text("name")),
                {}};
    for (const json::value& a : actions->get_array()) {
      if (!a.is_string()) return bad("action is not a string");
      add_action(scope.actions, a.get_string());
    }
    // A granted entry may hold no actions (nothing of the request was allowed).
    BULWARK_TRY_VOID(validate(scope, to_string(scope)));
    out.push_back(std::move(scope));
  }
  return out;
}

std::string bearer_challenge(std::string_view realm, std::string_view service,
                             std::span<const Scope> scopes, std::string_view error) {
  std::string out = "Bearer realm=";
  append_quoted(out, realm);
  if (!service.empty()) {
    out += ",service=";
    append_quoted(out, service);
  }
  if (!scopes.empty()) {
    std::string joined;
    for (const Scope& s : scopes) joined += (joined.empty() ? "" : " ") + to_string(s);
    out += ",scope=";
    append_quoted(out, joined);
  }
  if (!error.empty()) {
    out += ",error=";
    append_quoted(out, error);
  }
  return out;
}

}  // namespace bulwark::auth
