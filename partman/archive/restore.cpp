#include "partman/archive/restore.hpp"

#include <chrono>
#include <cstring>
#include <libpq-fe.h>
#include <pqxx/pqxx>
#include <random>
#include <thread>

#include "partman/archive/errors.hpp"
#include "partman/archive/table_copy.hpp"
#include "partman/core/backoff.hpp"
#include "partman/core/citus.hpp"
#include "partman/core/errors.hpp"
#include "partman/core/names.hpp"
#include "partman/core/planner.hpp"
#include "partman/db/citus_sql.hpp"
#include "partman/db/executor.hpp"
#include "partman/db/statement_block.hpp"

namespace partman::archive {

namespace {

// The libpq connection under a libpqxx transaction: libpqxx 6 keeps COPY FROM STDIN's raw data writer
// private, and restore feeds COPY whole decompressed chunks rather than one string per row.
struct RawConnection : pqxx::largeobject
{
  static PGconn* of(const pqxx::dbtransaction& tx) { return raw_connection(tx); }
};

// A COPY ... FROM STDIN on a transaction's connection, fed raw COPY text in chunks of any size. Destroyed
// before finish(), it ends the COPY with an error, which aborts the transaction.
class CopyIn
{
public:
  CopyIn(pqxx::dbtransaction& tx, const std::string& sql) : m_conn(RawConnection::of(tx))
  {
    PGresult* r = PQexec(m_conn, sql.c_str());
    const bool ok = PQresultStatus(r) == PGRES_COPY_IN;
    const std::string error = PQresultErrorMessage(r);
    PQclear(r);
    if (!ok)
      throw ArchiveError("cannot start the restore's COPY: " + error);
  }
  ~CopyIn()
  {
    if (!m_done) {
      PQputCopyEnd(m_conn, "partman: restore stopped");
      drain();
    }
  }
  CopyIn(const CopyIn&) = delete;
  CopyIn& operator=(const CopyIn&) = delete;

  void write(const char* data, std::size_t size)
  {
    if (PQputCopyData(m_conn, data, static_cast<int>(size)) != 1)
      throw ArchiveError(std::string("COPY failed: ") + PQerrorMessage(m_conn));
  }

  // Ends the COPY; returns the rows it took, or throws with the server's error.
  std::uint64_t finish()
  {
    m_done = true;
    if (PQputCopyEnd(m_conn, nullptr) != 1)
      throw ArchiveError(std::string("COPY failed: ") + PQerrorMessage(m_conn));
    return drain();
  }

private:
  // Reads the COPY's results; returns its row count, or throws the first error.
  std::uint64_t drain()
  {
    std::string error;
    std::uint64_t rows = 0;
    while (PGresult* r = PQgetResult(m_conn)) {
      if (PQresultStatus(r) == PGRES_COMMAND_OK)
        rows = std::strtoull(PQcmdTuples(r), nullptr, 10);
      else if (error.empty())
        error = PQresultErrorMessage(r);
      PQclear(r);
    }
    if (!error.empty() && m_done)
      throw ArchiveError("COPY into the restored table failed: " + error);
    return rows;
  }

  PGconn* m_conn;
  bool m_done = false;
};

// Resolves where a restore goes: --into as SQL writes it (one part: the partition's schema), or the
// partition's own name.
std::pair<std::string, std::string> restore_target(pqxx::connection& conn, const ArchiveRecord& a,
                                                   const std::string& into)
{
  if (into.empty())
    return {a.partition_schema, a.partition_name};
  pqxx::nontransaction tx(conn);
  pqxx::result r;
  try {
    r = tx.exec_params("SELECT unnest(parse_ident($1))", into);
  } catch (const pqxx::sql_error& e) {
    throw UsageError("--into: invalid table name '" + into + "'; HINT: write it as SQL does: schema.table");
  }
  if (r.size() == 1)
    return {a.partition_schema, r[0][0].as<std::string>()};
  if (r.size() == 2)
    return {r[0][0].as<std::string>(), r[1][0].as<std::string>()};
  throw UsageError("--into: invalid table name '" + into + "'; HINT: write it as SQL does: schema.table");
}

// Returns a recorded bound as SQL: MINVALUE and MAXVALUE as they are, a value as a literal.
std::string bound_sql(const std::string& bound)
{
  return bound == "MINVALUE" || bound == "MAXVALUE" ? bound : core::quote_literal(bound);
}

// The waits between attempts to attach a restored table: 200 ms doubling up to 1 s, plus jitter.
constexpr core::Backoff k_attach_backoff{200, 1000};

// Attaches the restored table to its parent under lock_timeout (on the workers too for a Citus parent,
// `citus`), retrying lock conflicts a few times.
void attach_restored(pqxx::connection& conn, const ArchiveRecord& a, const std::string& table, int retries,
                     bool citus)
{
  const std::string parent = core::quote_qualified(a.parent_schema, a.parent_table);
  std::mt19937 rng(std::random_device{}());
  for (int attempt = 1;; ++attempt) {
    try {
      pqxx::work tx(conn);
      int messages = 0;
      for (const auto& s : citus ? db::with_worker_timeouts(tx, {}, messages) : std::vector<std::string>{})
        tx.exec(s);
      tx.exec(core::lock_sql(a.parent_schema, a.parent_table, "SHARE UPDATE EXCLUSIVE"));
      const auto def = tx.exec_params(
          "SELECT n.nspname, c.relname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partdefid "
          "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE p.partrelid = $1::regclass",
          parent);
      if (!def.empty())
        tx.exec(core::lock_sql(def[0][0].as<std::string>(), def[0][1].as<std::string>(), "ACCESS EXCLUSIVE"));
      tx.exec("ALTER TABLE " + parent + " ATTACH PARTITION " + table + " " +
              (a.bound.empty()
                   ? "FOR VALUES FROM (" + bound_sql(a.bound_from) + ") TO (" + bound_sql(a.bound_to) + ")"
                   : a.bound));
      tx.commit();
      return;
    } catch (const pqxx::sql_error& e) {
      if (!db::is_lock_conflict(e) || attempt > retries)
        throw ArchiveError("restored " + table + ", but it could not be attached to " + parent + ": " +
                           e.what() +
                           "HINT: the table is kept; attach it yourself, or rerun restore with "
                           "--into elsewhere after dropping it");
      std::this_thread::sleep_for(
          std::chrono::milliseconds(core::backoff_ms(k_attach_backoff, attempt, rng)));
    }
  }
}

} // namespace

RestoreResult restore_archive(pqxx::connection& conn, const std::string& schema, long long id,
                              const RestoreOptions& options)
{
  const ArchiveRecord a = load_archive(conn, schema, id);
  if (!core::has_complete_copy(a.state))
    throw UsageError("archive #" + std::to_string(id) + " is at '" + core::to_string(a.state) +
                     "' and has no complete copy; HINT: its table " + table_of(a) +
                     " is still in the database; 'partman apply' finishes the archive");
  if (options.attach && a.bound_from.empty() && a.bound.empty())
    throw UsageError("archive #" + std::to_string(id) +
                     " does not record its bounds, so it cannot be attached; HINT: restore it without "
                     "--attach and attach it yourself");
  const auto target = restore_target(conn, a, options.into);
  RestoreResult result;
  result.table = core::quote_qualified(target.first, target.second);
  auto storage = open_storage(a.storage);
  const std::vector<Column> columns =
      parse_manifest(storage->get(a.manifest_key), storage->uri(a.manifest_key));

  pqxx::work tx(conn);
  core::Distribution distribution; // the parent's, when the restore attaches to it
  if (!tx.exec_params("SELECT 1 FROM pg_class WHERE oid = to_regclass($1)", result.table).empty())
    throw UsageError("table " + result.table +
                     " already exists; HINT: pass --into SCHEMA.TABLE to restore "
                     "archive #" +
                     std::to_string(id) + " under another name");
  if (options.attach) {
    const std::string parent = core::quote_qualified(a.parent_schema, a.parent_table);
    if (tx.exec_params("SELECT to_regclass($1)", parent)[0][0].is_null())
      throw UsageError("the parent " + parent + " no longer exists; HINT: restore without --attach");
    tx.exec(core::create_like_sql(result.table, parent));
    // Of a distributed parent, the rows go to the workers' shards, not into a coordinator table that the
    // attach would copy out and leave behind.
    distribution = db::read_distribution(tx, parent);
    if (!distribution.column.empty())
      tx.exec(core::distribute_sql(result.table, distribution.column, parent));
  } else {
    // The manifest comes from storage: each type must be one type name of this database, and the
    // statement goes through the extended protocol (one statement only).
    for (const auto& c : columns) {
      bool known = false;
      try {
        pqxx::subtransaction check(tx, "partman_type");
        known = !check.exec_params("SELECT to_regtype($1)", c.type)[0][0].is_null();
        check.commit();
      } catch (const pqxx::sql_error&) {
      }
      if (!known)
        throw ArchiveError("the manifest " + storage->uri(a.manifest_key) + " gives column " +
                           core::quote_ident(c.name) + " the type '" + c.type +
                           "', which is no type name of this database; nothing was restored");
    }
    tx.exec_params(create_table_sql(result.table, columns));
  }
  {
    CopyIn copy(tx, "COPY " + result.table + " (" + column_list(columns) + ") FROM STDIN");
    std::uint64_t lines = 0;
    char last = '\n';
    Progress progress("restore " + storage->uri(a.object_key) + " into " + result.table,
                      static_cast<std::uint64_t>(a.stored_bytes.value_or(0)));
    read_checked(*storage, a, progress, [&](const char* data, std::size_t size) {
      lines += count_newlines(data, size);
      last = data[size - 1];
      copy.write(data, size);
    });
    if (last != '\n')
      throw ArchiveError("the copy in " + storage->uri(a.object_key) + " ends inside a row (truncated)");
    result.rows = copy.finish();
    if (result.rows != lines || static_cast<std::int64_t>(result.rows) != a.rows.value_or(-1))
      throw ArchiveError("COPY took " + std::to_string(result.rows) + " rows from " + std::to_string(lines) +
                         " lines of " + storage->uri(a.object_key) + ", and archive #" + std::to_string(id) +
                         " holds " + std::to_string(a.rows.value_or(-1)) + "; nothing was restored");
    progress.finish(std::to_string(result.rows) + " rows");
  }
  tx.commit();
  if (options.attach) {
    attach_restored(conn, a, result.table, options.attach_retries, distribution.citus);
    result.attached = true;
  }
  return result;
}

} // namespace partman::archive
