// SqliteMetadataStore: the JobStore part (the `jobs` table of schema version 7).
#include <string>

#include "common/clock.h"
#include "metadata/sqlite/store_internal.h"

namespace bulwark::metadata {

namespace {

// Job states as stored, one row per JobState.
struct StateName {
  JobState state;
  std::string_view name;
};
constexpr StateName kStateNames[] = {{JobState::kQueued, "queued"},
                                     {JobState::kRunning, "running"},
                                     {JobState::kDone, "done"},
                                     {JobState::kFailed, "failed"}};

std::string_view state_name(JobState state) {
  for (const auto& row : kStateNames) {
    if (row.state == state) return row.name;
  }
  return "failed";
}

JobState state_of(std::string_view name) {
  for (const auto& row : kStateNames) {
    if (row.name == name) return row.state;
  }
  return JobState::kFailed;
}

}  // namespace

Result<void> enqueue_job_in(sqlite::Db& db, std::string_view kind, std::string_view repository,
                            std::string_view digest, int64_t now, bool queued_only) {
  BULWARK_ASSIGN_OR_RETURN(
      sqlite::Stmt pending,
      db.prepare(queued_only ? "SELECT 1 FROM jobs WHERE kind = ? AND repository = ? AND "
                               "digest = ? AND state = 'queued'"
                             : "SELECT 1 FROM jobs WHERE kind = ? AND repository = ? AND "
                               "digest = ? AND state IN ('queued', 'running')"));
  BULWARK_ASSIGN_OR_RETURN(bool exists, pending.bind(kind).bind(repository).bind(digest).step());
  if (exists) return ok();
  BULWARK_ASSIGN_OR_RETURN(
      sqlite::Stmt insert,
      db.prepare("INSERT INTO jobs (kind, repository, digest, state, run_after, created_at, "
                 "updated_at) VALUES (?, ?, ?, 'queued', ?, ?, ?)"));
  return insert.bind(kind).bind(repository).bind(digest).bind(now).bind(now).bind(now).run();
}

Result<void> SqliteMetadataStore::enqueue_job(std::string_view kind, std::string_view repository,
                                              std::string_view digest) {
  if (kind.empty()) return fail(ErrorCode::kInvalidArgument, "empty job kind");
  return with_writer([&](sqlite::Db& db) {
    return enqueue_job_in(db, kind, repository, digest, unix_seconds());
  });
}

Result<std::optional<Job>> SqliteMetadataStore::claim_job(int64_t now, int64_t lease_seconds) {
  return with_writer([&](sqlite::Db& db) -> Result<std::optional<Job>> {
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt pick,
        db.prepare("SELECT id, kind, repository, digest, attempts, last_error FROM jobs "
                   "WHERE (state = 'queued' AND run_after <= ?) OR (state = 'running' AND run_after <= ?) "
                   "ORDER BY run_after, id LIMIT 1"));
    BULWARK_ASSIGN_OR_RETURN(bool row, pick.bind(now).bind(now).step());
    if (!row) return std::optional<Job>();
    Job job{pick.column_int(0), pick.column_text(1), pick.column_text(2), pick.column_text(3),
            static_cast<int>(pick.column_int(4)) + 1, pick.column_text(5)};
    // While running, run_after is the lease's end: past it, another worker may claim the job.
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt claim,
        db.prepare("UPDATE jobs SET state = 'running', attempts = attempts + 1, run_after = ?, "
                   "updated_at = ? WHERE id = ?"));
    BULWARK_TRY_VOID(claim.bind(now + lease_seconds).bind(now).bind(job.id).run());
    return std::optional<Job>(std::move(job));
  });
}

Result<int64_t> SqliteMetadataStore::release_claims() {
  return with_writer([&](sqlite::Db& db) -> Result<int64_t> {
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt release,
        db.prepare("UPDATE jobs SET state = 'queued', run_after = ?, updated_at = ? "
                   "WHERE state = 'running'"));
    const int64_t now = unix_seconds();
    BULWARK_TRY_VOID(release.bind(now).bind(now).run());
    return static_cast<int64_t>(db.changes());
  });
}

Result<void> SqliteMetadataStore::complete_job(int64_t id) {
  return with_writer([&](sqlite::Db& db) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt done,
        db.prepare("UPDATE jobs SET state = 'done', last_error = '', updated_at = ? WHERE id = ?"));
    return done.bind(unix_seconds()).bind(id).run();
  });
}

Result<void> SqliteMetadataStore::fail_job(int64_t id, std::string_view error,
                                           std::optional<int64_t> retry_at) {
  return with_writer([&](sqlite::Db& db) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt failed,
        db.prepare("UPDATE jobs SET state = ?, last_error = ?, run_after = ?, updated_at = ? "
                   "WHERE id = ?"));
    const int64_t now = unix_seconds();
    return failed.bind(state_name(retry_at ? JobState::kQueued : JobState::kFailed))
        .bind(error)
        .bind(retry_at.value_or(now))
        .bind(now)
        .bind(id)
        .run();
  });
}

Result<std::optional<JobStatus>> SqliteMetadataStore::job_status(std::string_view kind,
                                                                 std::string_view repository,
                                                                 std::string_view digest) {
  return with_reader([&](sqlite::Db& db) -> Result<std::optional<JobStatus>> {
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt query,
        db.prepare("SELECT state, attempts, last_error, updated_at FROM jobs WHERE kind = ? AND "
                   "repository = ? AND digest = ? ORDER BY id DESC LIMIT 1"));
    BULWARK_ASSIGN_OR_RETURN(bool row, query.bind(kind).bind(repository).bind(digest).step());
    if (!row) return std::optional<JobStatus>();
    return std::optional<JobStatus>(JobStatus{state_of(query.column_text(0)),
                                              static_cast<int>(query.column_int(1)),
                                              query.column_text(2), query.column_int(3)});
  });
}

}  // namespace bulwark::metadata
