#include "metadata/sqlite/migrations.h"
#include "common/clock.h"

#include <array>
#include <string>

namespace bulwark::metadata::sqlite {
namespace {

constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE repositories (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);

-- Global content registry: every blob any repository holds (for GC and quotas).
CREATE TABLE blobs (
  digest TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE repository_blobs (
  repository_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
  digest TEXT NOT NULL REFERENCES blobs(digest),
  size INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (repository_id, digest)
);
CREATE INDEX repository_blobs_by_digest ON repository_blobs(digest);

CREATE TABLE manifests (
  repository_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
  digest TEXT NOT NULL,
  media_type TEXT NOT NULL,
  artifact_type TEXT NOT NULL,
  subject_digest TEXT,
  annotations TEXT NOT NULL,
  size INTEGER NOT NULL,
  content BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (repository_id, digest)
);
CREATE INDEX manifests_by_subject ON manifests(repository_id, subject_digest);

CREATE TABLE manifest_blobs (
  repository_id INTEGER NOT NULL,
  manifest_digest TEXT NOT NULL,
  blob_digest TEXT NOT NULL,
  PRIMARY KEY (repository_id, manifest_digest, blob_digest),
  FOREIGN KEY (repository_id, manifest_digest)
    REFERENCES manifests(repository_id, digest) ON DELETE CASCADE
);
CREATE INDEX manifest_blobs_by_blob ON manifest_blobs(repository_id, blob_digest);

CREATE TABLE manifest_manifests (
  repository_id INTEGER NOT NULL,
  manifest_digest TEXT NOT NULL,
  child_digest TEXT NOT NULL,
  PRIMARY KEY (repository_id, manifest_digest, child_digest),
  FOREIGN KEY (repository_id, manifest_digest)
    REFERENCES manifests(repository_id, digest) ON DELETE CASCADE
);
CREATE INDEX manifest_manifests_by_child ON manifest_manifests(repository_id, child_digest);

CREATE TABLE tags (
  repository_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  manifest_digest TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (repository_id, name),
  FOREIGN KEY (repository_id, manifest_digest)
    REFERENCES manifests(repository_id, digest) ON DELETE CASCADE
);
CREATE INDEX tags_by_manifest ON tags(repository_id, manifest_digest);

CREATE TABLE uploads (
  id TEXT PRIMARY KEY,
  repository TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX uploads_by_updated_at ON uploads(updated_at);
)sql";

// Identities: users, projects, robot accounts and project members. Names are the keys (they
// never change); booleans are INTEGER 0/1 so the same statements run on PostgreSQL.
constexpr std::string_view kSchemaV2 = R"sql(
CREATE TABLE users (
  name TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  email TEXT NOT NULL,
  disabled INTEGER NOT NULL CHECK (disabled IN (0, 1)),
  admin INTEGER NOT NULL CHECK (admin IN (0, 1)),
  totp_secret TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE projects (
  name TEXT PRIMARY KEY,
  visibility TEXT NOT NULL CHECK (visibility IN ('public', 'private')),
  environment TEXT NOT NULL CHECK (environment IN ('development', 'staging', 'production')),
  created_at INTEGER NOT NULL
);

CREATE TABLE robots (
  name TEXT PRIMARY KEY,
  project TEXT REFERENCES projects(name) ON DELETE CASCADE,
  secret_hash TEXT NOT NULL,
  description TEXT NOT NULL,
  permissions TEXT NOT NULL,
  expires_at INTEGER NOT NULL CHECK (expires_at > 0),
  revoked_at INTEGER,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX robots_by_project ON robots(project, name);

CREATE TABLE project_members (
  project TEXT NOT NULL REFERENCES projects(name) ON DELETE CASCADE,
  principal_kind TEXT NOT NULL CHECK (principal_kind IN ('user', 'group')),
  principal_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('project_admin', 'maintainer', 'developer', 'guest')),
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (project, principal_kind, principal_name)
);
CREATE INDEX project_members_by_principal ON project_members(principal_kind, principal_name);
)sql";

// The audit trail: dense sequence numbers (assigned by the appender, never by the engine, so a
// deleted row leaves a visible gap), the filter columns of AuditQuery indexed with seq for
// cursor pagination, and signed checkpoints.
constexpr std::string_view kSchemaV3 = R"sql(
CREATE TABLE audit_events (
  seq INTEGER PRIMARY KEY,
  time_ms INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  repository TEXT NOT NULL,
  digest TEXT NOT NULL,
  outcome TEXT NOT NULL,
  body TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_events_by_actor ON audit_events(actor, seq);
CREATE INDEX audit_events_by_action ON audit_events(action, seq);
CREATE INDEX audit_events_by_repository ON audit_events(repository, seq);
CREATE INDEX audit_events_by_digest ON audit_events(digest, seq);
CREATE INDEX audit_events_by_time ON audit_events(time_ms, seq);

CREATE TABLE audit_checkpoints (
  seq INTEGER PRIMARY KEY,
  hash TEXT NOT NULL,
  time_ms INTEGER NOT NULL,
  key_id TEXT NOT NULL,
  signature TEXT NOT NULL
);
)sql";

// External identities and network allow-lists: a user's source ("local", "ldap", "oidc") with
// the groups its directory reported at the last login ('\n'-separated), and per project and
// per robot the client networks (CIDRs, '\n'-separated; empty: anywhere) requests may come from.
constexpr std::string_view kSchemaV4 = R"sql(
ALTER TABLE users ADD COLUMN source TEXT NOT NULL DEFAULT 'local';
ALTER TABLE users ADD COLUMN external_groups TEXT NOT NULL DEFAULT '';
ALTER TABLE projects ADD COLUMN allowed_networks TEXT NOT NULL DEFAULT '';
ALTER TABLE robots ADD COLUMN allowed_networks TEXT NOT NULL DEFAULT '';
)sql";

// Registry-wide settings changed at runtime (api/runtime_settings.h): overrides of
// configuration values by key, with who set them last and when.
constexpr std::string_view kSchemaV5 = R"sql(
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  updated_by TEXT NOT NULL
);
)sql";

// OAuth2 refresh tokens (their SHA-256 only), so they survive restarts and are shared by nodes.
constexpr std::string_view kSchemaV6 = R"sql(
CREATE TABLE refresh_tokens (
  hash TEXT PRIMARY KEY,
  subject TEXT NOT NULL,
  issued_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens(expires_at);
)sql";

// The background job queue (JobStore) and the package index of stored images (InventoryStore).
constexpr std::string_view kSchemaV7 = R"sql(
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  repository TEXT NOT NULL,
  digest TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  run_after INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX jobs_due ON jobs(state, run_after);
CREATE INDEX jobs_by_subject ON jobs(kind, repository, digest);

CREATE TABLE image_packages (
  repository_id INTEGER NOT NULL,
  manifest_digest TEXT NOT NULL,
  type TEXT NOT NULL,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  purl TEXT NOT NULL,
  FOREIGN KEY (repository_id, manifest_digest) REFERENCES manifests(repository_id, digest)
    ON DELETE CASCADE
);
CREATE INDEX image_packages_by_name ON image_packages(name, type);
CREATE INDEX image_packages_by_manifest ON image_packages(repository_id, manifest_digest);
)sql";

// Vulnerability matching (FindingStore): the source package of indexed packages (OS feeds match
// by it), each image's match distribution and last match, and findings with their lifetimes.
constexpr std::string_view kSchemaV8 = R"sql(
ALTER TABLE image_packages ADD COLUMN source_name TEXT NOT NULL DEFAULT '';
ALTER TABLE image_packages ADD COLUMN source_version TEXT NOT NULL DEFAULT '';

CREATE TABLE image_scans (
  repository_id INTEGER NOT NULL,
  manifest_digest TEXT NOT NULL,
  distro TEXT NOT NULL DEFAULT '',
  indexed_at INTEGER NOT NULL,
  db_generation INTEGER,
  matched_at INTEGER,
  report_digest TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (repository_id, manifest_digest),
  FOREIGN KEY (repository_id, manifest_digest) REFERENCES manifests(repository_id, digest)
    ON DELETE CASCADE
);

CREATE TABLE findings (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  repository_id INTEGER NOT NULL,
  manifest_digest TEXT NOT NULL,
  vulnerability TEXT NOT NULL,
  package_type TEXT NOT NULL,
  package_name TEXT NOT NULL,
  installed_version TEXT NOT NULL,
  severity TEXT NOT NULL,
  fixed_version TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  resolved_at INTEGER,
  deadline INTEGER,
  detail TEXT NOT NULL,
  key_hash INTEGER NOT NULL DEFAULT 0,
  fingerprint INTEGER NOT NULL DEFAULT 0,
  FOREIGN KEY (repository_id, manifest_digest) REFERENCES manifests(repository_id, digest)
    ON DELETE CASCADE
);
CREATE INDEX findings_by_image ON findings(repository_id, manifest_digest, resolved_at);
CREATE INDEX findings_open_by_deadline ON findings(resolved_at, deadline);
)sql";

// Provenance (ProvenanceStore): each image's signature status as the provenance job last
// verified it, under the trust configuration named by its fingerprint.
constexpr std::string_view kSchemaV9 = R"sql(
CREATE TABLE provenance_status (
  repository_id INTEGER NOT NULL,
  manifest_digest TEXT NOT NULL,
  trust_fingerprint TEXT NOT NULL,
  signed INTEGER NOT NULL,
  reason TEXT NOT NULL,
  detail TEXT NOT NULL,
  verified_at INTEGER NOT NULL,
  PRIMARY KEY (repository_id, manifest_digest),
  FOREIGN KEY (repository_id, manifest_digest) REFERENCES manifests(repository_id, digest)
    ON DELETE CASCADE
);
)sql";

// Policy documents (PolicyStore): every version of every scope's document ("project:<name>" or
// "environment:<name>"), append-only so that each change is audited and can be rolled back. An
// empty document removes the scope's own policy (the next scope, or the defaults, apply).
constexpr std::string_view kSchemaV10 = R"sql(
CREATE TABLE policy_documents (
  scope TEXT NOT NULL,
  version INTEGER NOT NULL,
  document TEXT NOT NULL,
  author TEXT NOT NULL,
  comment TEXT NOT NULL,
  restored_from INTEGER,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (scope, version)
);
)sql";

// Deployments (DeploymentStore): each image the admission webhook admitted, per cluster,
// namespace, workload and container image reference. Kept when the image is deleted: incident
// response asks where a digest ran.
constexpr std::string_view kSchemaV11 = R"sql(
CREATE TABLE deployments (
  cluster TEXT NOT NULL,
  namespace TEXT NOT NULL,
  workload TEXT NOT NULL,
  image TEXT NOT NULL,
  repository TEXT NOT NULL,
  digest TEXT NOT NULL,
  first_admitted INTEGER NOT NULL,
  last_admitted INTEGER NOT NULL,
  PRIMARY KEY (cluster, namespace, workload, image)
);
CREATE INDEX deployments_by_digest ON deployments(digest);
)sql";

// Enforcement (EnforcementStore): who pushed each manifest first, each image's policy decision
// as last evaluated (quarantined while it fails), and quarantines an operator ordered by hand.
constexpr std::string_view kSchemaV12 = R"sql(
ALTER TABLE manifests ADD COLUMN pushed_by TEXT NOT NULL DEFAULT '';
CREATE TABLE image_policy (
  repository_id INTEGER NOT NULL,
  manifest_digest TEXT NOT NULL,
  outcome TEXT NOT NULL,
  pending INTEGER NOT NULL,
  decision TEXT NOT NULL,
  policy TEXT NOT NULL,
  evaluated_at INTEGER NOT NULL,
  PRIMARY KEY (repository_id, manifest_digest),
  FOREIGN KEY (repository_id, manifest_digest) REFERENCES manifests(repository_id, digest)
    ON DELETE CASCADE
);
CREATE TABLE manual_quarantine (
  repository_id INTEGER NOT NULL,
  manifest_digest TEXT NOT NULL,
  reason TEXT NOT NULL,
  actor TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (repository_id, manifest_digest),
  FOREIGN KEY (repository_id, manifest_digest) REFERENCES manifests(repository_id, digest)
    ON DELETE CASCADE
);
)sql";

constexpr std::array<Migration, 12> kMigrations = {{
    {1, kSchemaV1},
    {2, kSchemaV2},
    {3, kSchemaV3},
    {4, kSchemaV4},
    {5, kSchemaV5},
    {6, kSchemaV6},
    {7, kSchemaV7},
    {8, kSchemaV8},
    {9, kSchemaV9},
    {10, kSchemaV10},
    {11, kSchemaV11},
    {12, kSchemaV12},
}};

Result<void> ensure_version_table(Db& db) {
  return db.exec(
      "CREATE TABLE IF NOT EXISTS schema_version ("
      "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
}

}  // namespace

std::span<const Migration> metadata_migrations() { return kMigrations; }

Result<int> schema_version(Db& db) {
  BULWARK_TRY_VOID(ensure_version_table(db));
  BULWARK_ASSIGN_OR_RETURN(Stmt query,
                           db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version"));
  BULWARK_ASSIGN_OR_RETURN(bool row, query.step());
  return row ? static_cast<int>(query.column_int(0)) : 0;
}

Result<int> apply_migrations(Db& db, std::span<const Migration> migrations) {
  int latest = migrations.empty() ? 0 : migrations.back().version;
  BULWARK_ASSIGN_OR_RETURN(int current, schema_version(db));
  if (current > latest) {
    return fail(ErrorCode::kUnsupported, "metadata schema version " + std::to_string(current) +
                                             " is newer than this binary supports (" +
                                             std::to_string(latest) + ")");
  }
  int applied = 0;
  for (const Migration& migration : migrations) {
    if (migration.version <= current) continue;
    BULWARK_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(db));
    // Re-read under the write lock: another process may have migrated meanwhile.
    BULWARK_ASSIGN_OR_RETURN(current, schema_version(db));
    if (migration.version <= current) continue;
    auto applied_sql = db.exec(std::string(migration.sql));
    if (!applied_sql) {
      return fail(applied_sql.error().code, "migration " + std::to_string(migration.version) +
                                                " failed: " + applied_sql.error().message);
    }
    BULWARK_ASSIGN_OR_RETURN(
        Stmt record, db.prepare("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)"));
    BULWARK_TRY_VOID(record.bind(int64_t{migration.version}).bind(unix_seconds()).run());
    BULWARK_TRY_VOID(tx.commit());
    current = migration.version;
    ++applied;
  }
  return applied;
}

}  // namespace bulwark::metadata::sqlite
