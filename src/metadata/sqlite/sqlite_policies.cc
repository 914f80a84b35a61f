// SqliteMetadataStore: the PolicyStore part (the `policy_documents` table of schema version 10).
// Versions are appended, never updated: the next number is taken inside the write transaction,
// which writers hold one at a time, so two concurrent changes of one scope get 1 and 2.
#include <string>

#include "common/clock.h"
#include "metadata/sqlite/store_internal.h"

namespace bulwark::metadata {
namespace {

constexpr std::string_view kColumns =
    "scope, version, document, author, comment, restored_from, created_at";

PolicyVersion policy_from_row(const sqlite::Stmt& row) {
  PolicyVersion out;
  out.scope = row.column_text(0);
  out.version = row.column_int(1);
  out.document = row.column_text(2);
  out.author = row.column_text(3);
  out.comment = row.column_text(4);
  if (!row.column_is_null(5)) out.restored_from = row.column_int(5);
  out.created_at = row.column_int(6);
  return out;
}

}  // namespace

Result<PolicyVersion> SqliteMetadataStore::add_policy_version(const PolicyVersion& version) {
  return with_writer([&](sqlite::Db& db) -> Result<PolicyVersion> {
    if (version.restored_from) {
      BULWARK_ASSIGN_OR_RETURN(
          sqlite::Stmt exists,
          db.prepare("SELECT 1 FROM policy_documents WHERE scope = ? AND version = ?"));
      BULWARK_ASSIGN_OR_RETURN(bool found,
                               exists.bind(version.scope).bind(*version.restored_from).step());
      if (!found) {
        return fail(ErrorCode::kNotFound, "no version " + std::to_string(*version.restored_from) +
                                              " of " + version.scope + "'s policy");
      }
    }
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt next,
        db.prepare("SELECT COALESCE(MAX(version), 0) + 1 FROM policy_documents WHERE scope = ?"));
    BULWARK_ASSIGN_OR_RETURN(bool row, next.bind(version.scope).step());
    if (!row) return fail(ErrorCode::kInternal, "no next policy version");
    PolicyVersion out = version;
    out.version = next.column_int(0);
    out.created_at = unix_seconds();
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt insert,
        db.prepare("INSERT INTO policy_documents (" + std::string(kColumns) +
                   ") VALUES (?, ?, ?, ?, ?, ?, ?)"));
    insert.bind(out.scope).bind(out.version).bind(out.document).bind(out.author).bind(out.comment);
    if (out.restored_from) {
      insert.bind(*out.restored_from);
    } else {
      insert.bind(std::nullopt);
    }
    BULWARK_TRY_VOID(insert.bind(out.created_at).run());
    return out;
  });
}

Result<std::optional<PolicyVersion>> SqliteMetadataStore::current_policy(std::string_view scope) {
  return with_reader([&](sqlite::Db& db) -> Result<std::optional<PolicyVersion>> {
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt query,
        db.prepare("SELECT " + std::string(kColumns) +
                   " FROM policy_documents WHERE scope = ? ORDER BY version DESC LIMIT 1"));
    BULWARK_ASSIGN_OR_RETURN(bool row, query.bind(scope).step());
    if (!row) return std::optional<PolicyVersion>();
    return std::optional<PolicyVersion>(policy_from_row(query));
  });
}

Result<std::optional<PolicyVersion>> SqliteMetadataStore::get_policy_version(
    std::string_view scope, int64_t version) {
  return with_reader([&](sqlite::Db& db) -> Result<std::optional<PolicyVersion>> {
    BULWARK_ASSIGN_OR_RETURN(sqlite::Stmt query,
                             db.prepare("SELECT " + std::string(kColumns) +
                                        " FROM policy_documents WHERE scope = ? AND version = ?"));
    BULWARK_ASSIGN_OR_RETURN(bool row, query.bind(scope).bind(version).step());
    if (!row) return std::optional<PolicyVersion>();
    return std::optional<PolicyVersion>(policy_from_row(query));
  });
}

Result<std::vector<PolicyVersion>> SqliteMetadataStore::list_policy_versions(
    std::string_view scope) {
  return with_reader([&](sqlite::Db& db) -> Result<std::vector<PolicyVersion>> {
    BULWARK_ASSIGN_OR_RETURN(
        sqlite::Stmt query,
        db.prepare("SELECT " + std::string(kColumns) +
                   " FROM policy_documents WHERE scope = ? ORDER BY version DESC"));
    query.bind(scope);
    return sqlite::collect_rows<PolicyVersion>(query, policy_from_row);
  });
}

Result<int64_t> SqliteMetadataStore::policy_generation() {
  // Rows are never updated or deleted, so their count changes with every added version (and
  // only then); it also survives restarts, unlike an in-memory counter.
  return with_reader([&](sqlite::Db& db) -> Result<int64_t> {
    BULWARK_ASSIGN_OR_RETURN(sqlite::Stmt query,
                             db.prepare("SELECT COUNT(*) FROM policy_documents"));
    BULWARK_ASSIGN_OR_RETURN(bool row, query.step());
    if (!row) return int64_t{0};
    return query.column_int(0);
  });
}

}  // namespace bulwark::metadata
