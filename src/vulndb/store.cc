// SqliteVulnDb: VulnDb on one SQLite file (WAL), through the thin wrapper metadata/sqlite.
//
// Schema (version 1):
//   schema_version(version)                 one row
//   meta(id = 1, generation, updated_at)    one row; generation is bumped by a changing import
//   sources(name, imported_at, changed_at, origin, records, affected)
//   advisories(source, id, content_hash, affected, json)        one Advisory as JSON
//   kev(source, cve, vendor, product, date_added, due_date, known_ransomware, content_hash)
//   epss(source, cve, score, percentile, content_hash)          numbers as shortest round-trip text
// Every record table is keyed by (source = importer name, feed id) and carries the hash of its
// content, so an import rewrites only records whose content changed.
#include "vulndb/store.h"

#include <array>
#include <charconv>
#include <map>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "common/clock.h"
#include "common/digest.h"
#include "metadata/sqlite/sqlite.h"
#include "vulndb/advisory_json.h"

namespace bulwark::vulndb {
namespace {

namespace fs = std::filesystem;
namespace sql = metadata::sqlite;

constexpr int64_t kSchemaVersion = 1;
constexpr const char* kBusyTimeoutPragma = "PRAGMA busy_timeout = 30000";

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  generation INTEGER NOT NULL,
  updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
  name TEXT PRIMARY KEY,
  imported_at INTEGER NOT NULL,
  changed_at INTEGER NOT NULL,
  origin TEXT NOT NULL,
  records INTEGER NOT NULL,
  affected INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS advisories (
  source TEXT NOT NULL,
  id TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  affected INTEGER NOT NULL,
  json TEXT NOT NULL,
  PRIMARY KEY (source, id));
CREATE TABLE IF NOT EXISTS kev (
  source TEXT NOT NULL,
  cve TEXT NOT NULL,
  vendor TEXT NOT NULL,
  product TEXT NOT NULL,
  date_added TEXT NOT NULL,
  due_date TEXT NOT NULL,
  known_ransomware INTEGER NOT NULL,
  content_hash TEXT NOT NULL,
  PRIMARY KEY (source, cve));
CREATE TABLE IF NOT EXISTS epss (
  source TEXT NOT NULL,
  cve TEXT NOT NULL,
  score TEXT NOT NULL,
  percentile TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  PRIMARY KEY (source, cve));
)sql";

// The record tables, one row each: how a record's stored hash is looked up and how many
// records (and affected entries) a source has.
struct RecordTable {
  const char* lookup;  // (source, key) -> content_hash
  const char* count;   // source -> COUNT(*), SUM(affected)
};
enum RecordKind { kAdvisoryRecord = 0, kKevRecord = 1, kEpssRecord = 2 };
constexpr std::array<RecordTable, 3> kRecordTables = {{
    {"SELECT content_hash FROM advisories WHERE source = ? AND id = ?",
     "SELECT COUNT(*), COALESCE(SUM(affected), 0) FROM advisories WHERE source = ?"},
    {"SELECT content_hash FROM kev WHERE source = ? AND cve = ?",
     "SELECT COUNT(*), 0 FROM kev WHERE source = ?"},
    {"SELECT content_hash FROM epss WHERE source = ? AND cve = ?",
     "SELECT COUNT(*), 0 FROM epss WHERE source = ?"},
}};

constexpr const char* kUpsertAdvisory =
    "INSERT INTO advisories (source, id, content_hash, affected, json) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (source, id) DO UPDATE SET content_hash = excluded.content_hash, "
    "affected = excluded.affected, json = excluded.json";
constexpr const char* kUpsertKev =
    "INSERT INTO kev (source, cve, vendor, product, date_added, due_date, known_ransomware, "
    "content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (source, cve) DO UPDATE SET vendor = excluded.vendor, "
    "product = excluded.product, date_added = excluded.date_added, due_date = excluded.due_date, "
    "known_ransomware = excluded.known_ransomware, content_hash = excluded.content_hash";
constexpr const char* kUpsertEpss =
    "INSERT INTO epss (source, cve, score, percentile, content_hash) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (source, cve) DO UPDATE SET score = excluded.score, "
    "percentile = excluded.percentile, content_hash = excluded.content_hash";

// 128 bits of SHA-256 as hex: plenty to notice that a record changed.
std::string content_hash(std::string_view bytes) { return Digest::of(bytes).hex().substr(0, 32); }

// The shortest text that reads back as the same double.
std::string number_text(double value) {
  std::array<char, 64> buffer{};
  auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  if (ec != std::errc()) return "0";
  return std::string(buffer.data(), end);
}

Result<double> parse_number(const std::string& text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return fail(ErrorCode::kCorrupt, "vulnerability database: not a number: " + text);
  }
  return value;
}

// A field separator for hashing column values (cannot appear in JSON strings unescaped).
constexpr char kSep = '\x1f';

enum class Outcome { kAdded, kUpdated, kUnchanged };

// Writes what importers hand over into the open write transaction, counting per source what
// was added, updated or left alone. A database failure is fatal for the whole import: the sink
// remembers it (importers only see a refused record) and import() rolls back.
class StoreSink : public ImportSink {
 public:
  StoreSink(sql::Db& db, std::vector<SourceImport>& sources) : db_(db), sources_(sources) {}

  // Records from now on belong to sources_[index].
  void set_source(size_t index) { source_ = index; }
  const std::optional<Error>& fatal() const { return fatal_; }

  Result<void> add_advisory(Advisory advisory) override {
    if (advisory.id.empty()) return fail(ErrorCode::kInvalidArgument, "advisory without an id");
    const std::string& source = sources_[source_].source;
    if (advisory.source.empty()) advisory.source = source;
    std::string text = advisory_to_json_text(advisory);
    std::string hash = content_hash(text);
    return record(kAdvisoryRecord, advisory.id, hash, [&]() -> Result<void> {
      BULWARK_ASSIGN_OR_RETURN(sql::Stmt upsert, db_.prepare(kUpsertAdvisory));
      upsert.bind(source).bind(advisory.id).bind(hash)
          .bind(static_cast<int64_t>(advisory.affected.size())).bind(text);
      return upsert.run();
    });
  }

  Result<void> add_kev(KevEntry entry) override {
    if (entry.cve.empty()) return fail(ErrorCode::kInvalidArgument, "KEV entry without a CVE");
    const std::string& source = sources_[source_].source;
    std::string hash = content_hash(entry.vendor + kSep + entry.product + kSep + entry.date_added +
                                    kSep + entry.due_date + kSep +
                                    (entry.known_ransomware ? "1" : "0"));
    return record(kKevRecord, entry.cve, hash, [&]() -> Result<void> {
      BULWARK_ASSIGN_OR_RETURN(sql::Stmt upsert, db_.prepare(kUpsertKev));
      upsert.bind(source).bind(entry.cve).bind(entry.vendor).bind(entry.product)
          .bind(entry.date_added).bind(entry.due_date)
          .bind(static_cast<int64_t>(entry.known_ransomware ? 1 : 0)).bind(hash);
      return upsert.run();
    });
  }

  Result<void> add_epss(EpssScore score) override {
    if (score.cve.empty()) return fail(ErrorCode::kInvalidArgument, "EPSS score without a CVE");
    const std::string& source = sources_[source_].source;
    std::string value = number_text(score.score);
    std::string percentile = number_text(score.percentile);
    std::string hash = content_hash(value + kSep + percentile);
    return record(kEpssRecord, score.cve, hash, [&]() -> Result<void> {
      BULWARK_ASSIGN_OR_RETURN(sql::Stmt upsert, db_.prepare(kUpsertEpss));
      upsert.bind(source).bind(score.cve).bind(value).bind(percentile).bind(hash);
      return upsert.run();
    });
  }

 private:
  // What this import saw of one record: its hash before the import (empty when it is new) and
  // how it is counted. A record seen again (the same id twice in one import) is counted once,
  // against the state before the import; the later content wins.
  struct Seen {
    std::string before;
    Outcome outcome = Outcome::kAdded;
  };

  template <class Write>
  Result<void> record(RecordKind kind, const std::string& key, const std::string& hash,
                      Write write) {
    if (fatal_) return fail(*fatal_);
    SourceImport& counts = sources_[source_];
    std::string seen_key = std::to_string(kind) + '\0' + counts.source + '\0' + key;
    auto [it, first] = seen_.try_emplace(std::move(seen_key));
    Seen& seen = it->second;
    bool write_needed = true;
    if (first) {
      auto lookup = db_.prepare(kRecordTables[kind].lookup);  // reset when it goes out of scope
      if (!lookup) return fatal(lookup.error());
      lookup->bind(counts.source).bind(key);
      auto row = lookup->step();
      if (!row) return fatal(row.error());
      if (*row) seen.before = lookup->column_text(0);
      write_needed = seen.before != hash;
    } else {
      --count_of(counts, seen.outcome);
    }
    seen.outcome = seen.before.empty()    ? Outcome::kAdded
                   : seen.before == hash ? Outcome::kUnchanged
                                         : Outcome::kUpdated;
    ++count_of(counts, seen.outcome);
    if (write_needed) {
      if (auto written = write(); !written) return fatal(written.error());
    }
    return ok();
  }

  static uint64_t& count_of(SourceImport& counts, Outcome outcome) {
    switch (outcome) {
      case Outcome::kAdded: return counts.added;
      case Outcome::kUpdated: return counts.updated;
      case Outcome::kUnchanged: break;
    }
    return counts.unchanged;
  }

  Result<void> fatal(Error error) {
    error.message = "vulnerability database write failed: " + error.message;
    fatal_ = error;
    return fail(std::move(error));
  }

  sql::Db& db_;
  std::vector<SourceImport>& sources_;
  size_t source_ = 0;
  std::unordered_map<std::string, Seen> seen_;
  std::optional<Error> fatal_;
};

// BEGIN (deferred) ... COMMIT: one consistent read snapshot; rolls back if left uncommitted.
class ReadTransaction {
 public:
  static Result<ReadTransaction> begin(sql::Db& db) {
    BULWARK_TRY_VOID(db.exec("BEGIN"));
    return ReadTransaction(db);
  }
  ReadTransaction(ReadTransaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  ReadTransaction& operator=(ReadTransaction&&) = delete;
  ~ReadTransaction() {
    if (db_ != nullptr) (void)db_->exec("ROLLBACK");
  }
  Result<void> commit() {
    BULWARK_TRY_VOID(db_->exec("COMMIT"));
    db_ = nullptr;
    return ok();
  }

 private:
  explicit ReadTransaction(sql::Db& db) : db_(&db) {}
  sql::Db* db_;
};

Error with_context(Error error, const std::string& context) {
  error.message = context + ": " + error.message;
  return error;
}

class SqliteVulnDb : public VulnDb {
 public:
  SqliteVulnDb(std::unique_ptr<sql::Db> db, fs::path path, bool read_only)
      : db_(std::move(db)), path_(std::move(path)), read_only_(read_only) {}

  Result<void> init() {
    BULWARK_TRY_VOID(db_->exec(kBusyTimeoutPragma));
    if (read_only_) {
      BULWARK_TRY_VOID(db_->exec("PRAGMA query_only = 1"));
      auto version = schema_version();
      if (!version) {
        return fail(ErrorCode::kCorrupt, path_.string() +
                                             " is not a Bulwark vulnerability database (" +
                                             version.error().message + ")");
      }
      return check_version(*version);
    }
    BULWARK_TRY_VOID(db_->exec("PRAGMA journal_mode = WAL"));
    BULWARK_TRY_VOID(db_->exec("PRAGMA synchronous = NORMAL"));
    BULWARK_ASSIGN_OR_RETURN(sql::Transaction tx, sql::Transaction::begin(*db_));
    BULWARK_TRY_VOID(db_->exec(kSchema));
    BULWARK_ASSIGN_OR_RETURN(std::optional<int64_t> version, stored_version());
    if (!version) {
      BULWARK_ASSIGN_OR_RETURN(sql::Stmt insert,
                               db_->prepare("INSERT INTO schema_version (version) VALUES (?)"));
      BULWARK_TRY_VOID(insert.bind(kSchemaVersion).run());
      BULWARK_ASSIGN_OR_RETURN(
          sql::Stmt meta,
          db_->prepare("INSERT INTO meta (id, generation, updated_at) VALUES (1, 0, 0)"));
      BULWARK_TRY_VOID(meta.run());
    } else {
      BULWARK_TRY_VOID(check_version(*version));
    }
    return tx.commit();
  }

  Result<ImportSummary> import(std::span<const fs::path> paths,
                               const std::string& origin) override {
    if (read_only_) {
      return fail(ErrorCode::kInvalidArgument, "the vulnerability database is open read-only");
    }
    // Which importers read which path: decided before anything is written.
    struct Job {
      const Importer* importer;
      fs::path path;
      size_t source;  // index into summary.sources
    };
    ImportSummary summary;
    std::vector<Job> jobs;
    std::map<std::string, size_t> source_index;
    for (const auto& path : paths) {
      std::error_code ec;
      if (!fs::exists(path, ec)) {
        return fail(ErrorCode::kNotFound, path.string() + ": no such file or directory");
      }
      bool recognized = false;
      for (const auto& importer : all_importers()) {
        if (!importer.recognizes(path)) continue;
        recognized = true;
        auto [it, added] =
            source_index.try_emplace(std::string(importer.name), summary.sources.size());
        if (added) {
          summary.sources.emplace_back();
          summary.sources.back().source = std::string(importer.name);
        }
        summary.sources[it->second].paths.push_back(path.string());
        jobs.push_back(Job{&importer, path, it->second});
      }
      if (!recognized) {
        std::string names;
        for (const auto& importer : all_importers()) {
          names += (names.empty() ? "" : ", ") + std::string(importer.name);
        }
        return fail(ErrorCode::kInvalidArgument,
                    path.string() + ": not a feed any importer recognizes (" + names + ")");
      }
    }

    BULWARK_ASSIGN_OR_RETURN(sql::Transaction tx, sql::Transaction::begin(*db_));
    StoreSink sink(*db_, summary.sources);
    for (const auto& job : jobs) {
      sink.set_source(job.source);
      auto stats = job.importer->import(job.path, sink);
      if (sink.fatal()) return fail(*sink.fatal());
      if (!stats) {
        return fail(with_context(std::move(stats.error()),
                                 std::string(job.importer->name) + " import of " +
                                     job.path.string()));
      }
      SourceImport& source = summary.sources[job.source];
      source.skipped += stats->skipped;
      for (auto& warning : stats->warnings) source.warnings.push_back(std::move(warning));
    }

    const int64_t now = unix_seconds();
    for (const auto& source : summary.sources) {
      bool changed = source.added + source.updated > 0;
      summary.changed = summary.changed || changed;
      std::string recorded_origin = origin;
      if (recorded_origin.empty()) {
        for (const auto& path : source.paths) {
          std::error_code ec;
          fs::path absolute = fs::absolute(path, ec);
          recorded_origin += (recorded_origin.empty() ? "" : " ") +
                             (ec ? path : absolute.lexically_normal().string());
        }
      }
      BULWARK_TRY_VOID(update_source(source.source, now, changed, recorded_origin));
    }
    if (summary.changed) {
      BULWARK_ASSIGN_OR_RETURN(
          sql::Stmt bump,
          db_->prepare("UPDATE meta SET generation = generation + 1, updated_at = ? WHERE id = 1"));
      BULWARK_TRY_VOID(bump.bind(now).run());
    }
    BULWARK_ASSIGN_OR_RETURN(summary.generation, generation());
    BULWARK_TRY_VOID(tx.commit());
    return summary;
  }

  Result<DbStatus> status() override {
    DbStatus status;
    status.path = path_.string();
    BULWARK_ASSIGN_OR_RETURN(ReadTransaction tx, ReadTransaction::begin(*db_));
    {
      BULWARK_ASSIGN_OR_RETURN(sql::Stmt meta,
                               db_->prepare("SELECT generation, updated_at FROM meta WHERE id = 1"));
      BULWARK_ASSIGN_OR_RETURN(bool row, meta.step());
      if (!row) return fail(ErrorCode::kCorrupt, path_.string() + ": no meta row");
      status.generation = meta.column_int(0);
      status.updated_at = meta.column_int(1);
    }
    {
      BULWARK_ASSIGN_OR_RETURN(
          sql::Stmt sources,
          db_->prepare("SELECT name, imported_at, changed_at, origin, records, affected "
                       "FROM sources ORDER BY name"));
      while (true) {
        BULWARK_ASSIGN_OR_RETURN(bool row, sources.step());
        if (!row) break;
        SourceStatus s;
        s.source = sources.column_text(0);
        s.imported_at = sources.column_int(1);
        s.changed_at = sources.column_int(2);
        s.origin = sources.column_text(3);
        s.advisories = static_cast<uint64_t>(sources.column_int(4));
        s.affected = static_cast<uint64_t>(sources.column_int(5));
        status.sources.push_back(std::move(s));
      }
    }
    BULWARK_TRY_VOID(tx.commit());
    return status;
  }

  Result<int64_t> generation() override {
    BULWARK_ASSIGN_OR_RETURN(sql::Stmt meta,
                             db_->prepare("SELECT generation FROM meta WHERE id = 1"));
    BULWARK_ASSIGN_OR_RETURN(bool row, meta.step());
    if (!row) return fail(ErrorCode::kCorrupt, path_.string() + ": no meta row");
    return meta.column_int(0);
  }

  Result<DbSnapshot> load_index() override {
    DbSnapshot snapshot;
    std::vector<Advisory> advisories;
    std::vector<KevEntry> kev;
    std::vector<EpssScore> epss;
    BULWARK_ASSIGN_OR_RETURN(ReadTransaction tx, ReadTransaction::begin(*db_));
    {
      BULWARK_ASSIGN_OR_RETURN(sql::Stmt meta,
                               db_->prepare("SELECT generation, updated_at FROM meta WHERE id = 1"));
      BULWARK_ASSIGN_OR_RETURN(bool row, meta.step());
      if (!row) return fail(ErrorCode::kCorrupt, path_.string() + ": no meta row");
      snapshot.generation = meta.column_int(0);
      snapshot.updated_at = meta.column_int(1);
    }
    {
      BULWARK_ASSIGN_OR_RETURN(sql::Stmt rows,
                               db_->prepare("SELECT source, id, json FROM advisories"));
      while (true) {
        BULWARK_ASSIGN_OR_RETURN(bool row, rows.step());
        if (!row) break;
        auto advisory = advisory_from_json_text(rows.column_text(2));
        if (!advisory) {
          return fail(ErrorCode::kCorrupt, path_.string() + ": advisory " + rows.column_text(0) +
                                               "/" + rows.column_text(1) + ": " +
                                               advisory.error().message);
        }
        advisories.push_back(std::move(*advisory));
      }
    }
    {
      BULWARK_ASSIGN_OR_RETURN(
          sql::Stmt rows, db_->prepare("SELECT cve, vendor, product, date_added, due_date, "
                                       "known_ransomware FROM kev"));
      while (true) {
        BULWARK_ASSIGN_OR_RETURN(bool row, rows.step());
        if (!row) break;
        kev.push_back(KevEntry{.cve = rows.column_text(0),
                               .vendor = rows.column_text(1),
                               .product = rows.column_text(2),
                               .date_added = rows.column_text(3),
                               .due_date = rows.column_text(4),
                               .known_ransomware = rows.column_int(5) != 0});
      }
    }
    {
      BULWARK_ASSIGN_OR_RETURN(sql::Stmt rows,
                               db_->prepare("SELECT cve, score, percentile FROM epss"));
      while (true) {
        BULWARK_ASSIGN_OR_RETURN(bool row, rows.step());
        if (!row) break;
        BULWARK_ASSIGN_OR_RETURN(double score, parse_number(rows.column_text(1)));
        BULWARK_ASSIGN_OR_RETURN(double percentile, parse_number(rows.column_text(2)));
        epss.push_back(EpssScore{.cve = rows.column_text(0), .score = score,
                                 .percentile = percentile});
      }
    }
    BULWARK_TRY_VOID(tx.commit());
    snapshot.index = MatchIndex::build(std::move(advisories), std::move(kev), std::move(epss));
    return snapshot;
  }

 private:
  Result<int64_t> schema_version() {
    BULWARK_ASSIGN_OR_RETURN(std::optional<int64_t> version, stored_version());
    if (!version) return fail(ErrorCode::kCorrupt, "no schema version");
    return *version;
  }

  Result<std::optional<int64_t>> stored_version() {
    BULWARK_ASSIGN_OR_RETURN(sql::Stmt select, db_->prepare("SELECT version FROM schema_version"));
    BULWARK_ASSIGN_OR_RETURN(bool row, select.step());
    if (!row) return std::optional<int64_t>();
    return std::optional<int64_t>(select.column_int(0));
  }

  Result<void> check_version(int64_t version) const {
    if (version == kSchemaVersion) return ok();
    return fail(ErrorCode::kUnsupported,
                path_.string() + " has vulnerability database schema version " +
                    std::to_string(version) + "; this bulwark reads version " +
                    std::to_string(kSchemaVersion));
  }

  // Records an import of `source` and refreshes its counts.
  Result<void> update_source(const std::string& source, int64_t now, bool changed,
                             const std::string& origin) {
    int64_t records = 0;
    int64_t affected = 0;
    for (const auto& table : kRecordTables) {
      BULWARK_ASSIGN_OR_RETURN(sql::Stmt count, db_->prepare(table.count));
      count.bind(source);
      BULWARK_ASSIGN_OR_RETURN(bool row, count.step());
      if (row) {
        records += count.column_int(0);
        affected += count.column_int(1);
      }
    }
    BULWARK_ASSIGN_OR_RETURN(
        sql::Stmt upsert,
        db_->prepare("INSERT INTO sources (name, imported_at, changed_at, origin, records, affected) "
                     "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                     "imported_at = excluded.imported_at, "
                     "changed_at = CASE WHEN ? = 1 THEN excluded.changed_at "
                     "ELSE sources.changed_at END, "
                     "origin = excluded.origin, records = excluded.records, "
                     "affected = excluded.affected"));
    upsert.bind(source).bind(now).bind(now).bind(origin).bind(records).bind(affected)
        .bind(static_cast<int64_t>(changed ? 1 : 0));
    return upsert.run();
  }

  std::unique_ptr<sql::Db> db_;
  fs::path path_;
  bool read_only_;
};

}  // namespace

Result<std::unique_ptr<VulnDb>> VulnDb::open(const fs::path& path, bool read_only) {
  std::error_code ec;
  if (read_only && !fs::is_regular_file(path, ec)) {
    return fail(ErrorCode::kNotFound, "no vulnerability database at " + path.string() +
                                          "; create it with `bulwark db import`");
  }
  auto db = sql::Db::open(path.string());
  if (!db) return fail(with_context(std::move(db.error()), path.string()));
  auto store = std::make_unique<SqliteVulnDb>(std::move(*db), path, read_only);
  if (auto ready = store->init(); !ready) {
    return fail(with_context(std::move(ready.error()), "vulnerability database " + path.string()));
  }
  return std::unique_ptr<VulnDb>(std::move(store));
}

}  // namespace bulwark::vulndb
