#include "metadata/sqlite/sqlite.h"

#include <sqlite3.h>

#include <array>
#include <limits>

namespace bulwark::metadata::sqlite {
namespace {

struct CodeMapping {
  int sqlite_code;  // primary result code
  ErrorCode code;
};

constexpr std::array<CodeMapping, 11> kCodeTable = {{
    {SQLITE_BUSY, ErrorCode::kUnavailable},
    {SQLITE_LOCKED, ErrorCode::kUnavailable},
    {SQLITE_NOMEM, ErrorCode::kUnavailable},
    {SQLITE_CONSTRAINT, ErrorCode::kConflict},
    {SQLITE_CORRUPT, ErrorCode::kCorrupt},
    {SQLITE_NOTADB, ErrorCode::kCorrupt},
    {SQLITE_IOERR, ErrorCode::kIo},
    {SQLITE_FULL, ErrorCode::kIo},
    {SQLITE_CANTOPEN, ErrorCode::kIo},
    {SQLITE_READONLY, ErrorCode::kIo},
    {SQLITE_PERM, ErrorCode::kIo},
}};

ErrorCode map_code(int rc) {
  for (const auto& m : kCodeTable) {
    if (m.sqlite_code == (rc & 0xff)) return m.code;
  }
  return ErrorCode::kInternal;
}

int size_int(std::string_view s) {
  return s.size() > static_cast<size_t>(std::numeric_limits<int>::max())
             ? -1
             : static_cast<int>(s.size());
}

}  // namespace

Stmt::Stmt(Stmt&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      next_param_(other.next_param_),
      bind_rc_(other.bind_rc_) {}

Stmt::~Stmt() {
  if (stmt_ != nullptr) reset();
}

void Stmt::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  next_param_ = 1;
  bind_rc_ = SQLITE_OK;
}

Stmt& Stmt::bind(int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, next_param_++, value);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Stmt& Stmt::bind(std::string_view text) {
  int rc = sqlite3_bind_text(stmt_, next_param_++, text.data(), size_int(text), SQLITE_TRANSIENT);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Stmt& Stmt::bind(std::nullopt_t) {
  int rc = sqlite3_bind_null(stmt_, next_param_++);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Stmt& Stmt::bind(const std::optional<std::string>& text) {
  return text ? bind(std::string_view(*text)) : bind(std::nullopt);
}

Stmt& Stmt::bind_blob(std::string_view bytes) {
  int rc = sqlite3_bind_blob64(stmt_, next_param_++, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Result<bool> Stmt::step() {
  if (bind_rc_ != SQLITE_OK) {
    return fail(map_code(bind_rc_), std::string("sqlite bind: ") + sqlite3_errstr(bind_rc_));
  }
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return fail(map_code(rc), std::string("sqlite step: ") + sqlite3_errmsg(db_));
}

Result<void> Stmt::run() {
  BULWARK_ASSIGN_OR_RETURN(bool row, step());
  if (row) return fail(ErrorCode::kInternal, "sqlite: statement unexpectedly returned rows");
  return ok();
}

int64_t Stmt::column_int(int col) const { return sqlite3_column_int64(stmt_, col); }

std::string Stmt::column_text(int col) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return text == nullptr ? std::string() : std::string(text, sqlite3_column_bytes(stmt_, col));
}

std::string Stmt::column_blob(int col) const {
  const auto* blob = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
  return blob == nullptr ? std::string() : std::string(blob, sqlite3_column_bytes(stmt_, col));
}

bool Stmt::column_is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

Result<std::unique_ptr<Db>> Db::open(const std::string& path) {
  if (sqlite3_threadsafe() == 0) {
    return fail(ErrorCode::kInternal, "sqlite library was built without thread support");
  }
  sqlite3* handle = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &handle,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = handle != nullptr ? sqlite3_errmsg(handle) : sqlite3_errstr(rc);
    sqlite3_close(handle);
    return fail(map_code(rc), "cannot open metadata database: " + message);
  }
  sqlite3_extended_result_codes(handle, 1);
  return std::unique_ptr<Db>(new Db(handle));
}

Db::~Db() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Result<void> Db::exec(const std::string& sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return ok();
  std::string text = message != nullptr ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  return fail(map_code(rc), "sqlite exec: " + text);
}

Result<Stmt> Db::prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), size_int(sql), SQLITE_PREPARE_PERSISTENT, &stmt,
                                nullptr);
    if (rc != SQLITE_OK) return fail(error(rc, "prepare"));
    it = cache_.emplace(std::string(sql), stmt).first;
  }
  return Stmt(db_, it->second);
}

int64_t Db::changes() const { return sqlite3_changes64(db_); }

Error Db::error(int rc, std::string_view what) const {
  return Error{map_code(rc), "sqlite " + std::string(what) + ": " + sqlite3_errmsg(db_)};
}

Result<Transaction> Transaction::begin(Db& db) {
  BULWARK_ASSIGN_OR_RETURN(Stmt begin, db.prepare("BEGIN IMMEDIATE"));
  BULWARK_TRY_VOID(begin.run());
  return Transaction(db);
}

Transaction::~Transaction() {
  if (db_ == nullptr) return;
  auto rollback = db_->prepare("ROLLBACK");
  if (rollback) (void)rollback->run();
}

Result<void> Transaction::commit() {
  BULWARK_ASSIGN_OR_RETURN(Stmt commit, db_->prepare("COMMIT"));
  BULWARK_TRY_VOID(commit.run());
  db_ = nullptr;
  return ok();
}

}  // namespace bulwark::metadata::sqlite
