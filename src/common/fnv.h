// Fnv1a: a 64-bit FNV-1a hash over fields, for fingerprints that only need to tell values apart
// (not cryptographic; never for anything an attacker could exploit by colliding). Each text field
// is followed by a separator byte, so ("ab", "c") and ("a", "bc") differ. Value type;
// thread-compatible.
#pragma once

#include <cstdint>
#include <string_view>

namespace bulwark {

class Fnv1a {
 public:
  Fnv1a& add(std::string_view text) {
    for (char c : text) mix(static_cast<unsigned char>(c));
    mix(0x1f);
    return *this;
  }
  Fnv1a& add_u64(uint64_t value) {
    for (int i = 0; i < 8; ++i) mix(static_cast<unsigned char>(value >> (8 * i)));
    return *this;
  }
  // Ends a list of fields, so that lists of different lengths differ.
  Fnv1a& end_list() {
    mix(0x1e);
    return *this;
  }
  uint64_t value() const { return hash_; }

 private:
  void mix(unsigned char c) {
    hash_ ^= c;
    hash_ *= 0x100000001b3ULL;
  }
  uint64_t hash_ = 0xcbf29ce484222325ULL;
};

}  // namespace bulwark
