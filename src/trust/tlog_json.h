// Internal to the trust module's tlog part (trusted_root.cc, rekor.cc): reading fields of the
// proto3-JSON documents Sigstore publishes (trusted roots, bundle tlog entries, Rekor bodies) with
// errors that name the field's path, e.g. "tlogs[1].publicKey.rawBytes: not valid base64".
// Header-only; pure functions; thread-safe.
#pragma once

#include <boost/json.hpp>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/encoding.h"
#include "common/result.h"

namespace bulwark::trust::tlog_json {

inline std::string join(std::string_view path, std::string_view key) {
  return path.empty() ? std::string(key) : std::string(path) + "." + std::string(key);
}

inline tl::unexpected<Error> field_error(std::string_view path, std::string_view what) {
  return fail(ErrorCode::kInvalidArgument, std::string(path) + ": " + std::string(what));
}

inline const boost::json::value* member(const boost::json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it == o.end() ? nullptr : &it->value();
}

// The object at `v`; `path` names it in the error.
inline Result<const boost::json::object*> as_object(const boost::json::value& v,
                                                    std::string_view path) {
  if (!v.is_object()) return field_error(path, "not an object");
  return &v.as_object();
}

// o[key] as an object; nullptr when absent and not `required`.
inline Result<const boost::json::object*> object_field(const boost::json::object& o,
                                                       std::string_view key, std::string_view path,
                                                       bool required = true) {
  const boost::json::value* v = member(o, key);
  if (v == nullptr || v->is_null()) {
    if (required) return field_error(join(path, key), "missing");
    return static_cast<const boost::json::object*>(nullptr);
  }
  return as_object(*v, join(path, key));
}

// o[key] as an array; nullptr when absent and not `required` (proto3 JSON omits empty arrays).
inline Result<const boost::json::array*> array_field(const boost::json::object& o,
                                                     std::string_view key, std::string_view path,
                                                     bool required = true) {
  const boost::json::value* v = member(o, key);
  if (v == nullptr || v->is_null()) {
    if (required) return field_error(join(path, key), "missing");
    return static_cast<const boost::json::array*>(nullptr);
  }
  if (!v->is_array()) return field_error(join(path, key), "not an array");
  return &v->as_array();
}

// o[key] as a string; nullopt when absent and not `required`.
inline Result<std::optional<std::string>> optional_string(const boost::json::object& o,
                                                          std::string_view key,
                                                          std::string_view path) {
  const boost::json::value* v = member(o, key);
  if (v == nullptr || v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) return field_error(join(path, key), "not a string");
  return std::optional<std::string>(std::string(v->as_string()));
}

inline Result<std::string> string_field(const boost::json::object& o, std::string_view key,
                                        std::string_view path) {
  BULWARK_ASSIGN_OR_RETURN(auto s, optional_string(o, key, path));
  if (!s) return field_error(join(path, key), "missing");
  if (s->empty()) return field_error(join(path, key), "empty");
  return std::move(*s);
}

// o[key], standard base64, decoded. Required and non-empty unless `required` is false (then an
// absent field is the empty string).
inline Result<std::string> base64_field(const boost::json::object& o, std::string_view key,
                                        std::string_view path, bool required = true) {
  BULWARK_ASSIGN_OR_RETURN(auto s, optional_string(o, key, path));
  if (!s || s->empty()) {
    if (required) return field_error(join(path, key), "missing");
    return std::string();
  }
  auto decoded = base64_decode(*s);
  if (!decoded) return field_error(join(path, key), "not valid base64");
  return std::move(*decoded);
}

// A non-negative int64 written as a JSON number or, as proto3 JSON writes int64, a decimal string.
// Absent: `fallback` when given (proto3 omits zero values), else an error.
inline Result<int64_t> int64_field(const boost::json::object& o, std::string_view key,
                                   std::string_view path, std::optional<int64_t> fallback) {
  const boost::json::value* v = member(o, key);
  if (v == nullptr || v->is_null()) {
    if (fallback) return *fallback;
    return field_error(join(path, key), "missing");
  }
  if (v->is_int64()) {
    if (v->as_int64() < 0) return field_error(join(path, key), "negative");
    return v->as_int64();
  }
  if (v->is_uint64()) {
    if (v->as_uint64() > static_cast<uint64_t>(INT64_MAX)) {
      return field_error(join(path, key), "out of range");
    }
    return static_cast<int64_t>(v->as_uint64());
  }
  if (v->is_string()) {
    std::string_view s = v->as_string();
    int64_t out = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() || out < 0 ||
        (s.size() > 1 && s[0] == '0')) {
      return field_error(join(path, key), "not a non-negative decimal integer");
    }
    return out;
  }
  return field_error(join(path, key), "not an integer");
}

}  // namespace bulwark::trust::tlog_json
