// Patterns in policy documents: repository globs and regular expressions compiled once, when the
// document is parsed (a bad expression is a parse error, never a surprise at evaluation time).
//
// Immutable after construction; const use is thread-safe (std::regex matching does not mutate).
#pragma once

#include <regex>
#include <string>
#include <string_view>

#include "common/result.h"

namespace bulwark::policy {

// An ECMAScript regular expression that must match a whole value.
struct Regex {
  std::string source;  // as written in the document (for messages)
  std::regex compiled;

  // kInvalidArgument "bad regular expression \"...\": <why>" (callers prefix the field).
  static Result<Regex> compile(std::string_view source);
  bool full_match(std::string_view value) const;
};


// What one rule (provenance, base image, label) found: passed or not, and one line saying why.
// The rule's action turns a failure into an outcome (evaluate.cc).
struct Check {
  bool passed = true;
  std::string reason;
};

}  // namespace bulwark::policy
