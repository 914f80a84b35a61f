// Minimal TOML reader (toml.h).
#include "common/toml.h"

#include <cstdint>
#include <optional>

namespace bulwark {

const TomlValue* TomlValue::find(std::string_view key) const {
  if (kind != Kind::kTable) return nullptr;
  for (const auto& [name, value] : members) {
    if (name == key) return &value;
  }
  return nullptr;
}

std::string_view TomlValue::string(std::string_view key) const {
  const TomlValue* value = find(key);
  return value != nullptr && value->kind == Kind::kString ? std::string_view(value->text)
                                                          : std::string_view();
}

namespace {

using Kind = TomlValue::Kind;

bool is_bare_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// Appends the UTF-8 encoding of `cp`; false if it is not a Unicode scalar value.
bool append_utf8(uint32_t cp, std::string& out) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return true;
}

class Parser {
 public:
  Parser(std::string_view text, size_t max_depth, size_t max_values)
      : text_(text), max_depth_(max_depth), max_values_(max_values) {}

  Result<TomlValue> parse() {
    TomlValue root;
    TomlValue* current = &root;
    while (true) {
      skip_blank_lines();
      if (at_end()) break;
      if (peek() == '[') {
        BULWARK_ASSIGN_OR_RETURN(current, header(root));
      } else {
        BULWARK_TRY_VOID(key_value(*current));
      }
      BULWARK_TRY_VOID(end_of_line());
    }
    return root;
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  bool starts_with(std::string_view s) const { return text_.substr(pos_, s.size()) == s; }

  tl::unexpected<Error> error(std::string_view reason) const {
    size_t line = 1;
    for (size_t i = 0; i < pos_ && i < text_.size(); ++i) line += text_[i] == '\n';
    return fail(ErrorCode::kInvalidArgument, "line " + std::to_string(line) + ": " +
                                                 std::string(reason));
  }

  void skip_spaces() {
    while (peek() == ' ' || peek() == '\t') ++pos_;
  }
  void skip_comment() {
    if (peek() != '#') return;
    while (!at_end() && peek() != '\n') ++pos_;
  }
  // Skips whitespace, newlines and comments (between statements and inside arrays).
  void skip_blank_lines() {
    while (!at_end()) {
      char c = peek();
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        ++pos_;
      } else if (c == '#') {
        skip_comment();
      } else {
        break;
      }
    }
  }
  Result<void> end_of_line() {
    skip_spaces();
    skip_comment();
    if (peek() == '\r') ++pos_;
    if (at_end()) return ok();
    if (peek() != '\n') return error("expected the end of the line");
    ++pos_;
    return ok();
  }

  // One key part: bare, "basic" or 'literal'.
  Result<std::string> simple_key() {
    skip_spaces();
    if (peek() == '"' || peek() == '\'') {
      if (starts_with("\"\"\"") || starts_with("'''")) return error("multi-line string as key");
      return single_line_string();
    }
    size_t begin = pos_;
    while (is_bare_key_char(peek())) ++pos_;
    if (pos_ == begin) return error("expected a key");
    return std::string(text_.substr(begin, pos_ - begin));
  }
  Result<std::vector<std::string>> dotted_key() {
    std::vector<std::string> parts;
    while (true) {
      BULWARK_ASSIGN_OR_RETURN(std::string part, simple_key());
      parts.push_back(std::move(part));
      skip_spaces();
      if (peek() != '.') return parts;
      ++pos_;
      if (parts.size() > max_depth_) return error("key has too many parts");
    }
  }

  // Finds or creates table `name` inside `table`; descends into the last element of an array of
  // tables. Fails if `name` is another kind of value.
  Result<TomlValue*> child_table(TomlValue& table, const std::string& name) {
    for (auto& [key, value] : table.members) {
      if (key != name) continue;
      if (value.kind == Kind::kTable) return &value;
      if (value.kind == Kind::kArray && value.table_array && !value.items.empty()) {
        return &value.items.back();
      }
      return error("key \"" + name + "\" is not a table");
    }
    table.members.push_back(TomlMember{name, {}});
    return &table.members.back().value;
  }

  Result<TomlValue*> header(TomlValue& root) {
    ++pos_;
    bool array = peek() == '[';
    if (array) ++pos_;
    BULWARK_ASSIGN_OR_RETURN(std::vector<std::string> path, dotted_key());
    skip_spaces();
    if (peek() != ']' || (array && peek(1) != ']')) return error("unterminated table header");
    pos_ += array ? 2 : 1;
    TomlValue* table = &root;
    for (size_t i = 0; i + 1 < path.size(); ++i) {
      BULWARK_ASSIGN_OR_RETURN(table, child_table(*table, path[i]));
    }
    if (!array) return child_table(*table, path.back());
    TomlValue* list = nullptr;
    for (auto& [key, value] : table->members) {
      if (key == path.back()) list = &value;
    }
    if (list == nullptr) {
      table->members.push_back(TomlMember{path.back(), {}});
      list = &table->members.back().value;
      list->kind = Kind::kArray;
      list->table_array = true;
    } else if (list->kind != Kind::kArray || !list->table_array) {
      return error("key \"" + path.back() + "\" is not an array of tables");
    }
    list->items.emplace_back();
    return &list->items.back();
  }

  Result<void> key_value(TomlValue& table, size_t depth = 0) {
    BULWARK_ASSIGN_OR_RETURN(std::vector<std::string> path, dotted_key());
    skip_spaces();
    if (peek() != '=') return error("expected '=' after a key");
    ++pos_;
    skip_spaces();
    TomlValue* target = &table;
    for (size_t i = 0; i + 1 < path.size(); ++i) {
      BULWARK_ASSIGN_OR_RETURN(target, child_table(*target, path[i]));
    }
    if (target->find(path.back()) != nullptr) {
      return error("duplicate key \"" + path.back() + "\"");
    }
    BULWARK_ASSIGN_OR_RETURN(TomlValue value, parse_value(depth));
    target->members.push_back(TomlMember{path.back(), std::move(value)});
    return ok();
  }

  Result<TomlValue> parse_value(size_t depth) {
    if (depth > max_depth_) return error("values nest too deeply");
    if (++values_ > max_values_) return error("more than " + std::to_string(max_values_) + " values");
    TomlValue value;
    char c = peek();
    if (c == '"' || c == '\'') {
      value.kind = Kind::kString;
      if (starts_with("\"\"\"") || starts_with("'''")) {
        BULWARK_ASSIGN_OR_RETURN(value.text, multi_line_string());
      } else {
        BULWARK_ASSIGN_OR_RETURN(value.text, single_line_string());
      }
    } else if (c == '[') {
      value.kind = Kind::kArray;
      ++pos_;
      while (true) {
        skip_blank_lines();
        if (peek() == ']') break;
        BULWARK_ASSIGN_OR_RETURN(TomlValue item, parse_value(depth + 1));
        value.items.push_back(std::move(item));
        skip_blank_lines();
        if (peek() == ',') {
          ++pos_;
        } else if (peek() != ']') {
          return error("expected ',' or ']' in an array");
        }
      }
      ++pos_;
    } else if (c == '{') {
      value.kind = Kind::kTable;
      ++pos_;
      skip_spaces();
      if (peek() == '}') {
        ++pos_;
        return value;
      }
      while (true) {
        BULWARK_TRY_VOID(key_value(value, depth + 1));
        skip_spaces();
        if (peek() == '}') break;
        if (peek() != ',') return error("expected ',' or '}' in an inline table");
        ++pos_;
      }
      ++pos_;
    } else {
      size_t begin = pos_;
      while (!at_end() && peek() != ',' && peek() != ']' && peek() != '}' && peek() != '#' &&
             peek() != '\n' && peek() != '\r') {
        ++pos_;
      }
      std::string_view raw = text_.substr(begin, pos_ - begin);
      while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t')) raw.remove_suffix(1);
      if (raw.empty()) return error("expected a value");
      for (char r : raw) {
        if (!is_bare_key_char(r) && r != '.' && r != '+' && r != ':' && r != ' ' && r != 'T') {
          return error("unexpected character in a value");
        }
      }
      value.kind = Kind::kScalar;
      value.text = std::string(raw);
    }
    return value;
  }

  // "\uXXXX" / "\UXXXXXXXX" after the backslash and letter: `digits` hex digits.
  Result<void> unicode_escape(size_t digits, std::string& out) {
    uint32_t cp = 0;
    for (size_t i = 0; i < digits; ++i) {
      char h = peek();
      uint32_t v;
      if (h >= '0' && h <= '9') {
        v = h - '0';
      } else if (h >= 'a' && h <= 'f') {
        v = h - 'a' + 10;
      } else if (h >= 'A' && h <= 'F') {
        v = h - 'A' + 10;
      } else {
        return error("bad unicode escape");
      }
      cp = cp * 16 + v;
      ++pos_;
    }
    if (!append_utf8(cp, out)) return error("bad unicode escape");
    return ok();
  }

  // After a backslash in a basic string.
  Result<void> escape(std::string& out, bool multi_line) {
    struct Simple {
      char letter;
      char value;
    };
    static constexpr Simple kSimple[] = {{'b', '\b'}, {'t', '\t'}, {'n', '\n'}, {'f', '\f'},
                                         {'r', '\r'}, {'"', '"'},  {'\\', '\\'}};
    char c = peek();
    for (const Simple& s : kSimple) {
      if (s.letter == c) {
        out += s.value;
        ++pos_;
        return ok();
      }
    }
    if (c == 'u' || c == 'U') {
      ++pos_;
      return unicode_escape(c == 'u' ? 4 : 8, out);
    }
    if (multi_line) {  // line-ending backslash: drop the newline and following whitespace
      size_t p = pos_;
      while (p < text_.size() && (text_[p] == ' ' || text_[p] == '\t')) ++p;
      if (p < text_.size() && (text_[p] == '\n' || text_[p] == '\r')) {
        pos_ = p;
        while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) {
          ++pos_;
        }
        return ok();
      }
    }
    return error("bad escape in a string");
  }

  Result<std::string> single_line_string() {
    char quote = peek();
    ++pos_;
    std::string out;
    while (true) {
      if (at_end() || peek() == '\n') return error("unterminated string");
      char c = peek();
      ++pos_;
      if (c == quote) return out;
      if (c == '\\' && quote == '"') {
        BULWARK_TRY_VOID(escape(out, false));
      } else {
        out += c;
      }
    }
  }

  Result<std::string> multi_line_string() {
    char quote = peek();
    pos_ += 3;
    if (peek() == '\r' && peek(1) == '\n') {
      pos_ += 2;
    } else if (peek() == '\n') {
      ++pos_;
    }
    std::string out;
    while (true) {
      if (at_end()) return error("unterminated multi-line string");
      char c = peek();
      if (c == quote && peek(1) == quote && peek(2) == quote) {
        pos_ += 3;
        // Up to two more quotes right before the closing delimiter belong to the string.
        for (int i = 0; i < 2 && peek() == quote; ++i, ++pos_) out += quote;
        return out;
      }
      ++pos_;
      if (c == '\\' && quote == '"') {
        BULWARK_TRY_VOID(escape(out, true));
      } else {
        out += c;
      }
    }
  }

  std::string_view text_;
  size_t max_depth_;
  size_t max_values_;
  size_t values_ = 0;
  size_t pos_ = 0;
};

}  // namespace

Result<TomlValue> parse_toml(std::string_view text, size_t max_depth, size_t max_values) {
  return Parser(text, max_depth, max_values).parse();
}

}  // namespace bulwark
