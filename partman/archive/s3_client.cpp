#include "partman/archive/s3_client.hpp"

#include <curl/curl.h>
#include <pugixml.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <exception>
#include <mutex>
#include <random>
#include <thread>

#include "partman/core/backoff.hpp"

namespace partman::archive::detail {

namespace {

constexpr long k_connect_timeout_s = 10;
// A transfer slower than this many bytes a second for k_low_speed_time_s is abandoned.
constexpr long k_low_speed_bytes = 1024;
// Error bodies are kept up to this size.
constexpr std::size_t k_max_error_body = 64 * 1024;

// A request that did not get an HTTP answer (refused, unresolved, timed out, cut off): retried.
class TransportError : public StorageError
{
public:
  using StorageError::StorageError;
};

void init_curl()
{
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      throw StorageError("cannot initialise libcurl");
  });
}

// The state of one transfer, shared with libcurl's callbacks.
struct Transfer
{
  CURL* handle = nullptr;
  const Request* request = nullptr;
  std::size_t sent = 0;
  Response response;
  bool delivered = false; // the sink got bytes: the request can no longer be retried
  std::exception_ptr sink_error;
};

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user)
{
  auto* t = static_cast<Transfer*>(user);
  const std::string line(data, size * count);
  const auto colon = line.find(':');
  if (colon != std::string::npos && lower(line.substr(0, colon)) == "etag")
    t->response.etag = trim(line.substr(colon + 1));
  return size * count;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user)
{
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  long status = 0;
  curl_easy_getinfo(t->handle, CURLINFO_RESPONSE_CODE, &status);
  if (t->request->sink && status >= 200 && status < 300) {
    try {
      t->delivered = true;
      (*t->request->sink)(data, n);
    } catch (...) {
      t->sink_error = std::current_exception();
      return 0; // makes libcurl stop with CURLE_WRITE_ERROR
    }
    return n;
  }
  auto& body = t->response.body;
  if (body.size() < k_max_error_body)
    body.append(data, std::min(n, k_max_error_body - body.size()));
  return n;
}

std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* user)
{
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = std::min(size * count, t->request->body_size - t->sent);
  std::memcpy(buffer, t->request->body + t->sent, n);
  t->sent += n;
  return n;
}

int on_seek(void* user, curl_off_t offset, int origin)
{
  auto* t = static_cast<Transfer*>(user);
  if (origin != SEEK_SET || offset < 0 || static_cast<std::size_t>(offset) > t->request->body_size)
    return CURL_SEEKFUNC_CANTSEEK;
  t->sent = static_cast<std::size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

// The waits between tries of one request: 0.25 s, 0.5 s, 1 s, ... up to 4 s, plus up to half again.
constexpr core::Backoff k_backoff{250, 4000};

// Waits before attempt `attempt` + 1 (from 0).
void pause(int attempt)
{
  thread_local std::mt19937 rng(std::random_device{}());
  std::this_thread::sleep_for(std::chrono::milliseconds(core::backoff_ms(k_backoff, attempt + 1, rng)));
}

} // namespace

bool ok(long status)
{
  return status >= 200 && status < 300;
}

// Returns the text of the first <tag> element of an S3 XML body (at most 500 bytes), or "" when there is
// none or the body is not XML.
std::string xml_text(const std::string& xml, const std::string& tag)
{
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size()))
    return "";
  const pugi::xml_node node = doc.find_node([&tag](const pugi::xml_node& n) { return tag == n.name(); });
  return std::string(node.text().get()).substr(0, 500);
}

S3Client::S3Client(std::shared_ptr<const S3Config> config, std::string bucket)
    : m_config(std::move(config)), m_bucket(std::move(bucket)), m_handle((init_curl(), curl_easy_init()))
{
  if (!m_handle)
    throw StorageError("cannot create a libcurl handle");
}

S3Client::~S3Client()
{
  curl_easy_cleanup(m_handle);
}

std::string S3Client::endpoint() const
{
  return m_config->endpoint.empty() ? "https://s3." + m_config->region + ".amazonaws.com"
                                    : m_config->endpoint;
}

Response S3Client::perform(const Request& r, int retries)
{
  for (int attempt = 0;; ++attempt) {
    bool delivered = false;
    try {
      Response response = perform_once(r, delivered);
      const long s = response.status;
      if (attempt < retries && !delivered && (s >= 500 || s == 408 || s == 429)) {
        pause(attempt);
        continue;
      }
      return response;
    } catch (const TransportError&) {
      if (attempt >= retries || delivered)
        throw;
      pause(attempt);
    }
  }
}

StorageError S3Client::http_error(const Request& r, const Response& response, const std::string& what) const
{
  std::string message = "s3 " + r.method + " " + display(r.key) + (what.empty() ? "" : " (" + what + ")") +
                        ": HTTP " + std::to_string(response.status);
  const std::string code = xml_text(response.body, "Code");
  const std::string text = xml_text(response.body, "Message");
  if (!code.empty())
    message += " " + code;
  if (!text.empty())
    message += ": " + text;
  return StorageError(scrub(message + " (endpoint " + endpoint() + ")"));
}

std::string S3Client::scrub(std::string message) const
{
  for (const std::string* secret : {&m_config->secret_key, &m_config->session_token}) {
    if (secret->empty())
      continue;
    for (auto pos = message.find(*secret); pos != std::string::npos; pos = message.find(*secret, pos))
      message.replace(pos, secret->size(), "****");
  }
  return message;
}

std::string S3Client::url(const std::string& key, const std::string& query) const
{
  std::string base;
  if (m_config->endpoint.empty() && m_bucket.find('.') == std::string::npos)
    base = "https://" + m_bucket + ".s3." + m_config->region + ".amazonaws.com";
  else
    base = endpoint() + "/" + percent_encode(m_bucket, false);
  return base + "/" + percent_encode(key, true) + (query.empty() ? "" : "?" + query);
}

Response S3Client::perform_once(const Request& r, bool& delivered)
{
  CURL* h = m_handle;
  curl_easy_reset(h); // keeps the open connection
  Transfer t;
  t.handle = h;
  t.request = &r;
  char error[CURL_ERROR_SIZE] = "";
  const std::string target = url(r.key, r.query);
  const std::string sigv4 = "aws:amz:" + m_config->region + ":s3";

  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr, &curl_slist_free_all);
  const auto add_header = [&](const std::string& header) {
    curl_slist* next = curl_slist_append(headers.get(), header.c_str());
    if (!next)
      throw StorageError("out of memory");
    headers.release();
    headers.reset(next);
  };
  // libcurl 7.88 cannot hash a streamed body; S3 accepts an unsigned payload (TLS protects it).
  add_header("x-amz-content-sha256: UNSIGNED-PAYLOAD");
  if (!m_config->session_token.empty())
    add_header("x-amz-security-token: " + m_config->session_token);
  if (!r.content_type.empty())
    add_header("Content-Type: " + r.content_type);

  curl_easy_setopt(h, CURLOPT_URL, target.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, k_connect_timeout_s);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, k_low_speed_bytes);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, r.low_speed_time_s);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4.c_str());
  curl_easy_setopt(h, CURLOPT_USERNAME, m_config->access_key.c_str());
  curl_easy_setopt(h, CURLOPT_PASSWORD, m_config->secret_key.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 512L * 1024);
  if (r.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (r.method == "PUT") {
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(r.body_size));
    curl_easy_setopt(h, CURLOPT_READFUNCTION, &on_read);
    curl_easy_setopt(h, CURLOPT_READDATA, &t);
    curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, &on_seek);
    curl_easy_setopt(h, CURLOPT_SEEKDATA, &t);
    curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, 512L * 1024);
  } else if (r.method == "POST") {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, r.body ? r.body : "");
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body_size));
  } else if (r.method != "GET") {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  }

  const CURLcode rc = curl_easy_perform(h);
  delivered = t.delivered;
  if (t.sink_error)
    std::rethrow_exception(t.sink_error);
  if (rc != CURLE_OK) {
    const std::string detail = error[0] ? error : curl_easy_strerror(rc);
    const bool unreachable = rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
                             rc == CURLE_COULDNT_RESOLVE_PROXY ||
                             (rc == CURLE_OPERATION_TIMEDOUT && t.response.status == 0);
    throw TransportError(scrub((unreachable ? "storage unreachable: " : "storage transfer failed: ") +
                               endpoint() + " (s3 " + r.method + " " + display(r.key) + "): " + detail));
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &t.response.status);
  curl_off_t length = -1;
  if (curl_easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK && length >= 0)
    t.response.content_length = static_cast<std::uint64_t>(length);
  return std::move(t.response);
}

} // namespace partman::archive::detail
