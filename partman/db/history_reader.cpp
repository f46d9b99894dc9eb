#include "partman/db/history_reader.hpp"

#include <pqxx/pqxx>

#include "partman/core/names.hpp"

namespace partman::db {

void read_unfinished(pqxx::transaction_base& tx, const std::string& schema,
                     std::vector<core::ParentSnapshot>& out)
{
  const std::string history = core::quote_ident(schema) + ".history";
  const auto rows = tx.exec(
      "WITH h AS MATERIALIZED (SELECT * FROM " + history +
      " WHERE outcome IN ('started', 'failed', 'deferred') AND applied_at > now() - interval '30 days') "
      // the latest removal of each partition in the last 30 days, where it did not end well
      "SELECT 'i', h.parent_schema, h.parent_table, h.partition_schema, h.partition_name, 0::bigint, '', "
      "false, false FROM h WHERE h.action IN ('drop', 'detach', 'finalize-detach') AND h.partition_schema = "
      "h.parent_schema AND NOT EXISTS (SELECT 1 FROM " +
      history +
      " o WHERE o.parent_schema = h.parent_schema AND o.parent_table = h.parent_table AND o.partition_name = "
      "h.partition_name AND o.action IN ('drop', 'detach', 'finalize-detach') AND o.partition_schema = "
      "o.parent_schema AND o.applied_at > now() - interval '30 days' AND o.id > h.id) "
      // a create recorded as 'started' (only those beside a default partition are) with no successful
      // create of that table after it, whose table exists and is not a partition
      "UNION SELECT 'm', h.parent_schema, h.parent_table, h.partition_schema, h.partition_name, 0::bigint, "
      "'', false, false FROM h JOIN pg_class c ON c.relname = h.partition_name AND c.relnamespace = (SELECT "
      "oid FROM pg_namespace WHERE nspname = h.partition_schema) WHERE h.action = 'create' AND h.outcome = "
      "'started' AND c.relkind = 'r' AND NOT c.relispartition AND NOT EXISTS (SELECT 1 FROM " +
      history +
      " o WHERE o.parent_schema = h.parent_schema AND o.parent_table = h.parent_table AND o.partition_name = "
      "h.partition_name AND o.action = 'create' AND o.outcome = 'ok' AND o.id > h.id) "
      "UNION ALL SELECT 'a', a.parent_schema, a.parent_table, a.partition_schema, a.partition_name, a.id, "
      "a.state, c.oid IS NOT NULL, c.relispartition FROM " +
      core::quote_ident(schema) +
      ".archive a LEFT JOIN pg_namespace n ON n.nspname = a.partition_schema LEFT JOIN pg_class c ON "
      "c.relnamespace = n.oid AND c.relname = a.partition_name WHERE a.state <> " +
      core::archive_state_sql(core::ArchiveState::dropped) + " ORDER BY 1, 6, 5");
  for (const auto& row : rows) {
    for (auto& ps : out) {
      if (ps.schema != row[1].as<std::string>() || ps.table != row[2].as<std::string>())
        continue;
      const std::string kind = row[0].as<std::string>();
      if (kind == "i") {
        ps.interrupted.push_back(row[4].as<std::string>());
        continue;
      }
      if (kind == "m") {
        ps.unfinished_moves.push_back(row[4].as<std::string>());
        continue;
      }
      core::PendingArchive pa;
      pa.id = row[5].as<long long>();
      pa.schema = row[3].as<std::string>();
      pa.name = row[4].as<std::string>();
      pa.state = core::stored_archive_state(row[6].as<std::string>(), pa.id);
      pa.table_exists = row[7].as<bool>();
      pa.attached = !row[8].is_null() && row[8].as<bool>();
      ps.archives.push_back(std::move(pa));
    }
  }
}

} // namespace partman::db
