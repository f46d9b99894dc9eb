#include "partman/archive/archive_record.hpp"

#include <pqxx/pqxx>

#include "partman/core/errors.hpp"
#include "partman/core/names.hpp"

namespace partman::archive {

namespace {

// The columns of an archive row, as record_from_row reads them.
const char* const k_record_columns =
    "id, parent_schema, parent_table, partition_schema, partition_name, coalesce(bound_from, ''), "
    "coalesce(bound_to, ''), storage, coalesce(object_key, ''), coalesce(manifest_key, ''), state, rows, "
    "raw_bytes, stored_bytes, coalesce(sha256, ''), export_ms, verify_ms, coalesce(error, ''), "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "coalesce(to_char(dropped_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''), "
    "coalesce(bound, '')";

// Returns the field's value, or nothing when it is NULL.
template <typename T> std::optional<T> optional_field(const pqxx::field& f)
{
  return f.is_null() ? std::nullopt : std::optional<T>(f.as<T>());
}

// Returns the archive row `r` (its columns in the order of k_record_columns).
ArchiveRecord record_from_row(const pqxx::row& r)
{
  ArchiveRecord a;
  a.id = r[0].as<long long>();
  a.parent_schema = r[1].as<std::string>();
  a.parent_table = r[2].as<std::string>();
  a.partition_schema = r[3].as<std::string>();
  a.partition_name = r[4].as<std::string>();
  a.bound_from = r[5].as<std::string>();
  a.bound_to = r[6].as<std::string>();
  a.bound = r[20].as<std::string>();
  a.storage = r[7].as<std::string>();
  a.object_key = r[8].as<std::string>();
  a.manifest_key = r[9].as<std::string>();
  a.state = core::stored_archive_state(r[10].as<std::string>(), a.id);
  a.rows = optional_field<std::int64_t>(r[11]);
  a.raw_bytes = optional_field<std::int64_t>(r[12]);
  a.stored_bytes = optional_field<std::int64_t>(r[13]);
  a.sha256 = r[14].as<std::string>();
  a.export_ms = optional_field<double>(r[15]);
  a.verify_ms = optional_field<double>(r[16]);
  a.error = r[17].as<std::string>();
  a.created_at = r[18].as<std::string>();
  a.dropped_at = r[19].as<std::string>();
  return a;
}

} // namespace

std::vector<ArchiveRecord> list_archives(pqxx::connection& conn, const std::string& schema,
                                         const std::optional<std::pair<std::string, std::string>>& parent)
{
  pqxx::read_transaction tx(conn);
  const std::string sql = std::string("SELECT ") + k_record_columns + " FROM " + core::quote_ident(schema) +
                          ".archive WHERE $1::text IS NULL OR (parent_schema = $1 AND parent_table = $2) "
                          "ORDER BY id DESC";
  const auto r =
      parent ? tx.exec_params(sql, parent->first, parent->second) : tx.exec_params(sql, nullptr, nullptr);
  std::vector<ArchiveRecord> out;
  for (const auto& row : r)
    out.push_back(record_from_row(row));
  return out;
}

ArchiveRecord load_archive(pqxx::connection& conn, const std::string& schema, long long id)
{
  const std::string q = core::quote_ident(schema);
  pqxx::nontransaction tx(conn);
  const auto r =
      tx.exec_params(std::string("SELECT ") + k_record_columns + " FROM " + q + ".archive WHERE id = $1", id);
  if (r.empty())
    throw UsageError("there is no archive #" + std::to_string(id) +
                     "; HINT: 'partman archive list' shows the archives and their ids");
  return record_from_row(r[0]);
}

} // namespace partman::archive
