// archive list and restore: what retention archived where, and bringing a partition back from storage.
#pragma once

#include <string>
#include <vector>

#include "partman/archive/archive_record.hpp"
#include "partman/archive/restore.hpp"
#include "partman/run/target.hpp"

namespace partman::run {

// What the archive listing needs.
struct ArchiveListRequest : Target
{
  std::string parent; // only this parent's archives (as SQL writes it; it may be gone); "": all
};

// The archives found, newest first.
struct ArchiveListReport
{
  std::vector<archive::ArchiveRecord> archives;
};

// Reads the archive table in a read-only session.
ArchiveListReport list_archives(const ArchiveListRequest& request);

// What a restore needs.
struct RestoreRequest : Target
{
  long long id = 0;                // the archive
  archive::RestoreOptions options; // into which table, and whether to attach it
};

// What a restore did.
struct RestoreReport
{
  long long id = 0;
  archive::RestoreResult result;
};

// Restores an archive on the primary; UsageError for a request that cannot work, StorageError or
// ArchiveError for storage that fails or a copy that does not check out (nothing is created then).
RestoreReport restore(const RestoreRequest& request);

} // namespace partman::run
