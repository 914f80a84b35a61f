#include "auth/sodium_init.h"

#include <sodium.h>

#include <cstdlib>

namespace bulwark::auth {

void ensure_sodium() {
  // A function-local static runs its initialiser exactly once even under concurrent first calls.
  static const bool ready = [] {
    if (sodium_init() < 0) std::abort();  // no usable RNG: refusing to continue is the safe answer
    return true;
  }();
  (void)ready;
}

}  // namespace bulwark::auth
