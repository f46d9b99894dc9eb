// Bringing an archived partition back from storage as a table, and attaching it to its parent again.
#pragma once

#include <cstdint>
#include <pqxx/connection>
#include <string>

namespace partman::archive {

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
