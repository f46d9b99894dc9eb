// Where archives are kept: a local folder (file:///path/prefix) or an S3-compatible bucket
// (s3://bucket/prefix). Objects are written as a stream with bounded memory, made visible only when
// committed, and read back as a stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "partman/archive/errors.hpp"

namespace partman::archive {

// A parsed storage URI.
struct StorageUri
{
  enum class Scheme
  {
    file,
    s3
  };
  Scheme scheme = Scheme::file;
  std::string bucket; // s3 only
  std::string prefix; // file: an absolute folder path (no trailing '/'); s3: key prefix (no leading or
                      // trailing '/', may be empty)
};

// Parses "file:///abs/path[/prefix]" or "s3://bucket[/prefix]"; throws std::invalid_argument naming the bad
// value (with a hint) otherwise.
StorageUri parse_storage_uri(const std::string& uri);

// An object being written. write() may block while a part is uploaded; memory stays bounded whatever the
// object's size. Nothing is visible under the key until commit() returns. Destroying an uncommitted writer
// aborts it (removes the temporary file / aborts the multipart upload), best effort, without throwing.
class ObjectWriter
{
public:
  virtual ~ObjectWriter() = default;
  virtual void write(const char* data, std::size_t size) = 0;
  // Makes the object durable and visible under its key (file: fsync, rename, fsync of the folder;
  // s3: complete the multipart upload). Throws StorageError.
  virtual void commit() = 0;
};

// Receives an object's bytes in order, in chunks.
using ChunkSink = std::function<void(const char* data, std::size_t size)>;

// One storage location (the URI given in a policy). Keys are relative to the URI's prefix and use '/'.
class Storage
{
public:
  virtual ~Storage() = default;
  // Starts writing the object `key`; an existing object of that key is replaced on commit.
  virtual std::unique_ptr<ObjectWriter> open_write(const std::string& key) = 0;
  // Streams the whole object to `sink`; throws StorageError when it is missing or unreadable. An exception
  // thrown by `sink` stops the read and is passed on.
  virtual void read(const std::string& key, const ChunkSink& sink) = 0;
  // Writes a small object (a manifest) in one go, durably.
  virtual void put(const std::string& key, const std::string& content) = 0;
  // Reads a small object whole.
  virtual std::string get(const std::string& key) = 0;
  // Returns the object's size, or nothing when it does not exist.
  virtual std::optional<std::uint64_t> size(const std::string& key) = 0;
  // Removes the object; removing a missing one is not an error.
  virtual void remove(const std::string& key) = 0;
  // Returns the full URI of `key`, for display and for the archive table (never holds credentials).
  virtual std::string uri(const std::string& key) const = 0;
};

// Opens the storage a URI names. For s3, the endpoint, region and credentials come from the usual AWS
// environment variables and files (see storage_s3.cpp). Throws std::invalid_argument on a bad URI and
// StorageError when the configuration is incomplete (no credentials found, ...).
std::unique_ptr<Storage> open_storage(const std::string& uri);

// Returns `s` with every byte but RFC 3986's unreserved characters (and '/' when `keep_slash`)
// percent-encoded, as S3's SigV4 requires of paths and query values.
std::string percent_encode(const std::string& s, bool keep_slash);
// Returns a schema or table name as one segment of a storage key or file name: percent-encoded, and never
// ".", ".." or a hidden name (a leading '.' is encoded too).
std::string key_segment(const std::string& name);

} // namespace partman::archive
