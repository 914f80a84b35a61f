// SqliteMetadataStore: the embedded MetadataStore, IdentityStore and AuditStore on one SQLite
// database file (registry metadata in sqlite_metadata_store.cc, identities in sqlite_identity.cc,
// the audit trail in sqlite_audit.cc).
//
// Durability: WAL journal with synchronous=FULL, so a call that returned has reached the disk
// and survives kill -9 or power loss. foreign_keys=ON enforces the cascades (deleting a manifest
// deletes its references and tags); referrers are derived from manifests.subject_digest.
// Opening applies pending schema migrations (migrations.h). append_audit() runs its `make`
// callback inside the BEGIN IMMEDIATE write transaction, so the audit chain stays linear even
// with several processes sharing the file.
//
// Thread-safety: thread-safe. Writers are serialised by a mutex on one write connection; reads
// use a pool of read connections (one per concurrent caller) and never wait for each other or,
// thanks to WAL, for the writer. Other processes may share the file (busy timeout applies).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "metadata/audit_store.h"
#include "metadata/deployment_store.h"
#include "metadata/enforcement_store.h"
#include "metadata/finding_store.h"
#include "metadata/identity_store.h"
#include "metadata/inventory_store.h"
#include "metadata/job_store.h"
#include "metadata/policy_store.h"
#include "metadata/metadata_store.h"
#include "metadata/provenance_store.h"
#include "metadata/refresh_token_store.h"
#include "metadata/settings_store.h"
#include "common/shared_counter.h"
#include "metadata/sqlite/sqlite.h"

namespace bulwark::metadata {

class SqliteMetadataStore final : public MetadataStore,
                                  public IdentityStore,
                                  public AuditStore,
                                  public SettingsStore, public RefreshTokenStore,
                                  public JobStore, public InventoryStore,
                                  public FindingStore, public ProvenanceStore,
                                  public PolicyStore,
                                  public DeploymentStore,
                                  public EnforcementStore {
 public:
  // Opens or creates the database at `path` and migrates it to the current schema.
  static Result<std::unique_ptr<SqliteMetadataStore>> open(std::string path);
  ~SqliteMetadataStore() override;

  // How many migrations open() applied (0 when the schema was already current).
  int migrations_applied() const { return migrations_applied_; }

  Result<bool> repository_exists(std::string_view repository) override;
  Result<std::vector<std::string>> list_repositories(std::string_view after,
                                                     size_t limit) override;

  Result<void> link_blob(std::string_view repository, const Digest& digest,
                         uint64_t size) override;
  Result<std::optional<uint64_t>> blob_in_repository(std::string_view repository,
                                                     const Digest& digest) override;
  Result<bool> unlink_blob(std::string_view repository, const Digest& digest) override;

  Result<void> put_manifest(const ManifestPut& manifest) override;
  Result<std::optional<ManifestRecord>> get_manifest(std::string_view repository,
                                                     const Digest& digest) override;
  Result<std::optional<Digest>> resolve_tag(std::string_view repository,
                                            std::string_view tag) override;
  Result<DeleteManifestResult> delete_manifest(std::string_view repository,
                                               const Digest& digest) override;
  Result<bool> delete_tag(std::string_view repository, std::string_view tag) override;
  Result<std::vector<std::string>> list_tags(std::string_view repository, std::string_view after,
                                             size_t limit) override;
  Result<std::vector<ManifestRecord>> list_referrers(
      std::string_view repository, const Digest& subject,
      std::optional<std::string_view> artifact_type) override;

  Result<void> create_upload(const UploadSession& session) override;
  Result<std::optional<UploadSession>> get_upload(std::string_view id) override;
  Result<void> touch_upload(std::string_view id, int64_t updated_at) override;
  Result<void> delete_upload(std::string_view id) override;
  Result<std::vector<UploadSession>> list_uploads_idle_since(int64_t before) override;

  // IdentityStore (sqlite_identity.cc). The generation lives in "<path>-identity.gen"
  // (common/shared_counter.h), shared by every process that opens the database.
  uint64_t identity_generation() const override;
  Result<void> create_user(const User& user) override;
  Result<std::optional<User>> get_user(std::string_view name) override;
  Result<std::vector<User>> list_users() override;
  Result<void> set_user_password_hash(std::string_view name,
                                      std::string_view password_hash) override;
  Result<void> set_user_disabled(std::string_view name, bool disabled) override;
  Result<void> set_user_totp_secret(std::string_view name, std::string_view secret) override;
  Result<bool> delete_user(std::string_view name) override;
  Result<void> upsert_external_user(const User& user) override;

  Result<void> create_robot(const RobotAccount& robot) override;
  Result<std::optional<RobotAccount>> get_robot(std::string_view name) override;
  Result<std::vector<RobotAccount>> list_robots(std::optional<std::string_view> project) override;
  Result<void> revoke_robot(std::string_view name, int64_t at) override;
  Result<void> rotate_robot_secret(std::string_view name, std::string_view secret_hash,
                                   std::optional<int64_t> expires_at) override;
  Result<void> set_robot_networks(std::string_view name, const NetworkList& networks) override;

  Result<void> create_project(const Project& project) override;
  Result<std::optional<Project>> get_project(std::string_view name) override;
  Result<std::vector<Project>> list_projects() override;
  Result<void> update_project(std::string_view name, const ProjectUpdate& update) override;
  Result<void> delete_project(std::string_view name) override;

  Result<void> set_member(const Member& member) override;
  Result<bool> remove_member(std::string_view project, PrincipalKind kind,
                             std::string_view principal) override;
  Result<std::vector<Member>> list_members(std::string_view project) override;
  Result<std::vector<Member>> list_memberships(PrincipalKind kind,
                                               std::string_view principal) override;

  // AuditStore (sqlite_audit.cc)
  Result<AuditRecord> append_audit(
      const std::function<AuditRecord(int64_t seq, const std::string& prev_hash)>& make) override;
  Result<std::vector<AuditRecord>> append_audit_batch(size_t count,
                                                      const BatchMaker& make) override;
  Result<std::vector<AuditRecord>> read_audit(int64_t after_seq, size_t limit) override;
  Result<std::optional<AuditRecord>> last_audit() override;
  Result<std::vector<AuditRecord>> query_audit(const AuditQuery& query) override;
  Result<void> put_audit_checkpoint(const AuditCheckpoint& checkpoint) override;
  Result<std::vector<AuditCheckpoint>> audit_checkpoints() override;

  // RefreshTokenStore (sqlite_refresh_tokens.cc)
  Result<void> put_refresh_token(const RefreshTokenRecord& record) override;
  Result<std::optional<RefreshTokenRecord>> get_refresh_token(std::string_view hash) override;
  Result<void> delete_refresh_token(std::string_view hash) override;
  Result<size_t> delete_expired_refresh_tokens(int64_t now) override;

  // SettingsStore (sqlite_settings.cc); a put advances the identity generation.
  Result<std::map<std::string, StoredSetting>> get_settings() override;
  Result<void> put_settings(const std::map<std::string, std::string>& values,
                            std::string_view actor) override;

  // JobStore (sqlite_jobs.cc)
  Result<void> enqueue_job(std::string_view kind, std::string_view repository,
                           std::string_view digest) override;
  Result<std::optional<Job>> claim_job(int64_t now, int64_t lease_seconds) override;
  Result<void> complete_job(int64_t id) override;
  Result<int64_t> release_claims() override;
  Result<void> fail_job(int64_t id, std::string_view error, std::optional<int64_t> retry_at) override;
  Result<std::optional<JobStatus>> job_status(std::string_view kind, std::string_view repository,
                                              std::string_view digest) override;

  // InventoryStore (sqlite_inventory.cc)
  Result<void> put_image_packages(std::string_view repository, std::string_view digest,
                                  std::string_view distro,
                                  const std::vector<IndexedPackage>& packages) override;
  Result<std::vector<PackageHit>> find_package(std::string_view name,
                                               std::optional<std::string_view> type,
                                               size_t limit) override;

  // FindingStore (sqlite_findings.cc)
  Result<std::vector<StoredInventory>> list_inventories(std::string& cursor, size_t limit) override;
  Result<std::vector<StoredInventory>> select_packages(
      std::string& cursor, size_t limit,
      const std::function<bool(const StoredInventory&, const IndexedPackage&)>& keep) override;
  Result<uint64_t> advance_generation(const std::vector<MatchedImage>& images, int64_t from,
                                      int64_t to, int64_t now) override;
  Result<std::optional<StoredInventory>> get_inventory(std::string_view repository,
                                                       std::string_view digest) override;
  Result<MatchDiff> record_matches(const std::vector<ImageMatch>& batch, int64_t now,
                                   std::string_view changed_job) override;
  Result<void> set_report_digest(std::string_view repository, std::string_view digest,
                                 std::string_view report_digest) override;
  Result<std::optional<ImageScanRecord>> get_image_scan(std::string_view repository,
                                                        std::string_view digest) override;
  Result<std::vector<StoredFinding>> list_findings(std::string_view repository,
                                                   std::string_view digest,
                                                   bool include_resolved) override;
  Result<std::vector<StoredFinding>> overdue_findings(int64_t now, size_t limit) override;
  Result<std::vector<SeveritySummary>> findings_summary(int64_t now) override;

  // ProvenanceStore (sqlite_provenance.cc)
  Result<bool> put_provenance(const ProvenanceRecord& record) override;
  Result<std::optional<ProvenanceRecord>> get_provenance(std::string_view repository,
                                                         std::string_view digest) override;
  Result<std::vector<ImageRef>> list_images_to_verify(std::string_view fingerprint,
                                                      std::string& cursor, size_t limit) override;

  // PolicyStore (sqlite_policies.cc)
  Result<PolicyVersion> add_policy_version(const PolicyVersion& version) override;
  Result<std::optional<PolicyVersion>> current_policy(std::string_view scope) override;
  Result<std::optional<PolicyVersion>> get_policy_version(std::string_view scope,
                                                          int64_t version) override;
  Result<std::vector<PolicyVersion>> list_policy_versions(std::string_view scope) override;
  Result<int64_t> policy_generation() override;

  // DeploymentStore (sqlite_deployments.cc)
  Result<void> record_deployments(const std::vector<Deployment>& deployments,
                                  int64_t now) override;
  Result<std::vector<Deployment>> deployments_of(std::string_view digest) override;

  // EnforcementStore (sqlite_enforcement.cc)
  uint64_t enforcement_generation() const override {
    return enforcement_generation_.load(std::memory_order_acquire);
  }
  Result<std::string> manifest_pusher(std::string_view repository,
                                      std::string_view digest) override;
  Result<std::vector<ImageRef>> list_images(std::string_view prefix, std::string& cursor,
                                            size_t limit) override;
  Result<std::vector<ImageRef>> images_with_digest(std::string_view digest) override;
  Result<std::vector<ImageRef>> images_with_finding(std::string_view vulnerability) override;
  Result<std::vector<std::string>> parent_indexes(std::string_view repository,
                                                  std::string_view digest) override;
  Result<bool> put_image_policy(const ImagePolicyRecord& record) override;
  Result<std::optional<ImagePolicyRecord>> get_image_policy(std::string_view repository,
                                                            std::string_view digest) override;
  Result<bool> add_manual_quarantine(const ManualQuarantine& quarantine) override;
  Result<bool> release_manual_quarantine(std::string_view repository,
                                         std::string_view digest) override;
  Result<std::optional<ManualQuarantine>> get_manual_quarantine(std::string_view repository,
                                                                std::string_view digest) override;
  Result<std::vector<ManualQuarantine>> list_manual_quarantines(
      std::string_view repository) override;

 private:
  SqliteMetadataStore(std::string path, std::unique_ptr<sqlite::Db> writer);

  // Runs `body(db)` on a pooled read connection (definitions in store_internal.h).
  template <class F>
  auto with_reader(F&& body) -> decltype(body(std::declval<sqlite::Db&>()));
  // Runs `body(db)` in one write transaction, committed when body succeeds.
  template <class F>
  auto with_writer(F&& body) -> decltype(body(std::declval<sqlite::Db&>()));
  // with_writer for identity tables: a successful commit advances the identity generation.
  template <class F>
  auto with_identity_writer(F&& body) -> decltype(body(std::declval<sqlite::Db&>()));

  Result<std::unique_ptr<sqlite::Db>> acquire_reader();
  void release_reader(std::unique_ptr<sqlite::Db> db);

  const std::string path_;
  int migrations_applied_ = 0;

  std::unique_ptr<SharedCounter> identity_generation_;
  std::atomic<uint64_t> enforcement_generation_{0};  // advanced after enforcement writes

  std::mutex write_mu_;
  std::unique_ptr<sqlite::Db> writer_;  // guarded by write_mu_

  std::mutex pool_mu_;
  std::vector<std::unique_ptr<sqlite::Db>> idle_readers_;  // guarded by pool_mu_
};

}  // namespace bulwark::metadata
