// A table as archives hold it: its columns, COPY text (one row a line) compressed with zstd, and reading a
// stored copy back with its checksum checked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "partman/archive/archive_record.hpp"
#include "partman/archive/codec.hpp"
#include "partman/archive/manifest.hpp"
#include "partman/archive/progress.hpp"
#include "partman/archive/storage.hpp"

namespace partman::archive {

// Returns the archived table of `a`, quoted.
std::string table_of(const ArchiveRecord& a);
// Returns the columns of table `table_sql` (quoted) that COPY reads and writes, in order.
std::vector<Column> table_columns(pqxx::transaction_base& tx, const std::string& table_sql);
// Returns the columns' names, quoted, separated by ", ".
std::string column_list(const std::vector<Column>& columns);
// Returns CREATE TABLE for the columns, without constraints beyond NOT NULL (what a restore as a plain
// table needs; an attached restore takes its shape from the parent instead).
std::string create_table_sql(const std::string& table_sql, const std::vector<Column>& columns);
// Returns how many '\n' the bytes hold (rows of COPY text).
std::uint64_t count_newlines(const char* data, std::size_t size);
// Reads object `a.object_key` whole, hashing every byte it stores and passing what it decompresses to
// `decoded`; throws ArchiveError when the checksum is not `a.sha256` (checked first, so a damaged copy is
// reported as such even where zstd fails before its end) or the data is not zstd. Returns the bytes read.
std::uint64_t read_checked(Storage& storage, const ArchiveRecord& a, Progress& progress,
                           const ByteSink& decoded);

} // namespace partman::archive
