// First-start administrator. When the identity store holds no user at all, ensure_admin() creates
// the system administrator `admin`: its password is the one given (BULWARK_ADMIN_PASSWORD), else a
// generated one that is written to <data>/initial-admin-password (mode 0600) and returned so the
// caller can print it once. With any user present it changes nothing, so a restart never resets
// a password.
//
// Crash safety: the password file is durable before the user row exists, so a crash in between
// leaves no user and the next start simply generates again.
// Thread-safety: call once at start-up, before serving.
#pragma once

#include <optional>
#include <string>

#include "common/result.h"
#include "metadata/identity_store.h"

namespace bulwark::auth {

inline constexpr std::string_view kAdminUser = "admin";
inline constexpr std::string_view kInitialPasswordFile = "initial-admin-password";

struct BootstrapResult {
  bool created = false;                        // admin was created now
  std::optional<std::string> generated_password;  // set when created with a generated password
  std::string password_file;                   // where a generated password was written
};

Result<BootstrapResult> ensure_admin(metadata::IdentityStore& store, const std::string& data_dir,
                                     const std::optional<std::string>& password);

}  // namespace bulwark::auth
