#include "storage/upload_id.h"

namespace bulwark::storage {

Result<void> validate_upload_id(std::string_view id) {
  constexpr size_t kMaxLength = 64;
  bool valid = !id.empty() && id.size() <= kMaxLength;
  for (char c : id) {
    valid = valid && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-');
  }
  if (!valid) return fail(ErrorCode::kInvalidArgument, "upload id must match [A-Za-z0-9-]{1,64}");
  return ok();
}

}  // namespace bulwark::storage
