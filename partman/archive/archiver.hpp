// Archiving one detached partition, step by step, with its state in the partman schema's archive table:
// export (COPY, zstd, SHA-256, into storage, with a manifest), verify (read back: checksum and rows), drop
// (only when the table still holds exactly the rows verified). Each step starts from the recorded state, so
// a run killed anywhere resumes, and a table is never dropped before its copy is verified.
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/connection>
#include <stdexcept>
#include <string>
#include <vector>

namespace partman::archive {

// An archive step that cannot succeed as things are (storage error, checksum or row mismatch); the table
// stays in the database and a later run starts again from the recorded state.
class ArchiveError : public std::runtime_error
{
public:
  using std::runtime_error::runtime_error;
};

// One row of the archive table.
struct ArchiveRecord
{
  long long id = 0;
  std::string parent_schema, parent_table;
  std::string partition_schema, partition_name;
  std::string bound_from, bound_to; // empty when not known
  std::string bound;                // "FOR VALUES ..." as the server deparsed it (empty: not recorded)
  std::string storage;              // the storage URI
  std::string object_key, manifest_key;
  std::string state;
  std::optional<std::int64_t> rows, raw_bytes, stored_bytes;
  std::string sha256;
  std::optional<double> export_ms, verify_ms;
  std::string error;
  std::string created_at, dropped_at; // ISO 8601 UTC; dropped_at empty unless dropped
};

// Runs the remaining steps of archive `id` on `conn` (a session with lock_timeout set); `schema` is the
// partman schema. Throws ArchiveError, or what the server threw (a lock timeout on the drop is retried by
// the caller).
void run_archive(pqxx::connection& conn, const std::string& schema, long long id);

// Returns the archive rows, newest first; `parent` ({schema, table}) narrows them to one parent.
std::vector<ArchiveRecord> list_archives(pqxx::connection& conn, const std::string& schema,
                                         const std::optional<std::pair<std::string, std::string>>& parent);
// Returns one archive row; throws UsageError when there is none with that id.
ArchiveRecord load_archive(pqxx::connection& conn, const std::string& schema, long long id);

// What restore does.
struct RestoreOptions
{
  std::string into; // schema.table as SQL writes it; empty: the partition's own name
  bool attach = false;
  int attach_retries = 3;
};

// What a restore did.
struct RestoreResult
{
  std::string table; // quoted
  std::uint64_t rows = 0;
  bool attached = false;
};

// Brings archive `id` back as a table (in one transaction: create, COPY, check checksum and rows), and
// with options.attach attaches it to its parent again. Throws UsageError for a request that cannot work
// (no verified copy, table exists, ...), ArchiveError for a copy that does not check out.
RestoreResult restore_archive(pqxx::connection& conn, const std::string& schema, long long id,
                              const RestoreOptions& options);

} // namespace partman::archive
