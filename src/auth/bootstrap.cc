#include "auth/bootstrap.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <cstdio>

#include "auth/password.h"

namespace bulwark::auth {
namespace {

// Writes `text` to `path` with mode 0600 via a fsynced temporary file and rename.
Result<void> write_private_file(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return fail(ErrorCode::kIo, "cannot create " + tmp + ": " + std::strerror(errno));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return fail(ErrorCode::kIo, "cannot write " + path);
  }
  return bulwark::ok();
}

}  // namespace

Result<BootstrapResult> ensure_admin(metadata::IdentityStore& store, const std::string& data_dir,
                                     const std::optional<std::string>& password) {
  BULWARK_ASSIGN_OR_RETURN(auto users, store.list_users());
  BootstrapResult result;
  if (!users.empty()) return result;

  std::string secret = password.value_or("");
  if (!password) {
    secret = generate_secret(18);
    result.password_file = data_dir + "/" + std::string(kInitialPasswordFile);
    BULWARK_TRY_VOID(write_private_file(result.password_file, secret + "\n"));
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
