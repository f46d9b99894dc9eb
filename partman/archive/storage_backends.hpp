// Private to the storage layer: the backends behind open_storage() and what they share.
#pragma once

#include <memory>
#include <string>

#include "partman/archive/storage.hpp"

namespace partman::archive::detail {

// Throws std::invalid_argument unless `key` is a relative '/'-separated path without empty, "." or ".."
// segments (keys come from partman, so a bad one is a bug, not a storage failure).
void check_key(const std::string& key);

// What the object writers of both backends share: a writer that failed at any step can no longer commit,
// so a partial object is never made visible.
class WriterState
{
protected:
  // Throws unless the writer of `what` is neither committed nor failed.
  void check_usable(const std::string& what) const
  {
    if (committed_ || failed_)
      throw StorageError("the write of " + what + " is " + (committed_ ? "already committed" : "failed"));
  }
  // Runs `step`; a failure marks the writer failed.
  template <typename Step> void guarded(const Step& step)
  {
    try {
      step();
    } catch (...) {
      failed_ = true;
      throw;
    }
  }
  bool committed_ = false;
  bool failed_ = false;
};

// The backend of file:// URIs (storage_file.cpp).
std::unique_ptr<Storage> open_file_storage(const StorageUri& uri);

// The backend of s3:// URIs (storage_s3.cpp); reads the AWS configuration.
std::unique_ptr<Storage> open_s3_storage(const StorageUri& uri);

} // namespace partman::archive::detail
