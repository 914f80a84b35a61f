#include "auth/bootstrap.h"

#include "auth/password.h"
#include "common/durable_file.h"

namespace bulwark::auth {

Result<BootstrapResult> ensure_admin(metadata::IdentityStore& store, const std::string& data_dir,
                                     const std::optional<std::string>& password) {
  BULWARK_ASSIGN_OR_RETURN(auto users, store.list_users());
  BootstrapResult result;
  if (!users.empty()) return result;

  std::string secret = password.value_or("");
  if (!password) {
    secret = generate_secret(18);
    result.password_file = data_dir + "/" + std::string(kInitialPasswordFile);
    BULWARK_TRY_VOID(write_durable_file(result.password_file, secret + "\n", 0600,
                                        KeyFileWrite::kReplace));
    result.generated_password = secret;
  }
  BULWARK_ASSIGN_OR_RETURN(std::string hash, hash_password(secret));
  metadata::User admin;
  admin.name = std::string(kAdminUser);
  admin.password_hash = std::move(hash);
  admin.admin = true;
  BULWARK_TRY_VOID(store.create_user(admin));
  result.created = true;
  return result;
}

}  // namespace bulwark::auth
