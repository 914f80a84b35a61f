// CBOR (RFC 8949): a small, strict decoder and the deterministic encoder pieces COSE needs. It
// reads COSE_Sign1 envelopes (Notation's application/cose signatures) and rebuilds the
// Sig_structure they are signed over; it is not a general-purpose CBOR library.
//
// The decoder takes untrusted bytes: definite lengths only (COSE forbids indefinite ones), every
// declared length checked against the bytes that remain before anything is allocated, nesting and
// item counts bounded, text strings valid UTF-8, duplicate map keys refused (two readers must not
// see two different headers), exactly one item with no trailing bytes. Malformed input is a
// kInvalidArgument error naming the offset; it never crashes. The encoder writes preferred
// (shortest) heads, as RFC 8949 §4.2.1 deterministic encoding requires.
//
// Value is a plain value type (thread-compatible); the functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace bulwark::trust::cbor {

// The major types (RFC 8949 §3.1); kSimple also holds floats.
enum class Major : uint8_t {
  kUnsigned = 0,
  kNegative = 1,
  kBytes = 2,
  kText = 3,
  kArray = 4,
  kMap = 5,
  kTag = 6,
  kSimple = 7,
};

struct MapEntry;

struct Value {
  Major major = Major::kUnsigned;
  // kUnsigned: the value; kNegative: n where the value is -1 - n; kTag: the tag number;
  // kSimple: the simple value (20 false, 21 true, 22 null, 23 undefined) or 25/26/27 for a float.
  uint64_t number = 0;
  double float_value = 0;                        // kSimple floats
  std::string bytes;                             // kBytes and kText contents
  std::vector<Value> items;                      // kArray items; kTag: its one content item
  std::vector<MapEntry> entries;  // kMap entries in document order

  bool is_int() const { return major == Major::kUnsigned || major == Major::kNegative; }
  // The integer when it fits an int64 (kUnsigned or kNegative).
  std::optional<int64_t> as_int() const;
  bool is_text() const { return major == Major::kText; }
  bool is_bytes() const { return major == Major::kBytes; }
  bool is_array() const { return major == Major::kArray; }
  bool is_map() const { return major == Major::kMap; }
  bool is_tag(uint64_t tag) const { return major == Major::kTag && number == tag; }
  // The tag's content (REQUIRES: major == kTag).
  const Value& tagged() const { return items.front(); }

  // Map lookups (nullptr when absent or when this is not a map).
  const Value* find(int64_t key) const;
  const Value* find(std::string_view text_key) const;

  // Constructors for building values (tests, the encoder).
  static Value integer(int64_t v);
  static Value byte_string(std::string_view b);
  static Value text(std::string_view t);
  static Value array(std::vector<Value> items);
  static Value map(std::vector<MapEntry> entries);
  static Value tag(uint64_t tag, Value content);
  static Value simple(uint64_t v);  // 20 false, 21 true, 22 null
};

// One map entry (a struct rather than std::pair so Value may hold it while incomplete).
struct MapEntry {
  Value key;
  Value value;
};

struct DecodeLimits {
  size_t max_depth = 16;        // arrays, maps and tags nested at most this deep
  size_t max_items = 4096;      // array items + map entries in the whole document
  size_t max_input = 4u << 20;  // bytes
};

// Decodes exactly one CBOR item filling all of `bytes`.
Result<Value> decode(std::string_view bytes, const DecodeLimits& limits = {});

// The head of an item: major type and argument, in preferred (shortest) form.
std::string encode_head(Major major, uint64_t argument);
// A byte string / text string item.
std::string encode_bytes(std::string_view bytes);
std::string encode_text(std::string_view text);
// Deterministic encoding of a value (map entries in the order given; floats are not supported
// and encode as null).
std::string encode(const Value& value);

// COSE_Sign1's Sig_structure (RFC 9052 §4.4): ["Signature1", body_protected, external_aad,
// payload] — the bytes a COSE_Sign1 signature is made over. `protected_header` is the serialized
// protected header map exactly as it appears in the envelope's bstr.
std::string sig_structure1(std::string_view protected_header, std::string_view payload,
                           std::string_view external_aad = {});

}  // namespace bulwark::trust::cbor
