#include "partman/archive/archiver.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <spdlog/spdlog.h>
#include <thread>

#include "partman/archive/table_copy.hpp"
#include "partman/core/names.hpp"
#include "partman/core/status.hpp"

namespace partman::archive {

namespace {

// zstd level 3 keeps pace with COPY on one core and beats pg_dump -Fc's size (see tests/bench/archive.sh).
constexpr int k_zstd_level = 3;
// Bytes of COPY text handed from the reading thread to the compressing one at a time.
constexpr std::size_t k_chunk = 1 << 20;
// Chunks in flight between the two: memory stays at about k_chunk * (k_queue + 2).
constexpr std::size_t k_queue = 4;

// Returns the milliseconds since `t`.
double ms_since(std::chrono::steady_clock::time_point t)
{
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
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

// What an export wrote.
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

// Returns the manifest of archive `a` exported as `e` into `object_uri`.
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
                     ".archive SET state = " + core::archive_state_sql(core::ArchiveState::failed) +
                     ", error = $2, updated_at = now() WHERE id = $1",
                 id, error);
}

} // namespace

void run_archive(pqxx::connection& conn, const std::string& schema, long long id)
{
  const std::string q = core::quote_ident(schema);
  ArchiveRecord a = load_archive(conn, schema, id);
  if (a.state == core::ArchiveState::dropped)
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
    if (a.state == core::ArchiveState::failed) {
      pqxx::nontransaction tx(conn);
      tx.exec_params("UPDATE " + q +
                         ".archive SET state = " + core::archive_state_sql(core::ArchiveState::detached) +
                         ", updated_at = now() WHERE id = $1",
                     id);
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
                       ".archive SET state = " + core::archive_state_sql(core::ArchiveState::dropped) +
                       ", object_key = $2, manifest_key = $3, rows = $4, "
                       "raw_bytes = $5, stored_bytes = $6, sha256 = $7, export_ms = $8, verify_ms = $9, "
                       "error = NULL, dropped_at = now(), updated_at = now() WHERE id = $1",
                   id, a.object_key, a.manifest_key, e.rows, e.raw_bytes, e.stored_bytes, e.sha256, export_ms,
                   verify_ms);
    tx.commit();
  } catch (const pqxx::broken_connection&) {
    throw; // nothing can be recorded; the caller reconnects, and the next run exports the table again
  } catch (const pqxx::sql_error& e) {
    record_failure(conn, q, id, e.what());
    throw; // the database's own errors are the caller's (retries of lock conflicts)
  } catch (const pqxx::failure&) {
    throw; // a deadlock or a commit in doubt: the caller retries or re-plans
  } catch (const std::exception& e) {
    // A StorageError, an ArchiveError (the copy did not check out) or anything else: recorded, and passed
    // on as it is, so the caller sees what failed.
    record_failure(conn, q, id, e.what());
    throw;
  }
  spdlog::info("archive #{}: {} dropped after its copy in {} was verified", id, table,
               storage->uri(a.object_key));
}

} // namespace partman::archive
