// Result<T>: the error-handling currency of every module boundary.
//
// An Error carries a coarse, transport-neutral code and a human message that is safe to show to a
// client (never a secret, never a raw system path unless it is harmless). Modules translate
// Errors into their protocol's format at their edge (the registry maps them onto the OCI error
// table). Value types; thread-compatible.
#pragma once

#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace bulwark {

enum class ErrorCode {
  kInvalidArgument,  // the caller sent something malformed
  kNotFound,
  kAlreadyExists,
  kConflict,         // state does not allow the operation (e.g. upload offset mismatch)
  kOutOfRange,
  kTooLarge,
  kUnsupported,      // well-formed but not something we accept (e.g. schema 1 manifests)
  kMissingReference, // a document refers to content that does not exist
  kDigestMismatch,   // content does not hash to the digest it was declared with
  kUnavailable,      // transient: timeouts, disconnects, resource exhaustion
  kIo,               // local I/O failure
  kCorrupt,          // stored data failed a consistency check
  kInternal,
};

// Returns a stable lower_snake name for logs, e.g. "not_found".
const char* error_code_name(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

template <class T>
using Result = tl::expected<T, Error>;

// Builds the unexpected side of a Result: `return fail(ErrorCode::kNotFound, "no such tag");`
inline tl::unexpected<Error> fail(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}
inline tl::unexpected<Error> fail(Error error) { return tl::unexpected<Error>(std::move(error)); }

// Result<void> success value.
inline Result<void> ok() { return {}; }

}  // namespace bulwark

// Propagates an error from an expression yielding Result<T>; evaluates to nothing.
#define BULWARK_TRY_VOID(expr)                                      \
  do {                                                              \
    auto bulwark_try_r_ = (expr);                                   \
    if (!bulwark_try_r_) return ::bulwark::fail(std::move(bulwark_try_r_.error())); \
  } while (0)

#define BULWARK_CONCAT_INNER_(a, b) a##b
#define BULWARK_CONCAT_(a, b) BULWARK_CONCAT_INNER_(a, b)
// BULWARK_ASSIGN_OR_RETURN(auto x, expr): binds the value of a Result or returns its error.
#define BULWARK_ASSIGN_OR_RETURN(lhs, expr) \
  BULWARK_ASSIGN_OR_RETURN_IMPL_(BULWARK_CONCAT_(bulwark_r_, __LINE__), lhs, expr)
#define BULWARK_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr)                  \
  auto tmp = (expr);                                                   \
  if (!tmp) return ::bulwark::fail(std::move(tmp.error()));            \
  lhs = std::move(*tmp)
