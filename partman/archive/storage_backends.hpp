// Private to the storage layer: the backends behind open_storage() and what they share.
#pragma once

#include <memory>
#include <string>

#include "partman/archive/storage.hpp"

namespace partman::archive::detail {

// Throws std::invalid_argument unless `key` is a relative '/'-separated path without empty, "." or ".."
// segments (keys come from partman, so a bad one is a bug, not a storage failure).
void check_key(const std::string& key);

// The backend of file:// URIs (storage_file.cpp).
std::unique_ptr<Storage> open_file_storage(const StorageUri& uri);

// The backend of s3:// URIs (storage_s3.cpp); reads the AWS configuration.
std::unique_ptr<Storage> open_s3_storage(const StorageUri& uri);

} // namespace partman::archive::detail
