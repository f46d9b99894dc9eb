// Where and as whom S3 requests go, read as the AWS tools read it: the environment first, then the shared
// files (~/.aws/credentials, ~/.aws/config) through inih.
#pragma once

#include <string>

namespace partman::archive::detail {

// Where and as whom requests go.
struct S3Config
{
  std::string endpoint; // scheme://host[:port][/path], no trailing '/'; empty for AWS itself
  std::string region;
  std::string access_key;
  std::string secret_key;
  std::string session_token;
};

// Reads the configuration (see the top of storage_s3.cpp for the order); throws StorageError when the
// credentials are incomplete or missing, or the region or endpoint is malformed.
S3Config load_s3_config();

// Returns `s` without leading and trailing white space.
std::string trim(const std::string& s);
// Returns `s` in ASCII lower case.
std::string lower(std::string s);

} // namespace partman::archive::detail
