// The rows of partman's archive table: what was archived where, and how far each archive got.
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/connection>
#include <string>
#include <utility>
#include <vector>

#include "partman/core/archive_state.hpp"

namespace partman::archive {

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
  core::ArchiveState state = core::ArchiveState::detaching;
  std::optional<std::int64_t> rows, raw_bytes, stored_bytes;
  std::string sha256;
  std::optional<double> export_ms, verify_ms;
  std::string error;
  std::string created_at, dropped_at; // ISO 8601 UTC; dropped_at empty unless dropped
};

// Returns the archive rows, newest first; `parent` ({schema, table}) narrows them to one parent.
std::vector<ArchiveRecord> list_archives(pqxx::connection& conn, const std::string& schema,
                                         const std::optional<std::pair<std::string, std::string>>& parent);
// Returns one archive row; throws UsageError when there is none with that id.
ArchiveRecord load_archive(pqxx::connection& conn, const std::string& schema, long long id);

} // namespace partman::archive
