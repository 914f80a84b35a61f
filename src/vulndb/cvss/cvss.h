// CVSS base scores: parses a CVSS v2, v3.0, v3.1 or v4.0 vector string and computes its base score
// (v4.0: CVSS-B, from the base metrics only) and qualitative severity, so vulnerability findings can
// be ranked the same way NVD ranks them. One scorer per version behind one table keyed by prefix
// (cvss.cc). Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace bulwark::vulndb {

enum class CvssVersion { kV2, kV3_0, kV3_1, kV4_0 };

struct CvssScore {
  CvssVersion version = CvssVersion::kV3_1;
  double base_score = 0.0;  // 0.0 .. 10.0, one decimal
  // "NONE", "LOW", "MEDIUM", "HIGH" or "CRITICAL" (v3.x and v4.0 rating scale); v2 uses NVD's
  // v2 ranges: "LOW" (0.0-3.9), "MEDIUM" (4.0-6.9), "HIGH" (7.0-10.0).
  std::string severity;
  // The vector with its version prefix ("CVSS:3.1/", "CVSS:4.0/"; none for v2, whose parentheses
  // are dropped) and every metric it carried, in the specification's order.
  std::string vector;
};

// Parses `vector` and computes its base score. The version comes from the prefix: "CVSS:3.1/",
// "CVSS:3.0/", "CVSS:4.0/", otherwise v2 ("AV:N/AC:L/Au:N/C:P/I:P/A:P", optionally in
// parentheses). Metric names and values are case-sensitive. All base metrics are mandatory;
// temporal/threat, environmental and supplemental metrics are validated and kept in `vector` but do
// not change the base score. Errors: kInvalidArgument naming the missing, duplicate or unknown
// metric (or value); kUnsupported for an unknown "CVSS:x.y/" version.
Result<CvssScore> parse_cvss(std::string_view vector);

// "2.0", "3.0", "3.1" or "4.0".
std::string_view cvss_version_name(CvssVersion version);

}  // namespace bulwark::vulndb
