// Test helpers shared by the access-layer tests (authenticator, token service): a real
// SqliteMetadataStore in a fresh temporary directory, cheap argon2id parameters, and builders for
// users, projects and robots. Test-only; not thread-safe.
#pragma once

#include <sodium.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "auth/authorizer.h"
#include "auth/password.h"
#include "common/temp_dir.h"
#include "metadata/sqlite/sqlite_metadata_store.h"

namespace bulwark::auth::testing {

inline constexpr int64_t kNow = 1'750'000'000;
// The cheapest argon2id libsodium allows: tests verify hundreds of passwords.
inline const PasswordParams kFastHash{crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};

// A temporary directory holding a SQLite identity store; both removed at destruction.
class StoreFixture {
 public:
  StoreFixture() : temp_("bulwark-access"), dir_(temp_.path()) {
    auto opened = metadata::SqliteMetadataStore::open((dir_ / "metadata.db").string());
    if (!opened) throw std::runtime_error(opened.error().message);
    store_ = std::move(*opened);
  }
  ~StoreFixture() { store_.reset(); }  // close the database before the directory goes

  metadata::SqliteMetadataStore& store() { return *store_; }
  const std::filesystem::path& dir() const { return dir_; }

  void add_user(const std::string& name, const std::string& password, bool admin = false,
                const PasswordParams& params = kFastHash) {
    metadata::User u;
    u.name = name;
    u.password_hash = password.empty() ? "" : must(hash_password(password, params));
    u.admin = admin;
    must(store_->create_user(u));
  }

  void add_project(const std::string& name,
                   metadata::Environment env = metadata::Environment::kDevelopment,
                   metadata::Visibility vis = metadata::Visibility::kPrivate) {
    must(store_->create_project(metadata::Project{name, vis, env, 0, {}}));
  }

  // A project robot "robot$<project>+<short_name>" with `secret`.
  std::string add_robot(const std::string& project, const std::string& short_name,
                        const std::string& secret, const std::string& permissions_json,
                        int64_t expires_at = kNow + 3600) {
    metadata::RobotAccount r;
    r.name = "robot$" + project + "+" + short_name;
    r.project = project;
    r.secret_hash = must(hash_password(secret, kFastHash));
    r.permissions_json = permissions_json;
    r.expires_at = expires_at;
    r.created_by = "admin";
    must(store_->create_robot(r));
    return r.name;
  }

  template <class T>
  static T must(Result<T> r) {
    if (!r) throw std::runtime_error(r.error().message);
    return std::move(*r);
  }
  static void must(Result<void> r) {
    if (!r) throw std::runtime_error(r.error().message);
  }

 private:
  TempDir temp_;  // declared first: outlives the store
  std::filesystem::path dir_;
  std::unique_ptr<metadata::SqliteMetadataStore> store_;
};

}  // namespace bulwark::auth::testing
