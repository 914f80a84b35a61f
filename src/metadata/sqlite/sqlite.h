// A thin RAII layer over the SQLite C API that reports failures as Result errors.
//
// Db owns one connection and a cache of its prepared statements (keyed by SQL text). Stmt is a
// borrowed handle on a cached statement: binds parameters in order, steps, reads columns and
// resets the statement when it goes out of scope, so no read transaction is left open.
// Transaction is BEGIN IMMEDIATE ... COMMIT with rollback on scope exit.
//
// Thread-safety: a Db, and everything obtained from it, is used by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace bulwark::metadata::sqlite {

class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&&) = delete;
  ~Stmt();

  // Bind the next parameter (1, 2, ... in call order).
  Stmt& bind(int64_t value);
  Stmt& bind(std::string_view text);
  Stmt& bind(const char* text) { return bind(std::string_view(text)); }
  Stmt& bind(const std::string& text) { return bind(std::string_view(text)); }
  Stmt& bind(std::nullopt_t);
  Stmt& bind(const std::optional<std::string>& text);
  Stmt& bind_blob(std::string_view bytes);

  // Advances to the next row: true when a row is available, false when done.
  Result<bool> step();
  // Runs a statement that returns no rows.
  Result<void> run();
  // Rewinds for re-execution with new bindings.
  void reset();

  // Columns of the current row (0-based).
  int64_t column_int(int col) const;
  std::string column_text(int col) const;
  std::string column_blob(int col) const;
  bool column_is_null(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int next_param_ = 1;
  int bind_rc_ = 0;  // first binding failure, reported by step()
};

class Db {
 public:
  // Opens (creating if needed) the database at `path`.
  static Result<std::unique_ptr<Db>> open(const std::string& path);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs one or more SQL statements without results (schema changes, pragmas).
  Result<void> exec(const std::string& sql);
  // A cached prepared statement for `sql`.
  // REQUIRES: no other Stmt for the same SQL text is alive (they would share one statement).
  Result<Stmt> prepare(std::string_view sql);
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int64_t changes() const;

  // Converts a SQLite result code into an Error naming `what` failed.
  Error error(int rc, std::string_view what) const;

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::map<std::string, sqlite3_stmt*, std::less<>> cache_;
};

// BEGIN IMMEDIATE (the write lock is taken up front, so the transaction cannot deadlock on
// upgrade); rolls back when destroyed uncommitted.
class Transaction {
 public:
  static Result<Transaction> begin(Db& db);
  Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Result<void> commit();

 private:
  explicit Transaction(Db& db) : db_(&db) {}
  Db* db_;
};

}  // namespace bulwark::metadata::sqlite
