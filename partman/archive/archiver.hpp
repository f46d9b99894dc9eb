// Archiving one detached partition, step by step, with its state in the partman schema's archive table:
// export (COPY, zstd, SHA-256, into storage, with a manifest), verify (read back: checksum and rows), drop
// (only when the table still holds exactly the rows verified). Each step starts from the recorded state, so
// a run killed anywhere resumes, and a table is never dropped before its copy is verified.
#pragma once

#include <pqxx/connection>
#include <string>

#include "partman/archive/errors.hpp"

namespace partman::archive {

// Runs the remaining steps of archive `id` on `conn` (a session with lock_timeout set); `schema` is the
// partman schema. Throws ArchiveError, or what the server threw (a lock timeout on the drop is retried by
// the caller).
void run_archive(pqxx::connection& conn, const std::string& schema, long long id);

} // namespace partman::archive
