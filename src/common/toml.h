// A minimal TOML reader for lock files and advisory front matter (poetry.lock, Cargo.lock, RustSec): tables,
// arrays of tables, dotted keys, basic/literal/multi-line strings, arrays and inline tables. Numbers,
// booleans and dates are kept as their raw text (lock files only need strings). Nesting is bounded
// and the parser is iterative over lines, recursive only over values, with a depth limit.
// Not a validating parser: it accepts some documents TOML 1.0 rejects, never the other way round
// for the constructs above. Pure functions and value types; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace bulwark {

struct TomlMember;

struct TomlValue {
  enum class Kind { kString, kScalar, kArray, kTable };
  Kind kind = Kind::kTable;
  std::string text;               // kString: the decoded string; kScalar: the raw token ("42", "true")
  std::vector<TomlValue> items;   // kArray
  std::vector<TomlMember> members;  // kTable, in document order
  bool table_array = false;       // kArray created by [[header]] (only such arrays take [[...]])

  // The member `key` of a table, or nullptr (also when this is not a table).
  const TomlValue* find(std::string_view key) const;
  // The string member `key`, or empty when absent or not a string.
  std::string_view string(std::string_view key) const;
};

struct TomlMember {
  std::string key;
  TomlValue value;
};

// Parses a TOML document into its root table. kInvalidArgument "line N: reason" on malformed
// input, or when arrays/inline tables nest deeper than `max_depth`.
// At most `max_values` values (strings, scalars, arrays, inline tables) are read.
Result<TomlValue> parse_toml(std::string_view text, size_t max_depth = 32,
                             size_t max_values = SIZE_MAX);

}  // namespace bulwark
