// Test support for the audit module's tests: a temporary data directory holding a real SQLite
// metadata store, an AuditLog on it with a deterministic clock, and direct SQL access to the
// database file (the sqlite3 C API, bypassing the store) to play the attacker. Test-only code;
// one test thread at a time.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "audit/audit_log.h"
#include "common/temp_dir.h"
#include "metadata/sqlite/sqlite_metadata_store.h"

namespace bulwark::audit::testing_support {

// A data dir with <data>/metadata.sqlite and <data>/audit-key.pem, as `bulwark` lays it out.
class AuditFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = metadata::SqliteMetadataStore::open(db_path());
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
    open_log(checkpoint_every_);
  }

  void open_log(int64_t checkpoint_every) {
    AuditLogOptions options;
    options.key_file = key_path();
    options.checkpoint_every = checkpoint_every;
    options.clock_ms = [this] { return clock_ms_.fetch_add(1000); };
    auto log = AuditLog::open(*store_, options);
    ASSERT_TRUE(log) << log.error().message;
    log_ = std::move(*log);
  }

  // Records `n` events (actors alternate alice/bob; repositories team/app0, team/app1, ...).
  void record_events(int n) {
    for (int i = 0; i < n; ++i) {
      Event event;
      event.actor = i % 2 == 0 ? "alice" : "bob";
      event.client_address = "192.0.2.7";
      event.action = "manifest.push";
      event.resource.repository = "team/app" + std::to_string(i);
      event.resource.tag = "v" + std::to_string(i);
      event.outcome = Outcome::kAllowed;
      auto recorded = log_->record(event);
      ASSERT_TRUE(recorded) << recorded.error().message;
    }
  }

  // Runs SQL on the database file through its own sqlite3 connection (not the store).
  void tamper(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    char* error = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    std::string message = error != nullptr ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << message;
  }

  std::string db_path() const { return dir_.file("metadata.sqlite"); }
  std::string key_path() const { return dir_.file("audit-key.pem"); }

  TempDir dir_;
  int64_t checkpoint_every_ = 5;
  std::atomic<int64_t> clock_ms_{1700000000000};
  std::unique_ptr<metadata::SqliteMetadataStore> store_;
  std::unique_ptr<AuditLog> log_;
};

}  // namespace bulwark::audit::testing_support
