// check(): the fuzz targets' assertion. A violated invariant (a round trip that changed a value, a
// parser accepting what its own serializer cannot write) aborts with what was violated, which
// libFuzzer reports as a crash with the input. Header-only; used by every fuzz/*.cc.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace bulwark::fuzz {

inline void check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

}  // namespace bulwark::fuzz
