#include "trust/simple_signing.h"

#include <boost/json/serialize.hpp>

#include "common/strict_json.h"

namespace bulwark::trust {
namespace {

namespace json = boost::json;

Result<const json::object*> object_field(const json::object& obj, std::string_view key) {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr || !v->is_object()) {
    return fail(ErrorCode::kInvalidArgument,
                "simple signing payload: \"" + std::string(key) + "\" must be an object");
  }
  return &v->get_object();
}

Result<std::string> only_string_field(const json::object& obj, std::string_view key,
                                      std::string_view where) {
  if (obj.size() != 1 || !obj.contains(key) || !obj.at(key).is_string()) {
    return fail(ErrorCode::kInvalidArgument, "simple signing payload: \"" + std::string(where) +
                                                 "\" must hold exactly \"" + std::string(key) +
                                                 "\" (a string)");
  }
  return std::string(obj.at(key).get_string());
}

// Length of the UTF-8 sequence at s[i], or 0 when it is invalid (overlong, surrogate, > U+10FFFF).
size_t utf8_length(std::string_view s, size_t i, uint32_t* cp) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  size_t n;
  uint32_t v;
  if (c < 0x80) {
    *cp = c;
    return 1;
  } else if ((c & 0xE0) == 0xC0) {
    n = 2, v = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, v = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, v = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    v = (v << 6) | (b(i + k) & 0x3F);
  }
  static constexpr uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (v < kMin[n] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *cp = v;
  return n;
}

}  // namespace

std::string go_json_quote(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    const size_t n = utf8_length(text, i, &cp);
    if (n == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    if (n == 1) {
      const char c = text[i];
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        default:
          if (static_cast<unsigned char>(c) < 0x20 || c == '<' || c == '>' || c == '&') {
            out += "\\u00";
            out += kHex[(c >> 4) & 0xF];
            out += kHex[c & 0xF];
          } else {
            out += c;
          }
      }
    } else if (cp == 0x2028 || cp == 0x2029) {
      out += cp == 0x2028 ? "\\u2028" : "\\u2029";
    } else {
      out.append(text.substr(i, n));
    }
    i += n;
  }
  out += '"';
  return out;
}

Result<SimpleSigningPayload> parse_simple_signing(std::string_view text) {
  auto doc = parse_strict_json(text);
  if (!doc) {
    return fail(ErrorCode::kInvalidArgument, "simple signing payload: " + doc.error().message);
  }
  const json::object* root = doc->if_object();
  if (root == nullptr) {
    return fail(ErrorCode::kInvalidArgument, "simple signing payload: not an object");
  }
  for (const auto& kv : *root) {
    if (kv.key() != "critical" && kv.key() != "optional") {
      return fail(ErrorCode::kInvalidArgument,
                  "simple signing payload: unknown field " + quote_untrusted(kv.key()));
    }
  }
  BULWARK_ASSIGN_OR_RETURN(const json::object* critical, object_field(*root, "critical"));
  for (const auto& kv : *critical) {
    if (kv.key() != "identity" && kv.key() != "image" && kv.key() != "type") {
      return fail(ErrorCode::kInvalidArgument,
                  "simple signing payload: unknown critical field " + quote_untrusted(kv.key()));
    }
  }
  const json::value* type = critical->if_contains("type");
  if (type == nullptr || !type->is_string() || type->get_string() != kSimpleSigningType) {
    return fail(
        ErrorCode::kInvalidArgument,
        "simple signing payload: critical.type is not \"cosign container image signature\"");
  }
  SimpleSigningPayload payload;
  BULWARK_ASSIGN_OR_RETURN(const json::object* identity, object_field(*critical, "identity"));
  BULWARK_ASSIGN_OR_RETURN(payload.docker_reference,
                           only_string_field(*identity, "docker-reference", "critical.identity"));
  BULWARK_ASSIGN_OR_RETURN(const json::object* image, object_field(*critical, "image"));
  BULWARK_ASSIGN_OR_RETURN(std::string digest,
                           only_string_field(*image, "docker-manifest-digest", "critical.image"));
  auto parsed = Digest::parse(digest);
  if (!parsed) {
    return fail(ErrorCode::kInvalidArgument,
                "simple signing payload: docker-manifest-digest: " + parsed.error().message);
  }
  payload.manifest_digest = *parsed;
  if (const json::value* opt = root->if_contains("optional"); opt && !opt->is_null()) {
    if (!opt->is_object()) {
      return fail(ErrorCode::kInvalidArgument,
                  "simple signing payload: \"optional\" must be an object or null");
    }
    for (const auto& kv : opt->get_object()) {
      payload.optional.emplace(std::string(kv.key()), kv.value().is_string()
                                                          ? std::string(kv.value().get_string())
                                                          : json::serialize(kv.value()));
    }
  }
  return payload;
}

std::string make_simple_signing(const SimpleSigningPayload& payload) {
  std::string out = "{\"critical\":{\"identity\":{\"docker-reference\":";
  out += go_json_quote(payload.docker_reference);
  out += "},\"image\":{\"docker-manifest-digest\":";
  out += go_json_quote(payload.manifest_digest.str());
  out += "},\"type\":";
  out += go_json_quote(kSimpleSigningType);
  out += "},\"optional\":";
  if (payload.optional.empty()) {
    out += "null";
  } else {
    out += '{';
    bool first = true;
    for (const auto& [k, v] : payload.optional) {  // std::map: sorted like Go's map keys
      if (!first) out += ',';
      first = false;
      out += go_json_quote(k);
      out += ':';
      out += go_json_quote(v);
    }
    out += '}';
  }
  out += '}';
  return out;
}

}  // namespace bulwark::trust
