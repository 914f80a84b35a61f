// libFuzzer target: the layer walker on an arbitrary blob as a one-layer image (tar, gzip or zstd
// as libarchive detects it), with every analyzer and tight limits. Checks that a walk either
// fails with an error or yields packages whose evidence is a path inside the image.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "invariant.h"
#include "scan/walker.h"

namespace {

using namespace bulwark;

class Bytes : public scan::ByteStream {
 public:
  Bytes(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  Result<size_t> read(std::span<char> buf) override {
    size_t n = std::min(buf.size(), size_ - at_);
    std::memcpy(buf.data(), data_ + at_, n);
    at_ += n;
    return n;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t at_ = 0;
};

using bulwark::fuzz::check;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  scan::Image image;
  image.name = "fuzz";
  image.layers.push_back(scan::LayerInfo{});  // no digest: nothing to verify
  image.open_layer = [&](size_t) -> Result<std::unique_ptr<scan::ByteStream>> {
    return std::make_unique<Bytes>(data, size);
  };
  scan::WalkOptions options;
  options.limits.max_layer_bytes = 64 << 20;
  options.limits.max_read_bytes = 16 << 20;
  options.limits.max_entries = 10000;
  auto inventory = scan::inventory(image, options);
  if (!inventory) return 0;
  for (const auto& p : inventory->packages) {
    check(p.evidence.starts_with("/"), "evidence outside the image");
    check(p.evidence.find("/../") == std::string::npos, "evidence climbs");
    check(p.layer == 0, "package from a layer that does not exist");
  }
  return 0;
}
