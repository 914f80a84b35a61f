#include "admission/decider.h"

#include <map>

namespace bulwark::admission {

std::vector<Result<ImageVerdict>> ImageDecider::decide_all(
    const std::vector<ImageRequest>& requests) {
  std::vector<Result<ImageVerdict>> out;
  out.reserve(requests.size());
  std::map<std::string, size_t, std::less<>> first;  // image -> index of its first verdict
  for (const ImageRequest& request : requests) {
    auto seen = first.find(request.image);
    if (seen != first.end()) {
      out.push_back(out[seen->second]);
      continue;
    }
    first.emplace(request.image, out.size());
    out.push_back(decide(request));
  }
  return out;
}

}  // namespace bulwark::admission
