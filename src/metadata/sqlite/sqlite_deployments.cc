// SqliteMetadataStore: the DeploymentStore part (the `deployments` table of schema version 11).
#include <string>

#include "metadata/sqlite/store_internal.h"

namespace bulwark::metadata {

Result<void> SqliteMetadataStore::record_deployments(const std::vector<Deployment>& deployments,
                                                     int64_t now) {
  if (deployments.empty()) return {};
  return with_writer([&](sqlite::Db& db) -> Result<void> {
    for (const Deployment& d : deployments) {
      BULWARK_ASSIGN_OR_RETURN(
          sqlite::Stmt upsert,
          db.prepare("INSERT INTO deployments (cluster, namespace, workload, image, repository, "
                     "digest, first_admitted, last_admitted) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                     "ON CONFLICT (cluster, namespace, workload, image) DO UPDATE SET "
                     "repository = excluded.repository, digest = excluded.digest, "
                     "last_admitted = excluded.last_admitted"));
      upsert.bind(d.cluster).bind(d.namespace_name).bind(d.workload).bind(d.image);
      upsert.bind(d.repository).bind(d.digest).bind(now);
      BULWARK_TRY_VOID(upsert.bind(now).run());
    }
    return {};
  });
}

Result<std::vector<Deployment>> SqliteMetadataStore::deployments_of(std::string_view digest) {
  return with_reader([&](sqlite::Db& db) -> Result<std::vector<Deployment>> {
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt query,
        db.prepare("SELECT cluster, namespace, workload, image, repository, digest, "
                   "first_admitted, last_admitted FROM deployments WHERE digest = ? "
                   "ORDER BY last_admitted DESC, cluster, namespace, workload, image"));
    query.bind(digest);
    std::vector<Deployment> out;
    for (;;) {
      BULWARK_ASSIGN_OR_RETURN(bool row, query.step());
      if (!row) break;
      Deployment d;
      d.cluster = query.column_text(0);
      d.namespace_name = query.column_text(1);
      d.workload = query.column_text(2);
      d.image = query.column_text(3);
      d.repository = query.column_text(4);
      d.digest = query.column_text(5);
      d.first_admitted = query.column_int(6);
      d.last_admitted = query.column_int(7);
      out.push_back(std::move(d));
    }
    return out;
  });
}

}  // namespace bulwark::metadata
