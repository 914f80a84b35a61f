#include "trust/dsse.h"

#include <boost/json/serialize.hpp>

#include "common/encoding.h"
#include "common/strict_json.h"

namespace bulwark::trust {
namespace {

namespace json = boost::json;

Result<std::string> b64_field(const json::object& obj, std::string_view key,
                              std::string_view what) {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr || !v->is_string()) {
    return fail(ErrorCode::kInvalidArgument,
                std::string(what) + ": \"" + std::string(key) + "\" must be a base64 string");
  }
  auto decoded = decode_base64_any_padding(v->get_string());
  if (!decoded) {
    return fail(ErrorCode::kInvalidArgument,
                std::string(what) + ": \"" + std::string(key) + "\" is not valid base64");
  }
  return *decoded;
}

}  // namespace

std::optional<std::string> decode_base64_any_padding(std::string_view text) {
  if (text.size() % 4 == 0) return base64_decode(text);
  std::string padded(text);
  padded.append(4 - text.size() % 4, '=');
  if (padded.size() - text.size() == 3) return std::nullopt;  // impossible length
  return base64_decode(padded);
}

Result<DsseEnvelope> dsse_envelope_from_json(const json::value& value) {
  const json::object* obj = value.if_object();
  if (obj == nullptr) return fail(ErrorCode::kInvalidArgument, "DSSE envelope: not an object");
  for (const auto& kv : *obj) {
    if (kv.key() != "payloadType" && kv.key() != "payload" && kv.key() != "signatures") {
      return fail(ErrorCode::kInvalidArgument,
                  "DSSE envelope: unknown field " + quote_untrusted(kv.key()));
    }
  }
  DsseEnvelope env;
  const json::value* type = obj->if_contains("payloadType");
  if (type == nullptr || !type->is_string() || type->get_string().empty()) {
    return fail(ErrorCode::kInvalidArgument, "DSSE envelope: \"payloadType\" must be a string");
  }
  env.payload_type = std::string(type->get_string());
  BULWARK_ASSIGN_OR_RETURN(env.payload, b64_field(*obj, "payload", "DSSE envelope"));
  const json::value* sigs = obj->if_contains("signatures");
  if (sigs == nullptr || !sigs->is_array() || sigs->get_array().empty()) {
    return fail(ErrorCode::kInvalidArgument,
                "DSSE envelope: \"signatures\" must be a non-empty array");
  }
  for (const json::value& s : sigs->get_array()) {
    const json::object* so = s.if_object();
    if (so == nullptr) {
      return fail(ErrorCode::kInvalidArgument, "DSSE envelope: a signature is not an object");
    }
    DsseSignature sig;
    for (const auto& kv : *so) {
      if (kv.key() == "keyid") {
        if (!kv.value().is_string()) {
          return fail(ErrorCode::kInvalidArgument, "DSSE envelope: \"keyid\" must be a string");
        }
        sig.keyid = std::string(kv.value().get_string());
      } else if (kv.key() != "sig") {
        return fail(ErrorCode::kInvalidArgument,
                    "DSSE envelope: unknown signature field " + quote_untrusted(kv.key()));
      }
    }
    BULWARK_ASSIGN_OR_RETURN(sig.sig, b64_field(*so, "sig", "DSSE signature"));
    if (sig.sig.empty()) return fail(ErrorCode::kInvalidArgument, "DSSE signature: empty \"sig\"");
    env.signatures.push_back(std::move(sig));
  }
  return env;
}

Result<DsseEnvelope> parse_dsse_envelope(std::string_view text) {
  auto doc = parse_strict_json(text);
  if (!doc) return fail(ErrorCode::kInvalidArgument, "DSSE envelope: " + doc.error().message);
  return dsse_envelope_from_json(*doc);
}

std::string serialize_dsse_envelope(const DsseEnvelope& envelope) {
  json::object obj;
  obj["payloadType"] = envelope.payload_type;
  obj["payload"] = base64_encode(envelope.payload);
  json::array sigs;
  for (const DsseSignature& s : envelope.signatures) {
    json::object so;
    so["keyid"] = s.keyid;
    so["sig"] = base64_encode(s.sig);
    sigs.push_back(std::move(so));
  }
  obj["signatures"] = std::move(sigs);
  return json::serialize(obj);
}

json::object dsse_envelope_to_bundle_json(const DsseEnvelope& envelope) {
  json::object obj;
  obj["payload"] = base64_encode(envelope.payload);
  obj["payloadType"] = envelope.payload_type;
  json::array sigs;
  for (const DsseSignature& s : envelope.signatures) {
    json::object so;
    so["sig"] = base64_encode(s.sig);
    if (!s.keyid.empty()) so["keyid"] = s.keyid;
    sigs.push_back(std::move(so));
  }
  obj["signatures"] = std::move(sigs);
  return obj;
}

std::string dsse_pae(std::string_view payload_type, std::string_view payload) {
  std::string out = "DSSEv1 ";
  out += std::to_string(payload_type.size());
  out += ' ';
  out += payload_type;
  out += ' ';
  out += std::to_string(payload.size());
  out += ' ';
  out += payload;
  return out;
}

}  // namespace bulwark::trust
