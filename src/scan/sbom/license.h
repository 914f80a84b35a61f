// SPDX license identifiers and expressions, for the SBOM writers.
//
// The known identifiers are every license and exception id the CycloneDX schemas accept
// (spdx_license_ids.inc, generated from spdx.SNAPSHOT.schema.json). A licence string as an analyzer
// found it is classified as an SPDX id, a valid SPDX license expression (SPDX 2.3 annex D), or free
// text. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bulwark::scan {

// The canonical spelling of a known SPDX license id, matched ignoring ASCII case ("mit" -> "MIT").
std::optional<std::string_view> spdx_license_id(std::string_view id);
// The same for license exceptions ("classpath-exception-2.0" -> "Classpath-exception-2.0").
std::optional<std::string_view> spdx_exception_id(std::string_view id);

struct LicenseTerm {
  enum class Kind {
    kId,          // one known SPDX license id; `text` is its canonical spelling
    kExpression,  // a valid SPDX expression that is not a bare known id ("MIT OR Apache-2.0",
                  // "GPL-2.0-only WITH Classpath-exception-2.0", "LicenseRef-foo", "MIT+");
                  // `text` is normalised: canonical ids, upper-case operators, single spaces
    kName,        // anything else; `text` is the string as found (trimmed)
  };
  Kind kind = Kind::kName;
  std::string text;
  bool compound = false;  // kExpression with a top-level AND/OR (needs parentheses to be combined)
};

// Classifies one licence string. Operators may be upper or lower case; operands must be known
// ids (optionally with '+'), LicenseRef-/DocumentRef- references; WITH needs a known exception.
LicenseTerm classify_license(std::string_view text);

// Joins terms (kId or kExpression only) with AND into one expression, parenthesising compound
// ones: {"MIT", "GPL-2.0-only OR BSD-3-Clause"} -> "MIT AND (GPL-2.0-only OR BSD-3-Clause)".
// REQUIRES: no term is kName; terms is not empty.
std::string join_license_terms(std::span<const LicenseTerm> terms);

// The LicenseRef-... references named in a valid expression, in order of appearance.
std::vector<std::string> license_refs(std::string_view expression);

}  // namespace bulwark::scan
