#include "audit/event.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include <boost/json.hpp>

#include "common/strict_json.h"

namespace bulwark::audit {
namespace {

namespace json = boost::json;

constexpr int64_t kFormatVersion = 1;

constexpr std::pair<Outcome, std::string_view> kOutcomeNames[] = {
    {Outcome::kAllowed, "allowed"},
    {Outcome::kDenied, "denied"},
    {Outcome::kError, "error"},
};

// The text fields of an event: where each lives in the body ("resource" nests three of them)
// and how to reach it. One table drives serialisation, parsing and sanitising.
struct TextField {
  std::string_view name;    // for messages
  std::string_view parent;  // "" for top-level keys
  std::string_view key;
  const std::string& (*get)(const Event&);
};
constexpr TextField kTextFields[] = {
    {"action", "", "action", [](const Event& e) -> const std::string& { return e.action; }},
    {"actor", "", "actor", [](const Event& e) -> const std::string& { return e.actor; }},
    {"client_address", "", "client",
     [](const Event& e) -> const std::string& { return e.client_address; }},
    {"reason", "", "reason", [](const Event& e) -> const std::string& { return e.reason; }},
    {"resource.digest", "resource", "digest",
     [](const Event& e) -> const std::string& { return e.resource.digest; }},
    {"resource.repository", "resource", "repository",
     [](const Event& e) -> const std::string& { return e.resource.repository; }},
    {"resource.tag", "resource", "tag",
     [](const Event& e) -> const std::string& { return e.resource.tag; }},
};
// Top-level keys besides the text fields: outcome, resource, time_ms, v.
constexpr size_t kTopLevelKeys = 4 + 4;
constexpr size_t kResourceKeys = 3;

// Mutable access to a field of an event the caller owns (the table's getters are const so they
// serve serialisation too; the object itself is never const here).
std::string& mutable_field(Event& event, const TextField& field) {
  return const_cast<std::string&>(field.get(event));
}

// --- credential shapes

bool is_b64url(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}
bool is_token68(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("-._~+/=").find(c) != std::string_view::npos;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Length of the run of `pred` characters starting at `pos`.
template <class Pred>
size_t run_length(std::string_view s, size_t pos, Pred pred) {
  size_t end = pos;
  while (end < s.size() && pred(s[end])) ++end;
  return end - pos;
}

// A JWS/JWT: base64url header starting with '{"' ("eyJ"), '.', payload, '.'.
bool has_jwt(std::string_view s) {
  for (size_t at = s.find("eyJ"); at != std::string_view::npos; at = s.find("eyJ", at + 1)) {
    size_t header = run_length(s, at, is_b64url);
    size_t dot = at + header;
    if (header < 10 || dot >= s.size() || s[dot] != '.') continue;
    size_t payload = run_length(s, dot + 1, is_b64url);
    size_t dot2 = dot + 1 + payload;
    if (payload >= 4 && dot2 < s.size() && s[dot2] == '.') return true;
  }
  return false;
}

// An Authorization header value: a scheme followed by a long token68 credential.
bool has_auth_credentials(std::string_view s) {
  std::string l = lower(s);
  for (std::string_view scheme : {"bearer ", "basic "}) {
    for (size_t at = l.find(scheme); at != std::string::npos; at = l.find(scheme, at + 1)) {
      if (run_length(s, at + scheme.size(), is_token68) >= 16) return true;
    }
  }
  return false;
}

bool has_private_key(std::string_view s) {
  size_t begin = s.find("-----BEGIN");
  return begin != std::string_view::npos && s.find("PRIVATE KEY", begin) != std::string_view::npos;
}

// "password=...", "token: ..." and the like.
bool has_secret_assignment(std::string_view s) {
  std::string l = lower(s);
  for (std::string_view key :
       {"password", "passwd", "secret", "token", "api_key", "apikey", "client_secret"}) {
    for (size_t at = l.find(key); at != std::string::npos; at = l.find(key, at + 1)) {
      size_t pos = at + key.size();
      while (pos < l.size() && l[pos] == ' ') ++pos;
      if (pos >= l.size() || (l[pos] != '=' && l[pos] != ':')) continue;
      ++pos;
      while (pos < l.size() && l[pos] == ' ') ++pos;
      if (pos < l.size()) return true;
    }
  }
  return false;
}

struct SecretPattern {
  std::string_view name;
  bool (*matches)(std::string_view);
};
constexpr SecretPattern kSecretPatterns[] = {
    {"jwt", has_jwt},
    {"authorization credentials", has_auth_credentials},
    {"private key", has_private_key},
    {"secret assignment", has_secret_assignment},
};

// --- UTF-8 repair

// Length of the valid UTF-8 sequence at s[pos], or 0 when it is not valid (overlong forms,
// surrogates and code points above U+10FFFF are invalid).
size_t utf8_sequence(std::string_view s, size_t pos) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char b0 = byte(pos);
  if (b0 < 0x80) return 1;
  size_t len = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC2 ? 2 : 0;
  if (len == 0 || b0 > 0xF4 || pos + len > s.size()) return 0;
  for (size_t i = 1; i < len; ++i) {
    if ((byte(pos + i) & 0xC0) != 0x80) return 0;
  }
  unsigned char b1 = byte(pos + 1);
  if (b0 == 0xE0 && b1 < 0xA0) return 0;   // overlong
  if (b0 == 0xED && b1 >= 0xA0) return 0;  // surrogate
  if (b0 == 0xF0 && b1 < 0x90) return 0;   // overlong
  if (b0 == 0xF4 && b1 >= 0x90) return 0;  // above U+10FFFF
  return len;
}

// `s` with every byte that does not start a valid sequence replaced by U+FFFD.
std::string repair_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t pos = 0; pos < s.size();) {
    size_t len = utf8_sequence(s, pos);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++pos;
    } else {
      out.append(s.substr(pos, len));
      pos += len;
    }
  }
  return out;
}

// --- JSON

// An object with its keys inserted in bytewise order (Boost.JSON keeps insertion order).
json::object sorted_object(std::vector<std::pair<std::string_view, json::value>> members) {
  std::sort(members.begin(), members.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  json::object object;
  for (auto& [key, value] : members) object.emplace(key, std::move(value));
  return object;
}

Result<const json::value*> member(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) {
    return fail(ErrorCode::kCorrupt, "audit event lacks \"" + std::string(key) + "\"");
  }
  return value;
}

Result<std::string> string_member(const json::object& object, std::string_view key) {
  BULWARK_ASSIGN_OR_RETURN(const json::value* value, member(object, key));
  if (!value->is_string()) {
    return fail(ErrorCode::kCorrupt, "audit event field \"" + std::string(key) + "\" is not text");
  }
  return std::string(value->get_string());
}

Result<int64_t> int_member(const json::object& object, std::string_view key) {
  BULWARK_ASSIGN_OR_RETURN(const json::value* value, member(object, key));
  if (!value->is_int64()) {
    return fail(ErrorCode::kCorrupt,
                "audit event field \"" + std::string(key) + "\" is not an integer");
  }
  return value->get_int64();
}

}  // namespace

std::string_view outcome_name(Outcome outcome) {
  for (const auto& [value, name] : kOutcomeNames) {
    if (value == outcome) return name;
  }
  return "error";
}

std::optional<Outcome> parse_outcome(std::string_view name) {
  for (const auto& [value, n] : kOutcomeNames) {
    if (n == name) return value;
  }
  return std::nullopt;
}

bool looks_like_secret(std::string_view value) {
  return std::any_of(std::begin(kSecretPatterns), std::end(kSecretPatterns),
                     [&](const SecretPattern& p) { return p.matches(value); });
}

Event sanitize_event(Event event, std::vector<std::string>* redacted) {
  for (const TextField& field : kTextFields) {
    std::string& value = mutable_field(event, field);
    if (looks_like_secret(value)) {
      value = std::string(kRedacted);
      if (redacted != nullptr) redacted->emplace_back(field.name);
    } else {
      value = repair_utf8(value);
    }
  }
  return event;
}

std::string canonical_json(const Event& event) {
  std::vector<std::pair<std::string_view, json::value>> top;
  std::vector<std::pair<std::string_view, json::value>> resource;
  for (const TextField& field : kTextFields) {
    auto& target = field.parent.empty() ? top : resource;
    target.emplace_back(field.key, json::string(field.get(event)));
  }
  top.emplace_back("outcome", json::string(outcome_name(event.outcome)));
  top.emplace_back("resource", sorted_object(std::move(resource)));
  top.emplace_back("time_ms", event.time_ms);
  top.emplace_back("v", kFormatVersion);
  return json::serialize(sorted_object(std::move(top)));
}

Result<Event> parse_event(std::string_view body) {
  auto document = parse_strict_json(body, /*max_depth=*/2);
  if (!document) return fail(ErrorCode::kCorrupt, "audit event: " + document.error().message);
  const json::value& root = *document;
  if (!root.is_object()) return fail(ErrorCode::kCorrupt, "audit event is not a JSON object");
  const json::object& object = root.get_object();
  BULWARK_ASSIGN_OR_RETURN(int64_t version, int_member(object, "v"));
  if (version != kFormatVersion) {
    return fail(ErrorCode::kCorrupt, "unknown audit event version " + std::to_string(version));
  }
  BULWARK_ASSIGN_OR_RETURN(const json::value* resource, member(object, "resource"));
  if (!resource->is_object() || resource->get_object().size() != kResourceKeys ||
      object.size() != kTopLevelKeys) {
    return fail(ErrorCode::kCorrupt, "audit event has unexpected fields");
  }
  Event event;
  for (const TextField& field : kTextFields) {
    const json::object& parent = field.parent.empty() ? object : resource->get_object();
    BULWARK_ASSIGN_OR_RETURN(mutable_field(event, field), string_member(parent, field.key));
  }
  BULWARK_ASSIGN_OR_RETURN(std::string outcome, string_member(object, "outcome"));
  std::optional<Outcome> parsed = parse_outcome(outcome);
  if (!parsed) return fail(ErrorCode::kCorrupt, "unknown audit outcome " + outcome);
  event.outcome = *parsed;
  BULWARK_ASSIGN_OR_RETURN(event.time_ms, int_member(object, "time_ms"));
  // One event, one spelling: anything but the canonical bytes (duplicate keys, whitespace,
  // another key order or escaping) is not a body this module wrote.
  if (canonical_json(event) != body) {
    return fail(ErrorCode::kCorrupt, "audit event is not in canonical form");
  }
  return event;
}

}  // namespace bulwark::audit
