#include "scan/sbom/license.h"

#include <algorithm>
#include <cstddef>

namespace bulwark::scan {
namespace {

#include "scan/sbom/spdx_license_ids.inc"

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool less_ignoring_case(std::string_view a, std::string_view b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [](char x, char y) { return lower(x) < lower(y); });
}

std::optional<std::string_view> find_ignoring_case(std::span<const std::string_view> sorted,
                                                   std::string_view id) {
  auto it = std::lower_bound(sorted.begin(), sorted.end(), id, less_ignoring_case);
  if (it == sorted.end() || less_ignoring_case(id, *it)) return std::nullopt;
  return *it;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// "LicenseRef-" followed by idstring ([A-Za-z0-9.-]+).
bool is_license_ref(std::string_view s) {
  constexpr std::string_view kPrefix = "LicenseRef-";
  if (s.size() <= kPrefix.size() || s.substr(0, kPrefix.size()) != kPrefix) return false;
  return std::all_of(s.begin() + kPrefix.size(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-';
  });
}

enum class Op { kNone, kAnd, kOr, kWith };

Op op_of(std::string_view token) {
  struct Spelling {
    std::string_view upper, lower;
    Op op;
  };
  static constexpr Spelling kOps[] = {
      {"AND", "and", Op::kAnd}, {"OR", "or", Op::kOr}, {"WITH", "with", Op::kWith}};
  for (const auto& s : kOps) {
    if (token == s.upper || token == s.lower) return s.op;
  }
  return Op::kNone;
}

// Recursive-descent parser over whitespace/parenthesis-separated tokens, producing the normalised
// expression. Nesting is bounded.
class ExpressionParser {
 public:
  explicit ExpressionParser(std::string_view text) {
    size_t i = 0;
    while (i < text.size()) {
      if (is_space(text[i])) {
        ++i;
      } else if (text[i] == '(' || text[i] == ')') {
        tokens_.push_back(text.substr(i, 1));
        ++i;
      } else {
        size_t j = i;
        while (j < text.size() && !is_space(text[j]) && text[j] != '(' && text[j] != ')') ++j;
        tokens_.push_back(text.substr(i, j - i));
        i = j;
      }
    }
  }

  // The normalised expression, or nullopt when the text is not a valid expression.
  std::optional<std::string> parse(bool& compound) {
    if (tokens_.empty()) return std::nullopt;
    bool top_level_operator = false;
    auto out = parse_or(0, top_level_operator);
    if (!out || pos_ != tokens_.size()) return std::nullopt;
    // One parenthesised group around everything: "(MIT OR Apache-2.0)" is "MIT OR Apache-2.0".
    // (Without a top-level operator the result is one primary, and a primary that starts with
    // '(' is a group: WITH follows only a simple term.)
    if (!top_level_operator && out->front() == '(') {
      *out = out->substr(1, out->size() - 2);
      top_level_operator = true;
    }
    compound = top_level_operator;
    return out;
  }

 private:
  static constexpr int kMaxDepth = 32;

  std::optional<std::string_view> peek() const {
    if (pos_ >= tokens_.size()) return std::nullopt;
    return tokens_[pos_];
  }

  std::optional<std::string> parse_or(int depth, bool& has_operator) {
    auto left = parse_and(depth, has_operator);
    if (!left) return std::nullopt;
    while (peek() && op_of(*peek()) == Op::kOr) {
      ++pos_;
      bool ignored = false;
      auto right = parse_and(depth, ignored);
      if (!right) return std::nullopt;
      *left += " OR " + *right;
      has_operator = true;
    }
    return left;
  }

  std::optional<std::string> parse_and(int depth, bool& has_operator) {
    auto left = parse_primary(depth);
    if (!left) return std::nullopt;
    while (peek() && op_of(*peek()) == Op::kAnd) {
      ++pos_;
      auto right = parse_primary(depth);
      if (!right) return std::nullopt;
      *left += " AND " + *right;
      has_operator = true;
    }
    return left;
  }

  std::optional<std::string> parse_primary(int depth) {
    auto token = peek();
    if (!token) return std::nullopt;
    if (*token == "(") {
      if (depth >= kMaxDepth) return std::nullopt;
      ++pos_;
      bool inner_operator = false;
      auto inner = parse_or(depth + 1, inner_operator);
      if (!inner || !peek() || *peek() != ")") return std::nullopt;
      ++pos_;
      // Parentheses around a single term are noise: "(MIT)" is "MIT".
      return inner_operator ? "(" + *inner + ")" : *inner;
    }
    auto simple = parse_simple(*token);
    if (!simple) return std::nullopt;
    ++pos_;
    if (peek() && op_of(*peek()) == Op::kWith) {
      ++pos_;
      auto exception = peek() ? spdx_exception_id(*peek()) : std::nullopt;
      if (!exception) return std::nullopt;
      ++pos_;
      *simple += " WITH " + std::string(*exception);
    }
    return simple;
  }

  // license-id ["+"] | LicenseRef-idstring
  static std::optional<std::string> parse_simple(std::string_view token) {
    if (op_of(token) != Op::kNone || token == ")") return std::nullopt;
    if (is_license_ref(token)) return std::string(token);
    if (auto id = spdx_license_id(token)) return std::string(*id);
    if (token.size() > 1 && token.back() == '+') {
      if (auto id = spdx_license_id(token.substr(0, token.size() - 1)))
        return std::string(*id) + "+";
    }
    return std::nullopt;
  }

  std::vector<std::string_view> tokens_;
  size_t pos_ = 0;
};

}  // namespace

std::optional<std::string_view> spdx_license_id(std::string_view id) {
  return find_ignoring_case(kSpdxLicenseIds, id);
}

std::optional<std::string_view> spdx_exception_id(std::string_view id) {
  return find_ignoring_case(kSpdxExceptionIds, id);
}

LicenseTerm classify_license(std::string_view text) {
  text = trim_spaces(text);
  if (auto id = spdx_license_id(text)) return {LicenseTerm::Kind::kId, std::string(*id), false};
  bool compound = false;
  if (auto expression = ExpressionParser(text).parse(compound)) {
    if (auto id = spdx_license_id(*expression))
      return {LicenseTerm::Kind::kId, std::string(*id), false};
    return {LicenseTerm::Kind::kExpression, std::move(*expression), compound};
  }
  return {LicenseTerm::Kind::kName, std::string(text), false};
}

std::string join_license_terms(std::span<const LicenseTerm> terms) {
  if (terms.size() == 1) return terms.front().text;
  std::string out;
  for (const auto& term : terms) {
    if (!out.empty()) out += " AND ";
    out += term.compound ? "(" + term.text + ")" : term.text;
  }
  return out;
}

std::vector<std::string> license_refs(std::string_view expression) {
  std::vector<std::string> refs;
  size_t i = 0;
  while (i < expression.size()) {
    size_t j = i;
    while (j < expression.size() && !is_space(expression[j]) && expression[j] != '(' &&
           expression[j] != ')') {
      ++j;
    }
    auto token = expression.substr(i, j - i);
    if (is_license_ref(token) && std::find(refs.begin(), refs.end(), token) == refs.end()) {
      refs.emplace_back(token);
    }
    i = j == i ? i + 1 : j;
  }
  return refs;
}

}  // namespace bulwark::scan
