#include "common/result.h"

#include <array>
#include <utility>

namespace bulwark {
namespace {
constexpr std::array<std::pair<ErrorCode, const char*>, 13> kNames = {{
    {ErrorCode::kInvalidArgument, "invalid_argument"},
    {ErrorCode::kNotFound, "not_found"},
    {ErrorCode::kAlreadyExists, "already_exists"},
    {ErrorCode::kConflict, "conflict"},
    {ErrorCode::kOutOfRange, "out_of_range"},
    {ErrorCode::kTooLarge, "too_large"},
    {ErrorCode::kUnsupported, "unsupported"},
    {ErrorCode::kMissingReference, "missing_reference"},
    {ErrorCode::kDigestMismatch, "digest_mismatch"},
    {ErrorCode::kUnavailable, "unavailable"},
    {ErrorCode::kIo, "io"},
    {ErrorCode::kCorrupt, "corrupt"},
    {ErrorCode::kInternal, "internal"},
}};
}  // namespace

const char* error_code_name(ErrorCode code) {
  for (const auto& [c, name] : kNames) {
    if (c == code) return name;
  }
  return "internal";
}

}  // namespace bulwark
