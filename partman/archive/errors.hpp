// The errors of archives and their storage, apart from the database's own: each has its own type, so callers
// catch exactly what they handle (the command line turns both into exit code 5).
#pragma once

#include <stdexcept>

namespace partman::archive {

// A storage failure (unreachable, refused, out of space, missing object), thrown by the storage backends
// (file, s3). The message never holds credentials.
class StorageError : public std::runtime_error
{
public:
  using std::runtime_error::runtime_error;
};

// An archive step that cannot succeed as things are (checksum or row mismatch, a damaged copy or manifest);
// the table stays in the database and a later run starts again from the recorded state.
class ArchiveError : public std::runtime_error
{
public:
  using std::runtime_error::runtime_error;
};

} // namespace partman::archive
