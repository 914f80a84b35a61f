// libFuzzer target: repository names, tags, references, image references and digests on
// arbitrary text. Besides the sanitizers, it checks the promises callers build on: a valid
// repository name can never traverse paths, and accepted references round-trip.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "invariant.h"
#include "common/digest.h"
#include "oci/reference.h"

namespace {

using namespace bulwark;

using bulwark::fuzz::check;

bool is_safe_path(std::string_view name) {
  if (name.empty() || name.size() > oci::kMaxRepositoryLength) return false;
  if (name.front() == '/' || name.back() == '/') return false;
  if (name.find("//") != std::string_view::npos) return false;
  if (name.find("..") != std::string_view::npos) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-' || c == '/';
    if (!ok) return false;
  }
  // No component is "." (it would have to start with an alphanumeric).
  return name.front() != '.' && name.find("/.") == std::string_view::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  if (oci::validate_repository(text)) check(is_safe_path(text), "unsafe repository accepted");

  if (oci::validate_tag(text)) {
    check(!text.empty() && text.size() <= 128, "tag length");
    check(text.find_first_of("/:@") == std::string_view::npos, "tag with a separator");
  }

  if (auto digest = Digest::parse(text)) check(digest->str() == text, "digest round-trip");

  if (auto ref = oci::parse_reference(text)) {
    if (auto* tag = std::get_if<std::string>(&*ref)) {
      check(*tag == text, "tag reference round-trip");
    } else {
      check(std::get<Digest>(*ref).str() == text, "digest reference round-trip");
    }
  }

  if (auto image = oci::parse_image_reference(text)) {
    check(oci::validate_repository(image->repository).has_value(), "invalid repository accepted");
    check(image->str() == text, "image reference round-trip");
    auto again = oci::parse_image_reference(image->str());
    check(again.has_value() && again->registry == image->registry &&
              again->repository == image->repository && again->tag == image->tag &&
              again->digest == image->digest,
          "image reference not stable");
  }
  return 0;
}
