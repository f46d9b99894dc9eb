#include "partman/archive/archiver.hpp"

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <libpq-fe.h>
#include <mutex>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <random>
#include <spdlog/spdlog.h>
#include <thread>

#include "partman/archive/codec.hpp"
#include "partman/archive/manifest.hpp"
#include "partman/archive/progress.hpp"
#include "partman/archive/storage.hpp"
#include "partman/core/errors.hpp"
#include "partman/core/names.hpp"
#include "partman/core/planner.hpp"
#include "partman/core/status.hpp"
#include "partman/db/executor.hpp"

namespace partman::archive {

namespace {

// zstd level 3 keeps pace with COPY on one core and beats pg_dump -Fc's size (see tests/bench/archive.sh).
constexpr int k_zstd_level = 3;
// Bytes of COPY text handed from the reading thread to the compressing one at a time.
constexpr std::size_t k_chunk = 1 << 20;
// Chunks in flight between the two: memory stays at about k_chunk * (k_queue + 2).
constexpr std::size_t k_queue = 4;

const char* const k_record_columns =
    "id, parent_schema, parent_table, partition_schema, partition_name, coalesce(bound_from, ''), "
    "coalesce(bound_to, ''), storage, coalesce(object_key, ''), coalesce(manifest_key, ''), state, rows, "
    "raw_bytes, stored_bytes, coalesce(sha256, ''), export_ms, verify_ms, coalesce(error, ''), "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "coalesce(to_char(dropped_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''), "
    "coalesce(bound, '')";

template <typename T> std::optional<T> optional_field(const pqxx::field& f)
{
  return f.is_null() ? std::nullopt : std::optional<T>(f.as<T>());
}

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
  a.state = r[10].as<std::string>();
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

std::uint64_t count_newlines(const char* data, std::size_t size)
{
  std::uint64_t n = 0;
  const char* const end = data + size;
  while ((data = static_cast<const char*>(std::memchr(data, '\n', static_cast<std::size_t>(end - data))))) {
    ++n;
    ++data;
  }
  return n;
}

double ms_since(std::chrono::steady_clock::time_point t)
{
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

std::string table_of(const ArchiveRecord& a)
{
  return core::quote_qualified(a.partition_schema, a.partition_name);
}

std::vector<Column> table_columns(pqxx::transaction_base& tx, const std::string& table_sql)
{
  const auto r =
      tx.exec_params("SELECT attname, format_type(atttypid, atttypmod), attnotnull FROM pg_attribute "
                     "WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND "
                     "attgenerated = '' ORDER BY attnum",
                     table_sql);
  std::vector<Column> out;
  for (const auto& row : r)
    out.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<bool>()});
  return out;
}

std::string column_list(const std::vector<Column>& columns)
{
  std::string out;
  for (const auto& c : columns)
    out += (out.empty() ? "" : ", ") + core::quote_ident(c.name);
  return out;
}

// Returns CREATE TABLE for the columns, without constraints beyond NOT NULL (what a restore as a plain
// table needs; an attached restore takes its shape from the parent instead).
std::string create_table_sql(const std::string& table_sql, const std::vector<Column>& columns)
{
  std::string out = "CREATE TABLE " + table_sql + " (";
  for (std::size_t i = 0; i < columns.size(); ++i)
    out += (i ? ", " : "") + core::quote_ident(columns[i].name) + " " + columns[i].type +
           (columns[i].not_null ? " NOT NULL" : "");
  return out + ")";
}

// Strings passed from the thread reading COPY to the one compressing and storing, at most k_queue at once.
class Channel
{
public:
  // Blocks while full; returns false when the consumer has stopped.
  bool push(std::string chunk)
  {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_space.wait(lock, [&] { return m_items.size() < k_queue || m_stopped; });
    if (m_stopped)
      return false;
    m_items.push_back(std::move(chunk));
    m_ready.notify_one();
    return true;
  }
  // Returns false at the end (close() and nothing left).
  bool pop(std::string& out)
  {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_ready.wait(lock, [&] { return !m_items.empty() || m_closed; });
    if (m_items.empty())
      return false;
    out = std::move(m_items.front());
    m_items.pop_front();
    m_space.notify_one();
    return true;
  }
  void close()
  {
    const std::lock_guard<std::mutex> lock(m_mutex);
    m_closed = true;
    m_ready.notify_all();
  }
  // The consumer gives up: producers stop waiting.
  void stop()
  {
    const std::lock_guard<std::mutex> lock(m_mutex);
    m_stopped = true;
    m_space.notify_all();
  }
  // Returns a spent buffer for reuse, or an empty one.
  std::string recycled()
  {
    const std::lock_guard<std::mutex> lock(m_mutex);
    if (m_free.empty())
      return {};
    std::string s = std::move(m_free.back());
    m_free.pop_back();
    return s;
  }
  void recycle(std::string s)
  {
    s.clear();
    const std::lock_guard<std::mutex> lock(m_mutex);
    if (m_free.size() < k_queue)
      m_free.push_back(std::move(s));
  }

private:
  std::mutex m_mutex;
  std::condition_variable m_ready, m_space;
  std::deque<std::string> m_items;
  std::vector<std::string> m_free;
  bool m_closed = false;
  bool m_stopped = false;
};

struct ExportResult
{
  std::uint64_t rows = 0;
  std::uint64_t raw_bytes = 0;
  std::uint64_t stored_bytes = 0;
  std::string sha256;
  std::vector<Column> columns;
};

// Streams the table out with COPY (text format) through zstd and SHA-256 into the object `key`, in `tx`; the
// reading and the compressing run on two threads so neither waits for the other. Commits the object only
// when the whole table went through.
ExportResult export_table(pqxx::transaction_base& tx, Storage& storage, const ArchiveRecord& a,
                          const std::string& key)
{
  const std::string table = table_of(a);
  ExportResult out;
  out.columns = table_columns(tx, table);
  // A sub-partitioned partition: its rows are in its partitions, which COPY reads through a query.
  const auto facts =
      tx.exec_params("SELECT (SELECT relkind = 'p' FROM pg_class WHERE oid = $1::regclass), "
                     "coalesce((SELECT sum(pg_relation_size(relid))::bigint FROM pg_partition_tree($1)), "
                     "pg_relation_size($1::regclass))",
                     table)[0];
  const bool partitioned = facts[0].as<bool>();
  const auto size_hint = facts[1].as<std::uint64_t>();
  auto writer = storage.open_write(key);
  Sha256 sha;
  Progress progress("export " + table + " to " + storage.uri(key), size_hint);
  Channel channel;
  std::exception_ptr failure;
  std::thread compressing([&] {
    try {
      Compressor zstd(k_zstd_level, [&](const char* data, std::size_t size) {
        sha.update(data, size);
        writer->write(data, size);
        out.stored_bytes += size;
      });
      std::string chunk;
      while (channel.pop(chunk)) {
        zstd.write(chunk.data(), chunk.size());
        channel.recycle(std::move(chunk));
      }
      zstd.finish();
    } catch (...) {
      failure = std::current_exception();
      channel.stop();
    }
  });
  bool consumer_alive = true;
  try {
    // libpqxx 6 runs "COPY <what> TO STDOUT": a table with its columns, or a query in parentheses.
    pqxx::stream_from copy(tx, partitioned ? "(SELECT " + column_list(out.columns) + " FROM " + table + ")"
                                           : table + " (" + column_list(out.columns) + ")");
    std::string line;
    std::string chunk;
    chunk.reserve(k_chunk + 64 * 1024);
    while (copy.get_raw_line(line)) {
      chunk.append(line);
      if (line.empty() || line.back() != '\n') // libpqxx 6.4 keeps the row's newline; others strip it
        chunk.push_back('\n');
      ++out.rows;
      if (chunk.size() >= k_chunk) {
        out.raw_bytes += chunk.size();
        // After a failure downstream the rest of the COPY is read and dropped, leaving the session usable.
        if (consumer_alive)
          consumer_alive = channel.push(std::move(chunk));
        chunk = channel.recycled();
        chunk.clear();
        chunk.reserve(k_chunk + 64 * 1024);
        progress.update(out.raw_bytes);
      }
    }
    copy.complete();
    out.raw_bytes += chunk.size();
    if (consumer_alive && !chunk.empty())
      channel.push(std::move(chunk));
  } catch (...) {
    channel.close();
    channel.stop();
    compressing.join();
    throw;
  }
  channel.close();
  compressing.join();
  if (failure)
    std::rethrow_exception(failure);
  writer->commit();
  out.sha256 = sha.hex();
  progress.finish(std::to_string(out.rows) + " rows, " + core::human_bytes(out.raw_bytes) +
                  " as COPY text, " + core::human_bytes(out.stored_bytes) + " stored");
  return out;
}

std::string manifest_json(const ArchiveRecord& a, const ExportResult& e, const std::string& object_uri)
{
  nlohmann::json columns = nlohmann::json::array();
  for (const auto& c : e.columns)
    columns.push_back({{"name", c.name}, {"type", c.type}, {"not_null", c.not_null}});
  const std::string table = table_of(a);
  const nlohmann::json doc = {
      {"format", "partman-archive"},
      {"version", k_manifest_version},
      {"partman_version", PARTMAN_VERSION},
      {"archive_id", a.id},
      {"parent", {{"schema", a.parent_schema}, {"table", a.parent_table}}},
      {"partition", {{"schema", a.partition_schema}, {"name", a.partition_name}}},
      {"bounds", a.bound_from.empty() ? nlohmann::json(nullptr)
                                      : nlohmann::json{{"from", a.bound_from}, {"to", a.bound_to}}},
      {"columns", columns},
      {"ddl", create_table_sql(table, e.columns)},
      {"data",
       {{"uri", object_uri},
        {"encoding", "PostgreSQL COPY text format (tab-separated, \\N for NULL), one row per line, UTF-8"},
        {"copy_columns", column_list(e.columns)},
        {"compression", "zstd"},
        {"rows", e.rows},
        {"raw_bytes", e.raw_bytes},
        {"stored_bytes", e.stored_bytes},
        {"sha256", e.sha256}}},
      {"restore_by_hand",
       "psql -c " + core::quote_literal(create_table_sql(table, e.columns)) + " && zstd -dc FILE | psql -c " +
           core::quote_literal("\\copy " + table + " (" + column_list(e.columns) + ") FROM STDIN")}};
  return doc.dump(2) + "\n";
}

// Reads object `a.object_key` whole, hashing every byte it stores and passing what it decompresses to
// `decoded`; throws ArchiveError when the checksum is not `a.sha256` (checked first, so a damaged copy is
// reported as such even where zstd fails before its end) or the data is not zstd. Returns the bytes read.
std::uint64_t read_checked(Storage& storage, const ArchiveRecord& a, Progress& progress,
                           const ByteSink& decoded)
{
  Sha256 sha;
  std::uint64_t stored = 0;
  Decompressor zstd(decoded);
  std::string undecodable;
  storage.read(a.object_key, [&](const char* data, std::size_t size) {
    sha.update(data, size);
    stored += size;
    if (undecodable.empty()) {
      try {
        zstd.write(data, size);
      } catch (const std::runtime_error& e) {
        undecodable = e.what();
      }
    }
    progress.update(stored);
  });
  if (undecodable.empty()) {
    try {
      zstd.finish();
    } catch (const std::runtime_error& e) {
      undecodable = e.what();
    }
  }
  const std::string digest = sha.hex();
  if (digest != a.sha256)
    throw ArchiveError("checksum mismatch in " + storage.uri(a.object_key) + ": stored " + digest +
                       ", expected " + a.sha256);
  if (!undecodable.empty())
    throw ArchiveError(storage.uri(a.object_key) + ": " + undecodable);
  return stored;
}

// Reads the object back: its SHA-256 and size must be what was stored and its rows what was counted.
void verify_object(Storage& storage, const ArchiveRecord& a)
{
  std::uint64_t lines = 0;
  Progress progress("verify " + storage.uri(a.object_key),
                    static_cast<std::uint64_t>(a.stored_bytes.value_or(0)));
  const std::uint64_t stored =
      read_checked(storage, a, progress,
                   [&lines](const char* data, std::size_t size) { lines += count_newlines(data, size); });
  if (static_cast<std::int64_t>(stored) != a.stored_bytes.value_or(-1) ||
      static_cast<std::int64_t>(lines) != a.rows.value_or(-1))
    throw ArchiveError("the copy in " + storage.uri(a.object_key) + " has " + std::to_string(lines) +
                       " rows in " + std::to_string(stored) + " bytes, expected " +
                       std::to_string(a.rows.value_or(-1)) + " rows in " +
                       std::to_string(a.stored_bytes.value_or(-1)));
  progress.finish("checksum and " + std::to_string(lines) + " rows match");
}

// Records that archive `id` failed at a step; the next run starts again from the export.
void record_failure(pqxx::connection& conn, const std::string& q, long long id, const std::string& error)
{
  pqxx::nontransaction tx(conn);
  tx.exec_params("UPDATE " + q +
                     ".archive SET state = 'failed', error = $2, updated_at = now() WHERE id = $1",
                 id, error);
}

ArchiveRecord load_record(pqxx::connection& conn, const std::string& q, long long id)
{
  pqxx::nontransaction tx(conn);
  const auto r =
      tx.exec_params(std::string("SELECT ") + k_record_columns + " FROM " + q + ".archive WHERE id = $1", id);
  if (r.empty())
    throw UsageError("there is no archive #" + std::to_string(id) +
                     "; HINT: 'partman archive list' shows the archives and their ids");
  return record_from_row(r[0]);
}

} // namespace

void run_archive(pqxx::connection& conn, const std::string& schema, long long id)
{
  const std::string q = core::quote_ident(schema);
  ArchiveRecord a = load_record(conn, q, id);
  if (a.state == "dropped")
    return;
  const std::string table = table_of(a);
  {
    pqxx::nontransaction tx(conn);
    const auto r =
        tx.exec_params("SELECT c.relispartition FROM pg_class c WHERE c.oid = to_regclass($1)", table);
    if (r.empty())
      throw ArchiveError("the table " + table + " of archive #" + std::to_string(id) + " no longer exists");
    if (r[0][0].as<bool>())
      throw ArchiveError("the table " + table + " of archive #" + std::to_string(id) +
                         " is still a partition; it must be detached first");
  }
  auto storage = open_storage(a.storage);
  // Names become keys and file names: each is encoded, so no name can leave the folder or be refused.
  const std::string base = key_segment(a.parent_schema) + "/" + key_segment(a.parent_table) + "/" +
                           key_segment(a.partition_name) + "." + std::to_string(a.id);
  a.object_key = base + ".copy.zst";
  a.manifest_key = base + ".manifest.json";
  try {
    storage->size(a.manifest_key); // unreachable storage fails here, before the table is read
    if (a.state == "failed") {
      pqxx::nontransaction tx(conn);
      tx.exec_params("UPDATE " + q + ".archive SET state = 'detached', updated_at = now() WHERE id = $1", id);
    }
    // One transaction from the export to the drop: the SHARE lock, taken before the export reads anything,
    // blocks every write to the table (INSERT, UPDATE, DELETE, TRUNCATE, ATTACH) until the drop, so what is
    // dropped is exactly what was exported and verified. A run stopped anywhere before the commit leaves the
    // table and its archive row as they were, and the next run exports it again.
    pqxx::work tx(conn);
    tx.exec("SET LOCAL idle_in_transaction_session_timeout = 0"); // storage is read while this is open
    tx.exec("LOCK TABLE " + table + " IN SHARE MODE");
    const auto exported_at = std::chrono::steady_clock::now();
    const ExportResult e = export_table(tx, *storage, a, a.object_key);
    storage->put(a.manifest_key, manifest_json(a, e, storage->uri(a.object_key)));
    a.rows = static_cast<std::int64_t>(e.rows);
    a.stored_bytes = static_cast<std::int64_t>(e.stored_bytes);
    a.sha256 = e.sha256;
    const double export_ms = ms_since(exported_at);
    const auto verified_at = std::chrono::steady_clock::now();
    verify_object(*storage, a);
    const double verify_ms = ms_since(verified_at);
    // Not ONLY: a sub-partitioned partition's partitions go with it (a plain table has none).
    tx.exec("LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE");
    tx.exec("DROP TABLE " + table);
    tx.exec_params("UPDATE " + q +
                       ".archive SET state = 'dropped', object_key = $2, manifest_key = $3, rows = $4, "
                       "raw_bytes = $5, stored_bytes = $6, sha256 = $7, export_ms = $8, verify_ms = $9, "
                       "error = NULL, dropped_at = now(), updated_at = now() WHERE id = $1",
                   id, a.object_key, a.manifest_key, e.rows, e.raw_bytes, e.stored_bytes, e.sha256, export_ms,
                   verify_ms);
    tx.commit();
  } catch (const StorageError& e) {
    record_failure(conn, q, id, e.what());
    throw ArchiveError(e.what());
  } catch (const ArchiveError& e) {
    record_failure(conn, q, id, e.what());
    throw;
  } catch (const pqxx::broken_connection&) {
    throw; // nothing can be recorded; the caller reconnects, and the next run exports the table again
  } catch (const pqxx::sql_error& e) {
    record_failure(conn, q, id, e.what());
    throw; // the database's own errors are the caller's (retries of lock conflicts)
  } catch (const std::exception& e) {
    if (dynamic_cast<const pqxx::failure*>(&e))
      throw;
    record_failure(conn, q, id, e.what());
    throw ArchiveError(e.what());
  }
  spdlog::info("archive #{}: {} dropped after its copy in {} was verified", id, table,
               storage->uri(a.object_key));
}

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
  return load_record(conn, core::quote_ident(schema), id);
}

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

// Attaches the restored table to its parent under lock_timeout, retrying lock conflicts a few times.
void attach_restored(pqxx::connection& conn, const ArchiveRecord& a, const std::string& table, int retries)
{
  const std::string parent = core::quote_qualified(a.parent_schema, a.parent_table);
  std::mt19937 rng(std::random_device{}());
  for (int attempt = 1;; ++attempt) {
    try {
      pqxx::work tx(conn);
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
          std::chrono::milliseconds(200 * attempt + std::uniform_int_distribution<int>(0, 100)(rng)));
    }
  }
}

} // namespace

RestoreResult restore_archive(pqxx::connection& conn, const std::string& schema, long long id,
                              const RestoreOptions& options)
{
  const ArchiveRecord a = load_record(conn, core::quote_ident(schema), id);
  if (a.state != "written" && a.state != "verified" && a.state != "dropped")
    throw UsageError("archive #" + std::to_string(id) + " is at '" + a.state +
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
  if (!tx.exec_params("SELECT 1 FROM pg_class WHERE oid = to_regclass($1)", result.table).empty())
    throw UsageError("table " + result.table +
                     " already exists; HINT: pass --into SCHEMA.TABLE to restore "
                     "archive #" +
                     std::to_string(id) + " under another name");
  if (options.attach) {
    if (tx.exec_params("SELECT to_regclass($1)", core::quote_qualified(a.parent_schema, a.parent_table))[0][0]
            .is_null())
      throw UsageError("the parent " + core::quote_qualified(a.parent_schema, a.parent_table) +
                       " no longer exists; HINT: restore without --attach");
    tx.exec(core::create_like_sql(result.table, core::quote_qualified(a.parent_schema, a.parent_table)));
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
    attach_restored(conn, a, result.table, options.attach_retries);
    result.attached = true;
  }
  return result;
}

} // namespace partman::archive
