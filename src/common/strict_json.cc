#include "common/strict_json.h"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>

namespace bulwark {
namespace {

namespace json = boost::json;

// basic_parser handler building a json::value like Boost's own parser, but failing on a key that
// repeats within one object (Boost 1.81 silently keeps one of them).
class StrictHandler {
 public:
  static constexpr size_t max_object_size = json::object::max_size();
  static constexpr size_t max_array_size = json::array::max_size();
  static constexpr size_t max_key_size = json::string::max_size();
  static constexpr size_t max_string_size = json::string::max_size();

  StrictHandler() { st_.reset(); }

  json::value release() { return st_.release(); }
  // The repeated key after a failed parse, if that is why it failed.
  const std::optional<std::string>& duplicate_key() const { return duplicate_key_; }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) {
    keys_.emplace_back();
    return true;
  }
  bool on_object_end(size_t n, json::error_code&) {
    keys_.pop_back();
    st_.push_object(n);
    return true;
  }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(size_t n, json::error_code&) {
    st_.push_array(n);
    return true;
  }
  bool on_key_part(json::string_view s, size_t, json::error_code&) {
    key_.append(s.data(), s.size());
    st_.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, size_t, json::error_code& ec) {
    key_.append(s.data(), s.size());
    if (!keys_.back().insert(key_).second) {
      duplicate_key_ = std::move(key_);
      ec = json::error::syntax;
      return false;
    }
    key_.clear();
    st_.push_key(s);
    return true;
  }
  bool on_string_part(json::string_view s, size_t, json::error_code&) {
    st_.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, size_t, json::error_code&) {
    st_.push_string(s);
    return true;
  }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(int64_t i, json::string_view, json::error_code&) {
    st_.push_int64(i);
    return true;
  }
  bool on_uint64(uint64_t u, json::string_view, json::error_code&) {
    st_.push_uint64(u);
    return true;
  }
  bool on_double(double d, json::string_view, json::error_code&) {
    st_.push_double(d);
    return true;
  }
  bool on_bool(bool b, json::error_code&) {
    st_.push_bool(b);
    return true;
  }
  bool on_null(json::error_code&) {
    st_.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  json::value_stack st_;
  std::vector<std::set<std::string>> keys_;  // keys seen so far, per open object
  std::string key_;                          // the key being assembled from parts
  std::optional<std::string> duplicate_key_;
};

}  // namespace

// Quotes client-supplied text for an error message: printable ASCII only, at most 64 characters.
std::string quote_untrusted(std::string_view text) {
  constexpr size_t kMax = 64;
  std::string out = "\"";
  for (size_t i = 0; i < text.size() && i < kMax; ++i) {
    char c = text[i];
    out += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? c : '?';
  }
  if (text.size() > kMax) out += "...";
  out += '"';
  return out;
}

Result<json::value> parse_strict_json(std::string_view bytes, size_t max_depth) {
  json::parse_options options;
  options.max_depth = max_depth;
  json::basic_parser<StrictHandler> parser(options);
  json::error_code ec;
  size_t n = parser.write_some(false, bytes.data(), bytes.size(), ec);
  if (!ec && n < bytes.size()) ec = json::error::extra_data;
  if (ec) {
    if (const auto& key = parser.handler().duplicate_key()) {
      return fail(ErrorCode::kInvalidArgument, "duplicate key " + quote_untrusted(*key));
    }
    return fail(ErrorCode::kInvalidArgument,
                "not valid JSON: " + ec.message() + " at offset " + std::to_string(n));
  }
  return parser.handler().release();
}

}  // namespace bulwark
