#include "common/random.h"

#include <openssl/rand.h>

#include <array>
#include <span>
#include <stdexcept>
#include <vector>

#include "common/digest.h"

namespace bulwark {
namespace {
void fill(std::span<unsigned char> out) {
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
}
}  // namespace

std::string random_uuid() {
  std::array<unsigned char, 16> b{};
  fill(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  std::string hex = to_hex(b);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

std::string random_hex(size_t bytes) {
  std::vector<unsigned char> b(bytes);
  fill(b);
  return to_hex(b);
}

}  // namespace bulwark
