// One S3 bucket over libcurl: requests signed with SigV4 (CURLOPT_AWS_SIGV4), retried after failures in
// transit and 5xx, 408 and 429 answers; S3's XML error bodies read with pugixml.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "partman/archive/s3_config.hpp"
#include "partman/archive/storage.hpp"

using CURL = void;

namespace partman::archive::detail {

constexpr std::size_t k_mib = std::size_t(1) << 20;
// Attempts after the first for a request that failed in transit or with a 5xx, 408 or 429.
constexpr int k_retries = 3;
// A transfer slower than 1 kB a second for this long is abandoned.
constexpr long k_low_speed_time_s = 120;
// CompleteMultipartUpload may take minutes on the server before it answers.
constexpr long k_complete_low_speed_time_s = 600;

// One S3 request. `key` is the full object key; `query` is written in SigV4's canonical form (names
// sorted, each with '=', values encoded), because libcurl 7.88 signs the query string as it is given.
struct Request
{
  Request(std::string method_, std::string key_, std::string query_ = "")
      : method(std::move(method_)), key(std::move(key_)), query(std::move(query_))
  {
  }
  std::string method; // GET, HEAD, PUT, POST, DELETE
  std::string key;
  std::string query;
  const char* body = nullptr; // PUT, POST
  std::size_t body_size = 0;
  std::string content_type;
  const ChunkSink* sink = nullptr; // GET: receives the body of a 2xx answer
  long low_speed_time_s = k_low_speed_time_s;
};

// An answer: its status, its body (unless a sink took it), its ETag and length.
struct Response
{
  long status = 0;
  std::string body;
  std::string etag;
  std::optional<std::uint64_t> content_length;
};

// Returns true for a 2xx status.
bool ok(long status);

// Returns the text of the first <tag> element of an S3 XML body (at most 500 bytes), or "" when there is
// none or the body is not XML.
std::string xml_text(const std::string& xml, const std::string& tag);

// Sends requests to one bucket over one libcurl handle, which keeps its connection between requests. Not
// for use by two threads at once.
class S3Client
{
public:
  S3Client(std::shared_ptr<const S3Config> config, std::string bucket);
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  // Returns the bucket's name.
  const std::string& bucket() const { return m_bucket; }
  // Returns the endpoint as shown in messages.
  std::string endpoint() const;
  // Returns an object as shown in messages: s3://bucket/key.
  std::string display(const std::string& key) const { return "s3://" + m_bucket + "/" + key; }
  // Performs `r`, again after a failure in transit or a 5xx, 408 or 429 answer (up to `retries` more
  // times, waiting longer each time; a GET whose sink got bytes is not repeated). Returns the last answer,
  // whatever its status; throws StorageError when there was none, or what the sink threw.
  Response perform(const Request& r, int retries = k_retries);
  // Returns the error of a request answered with an error status: the status, S3's Code and Message, the
  // object and the endpoint.
  StorageError http_error(const Request& r, const Response& response, const std::string& what = "") const;

private:
  // Removes any credential from a message (libcurl's messages should hold none; this makes sure).
  std::string scrub(std::string message) const;
  // Returns the URL of `key` with `query`.
  std::string url(const std::string& key, const std::string& query) const;
  // Performs `r` once; `delivered` says whether a sink got bytes.
  Response perform_once(const Request& r, bool& delivered);

  std::shared_ptr<const S3Config> m_config;
  std::string m_bucket;
  CURL* m_handle;
};

} // namespace partman::archive::detail
