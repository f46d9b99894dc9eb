// s3://bucket/prefix on any S3-compatible service, through libcurl, which signs each request (SigV4,
// CURLOPT_AWS_SIGV4). Large objects are multipart uploads: one part is uploaded by a background thread
// while the next fills, so memory stays at two part buffers whatever the object's size.
//
// Configuration, the environment first, then the shared files of the AWS tools:
//   credentials  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN; else aws_access_key_id,
//                aws_secret_access_key, aws_session_token of the profile in AWS_SHARED_CREDENTIALS_FILE
//                (~/.aws/credentials), then in AWS_CONFIG_FILE (~/.aws/config)
//   profile      AWS_PROFILE, else "default"
//   region       AWS_REGION, AWS_DEFAULT_REGION, the profile's region in the config file, else us-east-1
//   endpoint     AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's endpoint_url (or "s3 = endpoint_url
//                = ...") in the config file, else AWS itself: https://BUCKET.s3.REGION.amazonaws.com
// A custom endpoint is addressed path-style (ENDPOINT/BUCKET/KEY), as S3-compatible servers expect.
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <utility>
#include <vector>

#include "partman/archive/storage_backends.hpp"

namespace partman::archive::detail {

namespace {

constexpr std::size_t k_mib = std::size_t(1) << 20;
// Parts of a multipart upload: 8 MiB, growing by 8 MiB every 1000 parts so that S3's limit of 10000 parts
// still allows objects of about 400 GiB.
constexpr std::size_t k_part_size = 8 * k_mib;
constexpr int k_max_parts = 10000;
// Attempts after the first for a request that failed in transit or with a 5xx, 408 or 429.
constexpr int k_retries = 3;
constexpr long k_connect_timeout_s = 10;
// A transfer slower than this many bytes a second for k_low_speed_time_s is abandoned.
constexpr long k_low_speed_bytes = 1024;
constexpr long k_low_speed_time_s = 120;
// CompleteMultipartUpload may take minutes on the server before it answers.
constexpr long k_complete_low_speed_time_s = 600;
// Error bodies are kept up to this size.
constexpr std::size_t k_max_error_body = 64 * 1024;

std::string env(const char* name)
{
  const char* value = std::getenv(name);
  return value ? value : "";
}

std::string trim(const std::string& s)
{
  const auto begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos)
    return "";
  return s.substr(begin, s.find_last_not_of(" \t\r\n") - begin + 1);
}

std::string lower(std::string s)
{
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Reads one [section] of an INI file of the AWS tools; nothing when the file or the section is missing.
// A nested setting ("s3 =" then indented "endpoint_url = ...") is read as "s3.endpoint_url".
std::optional<std::map<std::string, std::string>> read_ini_section(const std::string& path,
                                                                   const std::string& section)
{
  std::ifstream in(path);
  if (!in)
    return std::nullopt;
  std::optional<std::map<std::string, std::string>> out;
  bool inside = false;
  std::string parent; // the key of an open nested block
  std::string line;
  while (std::getline(in, line)) {
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';')
      continue;
    if (t.front() == '[' && t.back() == ']') {
      inside = trim(t.substr(1, t.size() - 2)) == section;
      if (inside && !out)
        out.emplace();
      parent.clear();
      continue;
    }
    const auto eq = t.find('=');
    if (!inside || eq == std::string::npos)
      continue;
    const bool indented = line[0] == ' ' || line[0] == '\t';
    const std::string key = lower(trim(t.substr(0, eq)));
    const std::string value = trim(t.substr(eq + 1));
    if (indented && !parent.empty()) {
      (*out)[parent + "." + key] = value;
    } else {
      parent = value.empty() ? key : "";
      if (!value.empty())
        (*out)[key] = value;
    }
  }
  return out;
}

// Where and as whom requests go.
struct S3Config
{
  std::string endpoint; // scheme://host[:port][/path], no trailing '/'; empty for AWS itself
  std::string region;
  std::string access_key;
  std::string secret_key;
  std::string session_token;
};

std::string value_in(const std::optional<std::map<std::string, std::string>>& section, const std::string& key)
{
  if (!section)
    return "";
  const auto it = section->find(key);
  return it == section->end() ? "" : it->second;
}

S3Config load_config()
{
  S3Config c;
  const std::string profile = env("AWS_PROFILE").empty() ? "default" : env("AWS_PROFILE");
  const std::string home = env("HOME");
  std::string credentials_path = env("AWS_SHARED_CREDENTIALS_FILE");
  if (credentials_path.empty() && !home.empty())
    credentials_path = home + "/.aws/credentials";
  std::string config_path = env("AWS_CONFIG_FILE");
  if (config_path.empty() && !home.empty())
    config_path = home + "/.aws/config";
  const auto credentials = read_ini_section(credentials_path, profile);
  auto config = read_ini_section(config_path, profile == "default" ? "default" : "profile " + profile);
  if (!config && profile == "default")
    config = read_ini_section(config_path, "profile default");

  if (!env("AWS_ACCESS_KEY_ID").empty() || !env("AWS_SECRET_ACCESS_KEY").empty()) {
    c.access_key = env("AWS_ACCESS_KEY_ID");
    c.secret_key = env("AWS_SECRET_ACCESS_KEY");
    c.session_token = env("AWS_SESSION_TOKEN");
    if (c.access_key.empty() || c.secret_key.empty())
      throw StorageError(std::string("incomplete S3 credentials: ") +
                         (c.access_key.empty()
                              ? "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"
                              : "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"));
  } else {
    for (const auto* section : {&credentials, &std::as_const(config)}) {
      if (!value_in(*section, "aws_access_key_id").empty() ||
          !value_in(*section, "aws_secret_access_key").empty()) {
        c.access_key = value_in(*section, "aws_access_key_id");
        c.secret_key = value_in(*section, "aws_secret_access_key");
        c.session_token = value_in(*section, "aws_session_token");
        const std::string& file = section == &credentials ? credentials_path : config_path;
        if (c.access_key.empty() || c.secret_key.empty())
          throw StorageError("incomplete S3 credentials in profile '" + profile + "' of " + file +
                             ": it needs both aws_access_key_id and aws_secret_access_key");
        break;
      }
    }
    if (c.access_key.empty())
      throw StorageError(
          "no S3 credentials found: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set and "
          "profile '" +
          profile + "' has none in " + (credentials_path.empty() ? "~/.aws/credentials" : credentials_path) +
          " or " + (config_path.empty() ? "~/.aws/config" : config_path) +
          "; HINT: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or set AWS_PROFILE");
  }

  c.region = env("AWS_REGION");
  if (c.region.empty())
    c.region = env("AWS_DEFAULT_REGION");
  if (c.region.empty())
    c.region = value_in(config, "region");
  if (c.region.empty())
    c.region = "us-east-1";
  if (c.region.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos)
    throw StorageError("invalid AWS region '" + c.region + "'; HINT: a region looks like eu-west-1");

  for (const std::string& candidate :
       {env("AWS_ENDPOINT_URL_S3"), env("AWS_ENDPOINT_URL"), value_in(config, "s3.endpoint_url"),
        value_in(config, "endpoint_url")}) {
    if (!candidate.empty()) {
      c.endpoint = candidate;
      break;
    }
  }
  while (!c.endpoint.empty() && c.endpoint.back() == '/')
    c.endpoint.pop_back();
  if (!c.endpoint.empty()) {
    const std::string l = lower(c.endpoint);
    if ((l.rfind("http://", 0) != 0 && l.rfind("https://", 0) != 0) ||
        c.endpoint.find_first_of("?# ") != std::string::npos)
      throw StorageError("invalid S3 endpoint '" + c.endpoint +
                         "'; HINT: write http://HOST:PORT or https://HOST");
  }
  return c;
}

// Returns the text of the first <tag> element of an S3 XML body, with the XML entities decoded.
std::string xml_text(const std::string& xml, const std::string& tag)
{
  const auto open = xml.find("<" + tag + ">");
  if (open == std::string::npos)
    return "";
  const auto start = open + tag.size() + 2;
  const auto end = xml.find("</" + tag + ">", start);
  if (end == std::string::npos)
    return "";
  std::string raw = xml.substr(start, std::min<std::size_t>(end - start, 500));
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    static const std::pair<const char*, char> entities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    bool replaced = false;
    for (const auto& [entity, c] : entities) {
      if (raw.compare(i, std::strlen(entity), entity) == 0) {
        out += c;
        i += std::strlen(entity) - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced)
      out += raw[i];
  }
  return out;
}

std::string xml_escape(const std::string& s)
{
  std::string out;
  for (const char c : s) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

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

struct Response
{
  long status = 0;
  std::string body; // answers other than a sink's
  std::string etag;
  std::optional<std::uint64_t> content_length;
};

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

// Sends requests to one bucket over one libcurl handle, which keeps its connection between requests. Not
// for use by two threads at once.
class S3Client
{
public:
  S3Client(std::shared_ptr<const S3Config> config, std::string bucket)
      : config_(std::move(config)), bucket_(std::move(bucket)), handle_(curl_easy_init(), &curl_easy_cleanup)
  {
    if (!handle_)
      throw StorageError("cannot create a libcurl handle");
  }

  const std::string& bucket() const { return bucket_; }

  // The endpoint as shown in messages.
  std::string endpoint() const
  {
    return config_->endpoint.empty() ? "https://s3." + config_->region + ".amazonaws.com" : config_->endpoint;
  }

  std::string display(const std::string& key) const { return "s3://" + bucket_ + "/" + key; }

  // Performs `r`, again after a failure in transit or a 5xx, 408 or 429 answer (up to k_retries more
  // times, waiting longer each time; a GET whose sink got bytes is not repeated). Returns the last answer,
  // whatever its status; throws StorageError when there was none, or what the sink threw.
  Response perform(const Request& r, int retries = k_retries)
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

  // The message of a request answered with an error status: the status, S3's Code and Message, the
  // object and the endpoint.
  StorageError http_error(const Request& r, const Response& response, const std::string& what = "") const
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

private:
  // Waits before attempt `attempt` + 1: 0.25 s, 0.5 s, 1 s, ... plus up to 0.1 s at random.
  static void pause(int attempt)
  {
    thread_local std::minstd_rand random(std::random_device{}());
    const auto ms = (250 << attempt) + static_cast<int>(random() % 100);
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  }

  // Removes any credential from a message (libcurl's messages should hold none; this makes sure).
  std::string scrub(std::string message) const
  {
    for (const std::string* secret : {&config_->secret_key, &config_->session_token}) {
      if (secret->empty())
        continue;
      for (auto pos = message.find(*secret); pos != std::string::npos; pos = message.find(*secret, pos))
        message.replace(pos, secret->size(), "****");
    }
    return message;
  }

  std::string url(const std::string& key, const std::string& query) const
  {
    std::string base;
    if (config_->endpoint.empty() && bucket_.find('.') == std::string::npos)
      base = "https://" + bucket_ + ".s3." + config_->region + ".amazonaws.com";
    else
      base = endpoint() + "/" + percent_encode(bucket_, false);
    return base + "/" + percent_encode(key, true) + (query.empty() ? "" : "?" + query);
  }

  Response perform_once(const Request& r, bool& delivered)
  {
    CURL* h = handle_.get();
    curl_easy_reset(h); // keeps the open connection
    Transfer t;
    t.handle = h;
    t.request = &r;
    char error[CURL_ERROR_SIZE] = "";
    const std::string target = url(r.key, r.query);
    const std::string sigv4 = "aws:amz:" + config_->region + ":s3";

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
    if (!config_->session_token.empty())
      add_header("x-amz-security-token: " + config_->session_token);
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
    curl_easy_setopt(h, CURLOPT_USERNAME, config_->access_key.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, config_->secret_key.c_str());
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

  std::shared_ptr<const S3Config> config_;
  std::string bucket_;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> handle_;
};

bool ok(long status)
{
  return status >= 200 && status < 300;
}

// Writes one object: a single PUT when it fits in one part, else a multipart upload whose part N is sent
// by a background thread while part N+1 fills.
class S3Writer : public ObjectWriter, private WriterState
{
public:
  S3Writer(std::shared_ptr<const S3Config> config, std::string bucket, std::string key)
      : client_(std::move(config), std::move(bucket)), key_(std::move(key))
  {
    filling_.reserve(k_part_size);
  }

  ~S3Writer() override
  {
    if (in_flight_.valid())
      in_flight_.wait();
    if (committed_ || upload_id_.empty())
      return;
    try {
      Request r{"DELETE", key_, "uploadId=" + percent_encode(upload_id_, false)};
      r.low_speed_time_s = 30;
      client_.perform(r, 0);
    } catch (...) {
      // Best effort: a bucket lifecycle rule for incomplete uploads collects what is left.
    }
  }

  void write(const char* data, std::size_t size) override
  {
    check_usable(client_.display(key_));
    while (size > 0) {
      const std::size_t n = std::min(size, part_size(part_count_ + 1) - filling_.size());
      filling_.insert(filling_.end(), data, data + n);
      data += n;
      size -= n;
      if (filling_.size() == part_size(part_count_ + 1))
        guarded([&] { send_part(); });
    }
  }

  void commit() override
  {
    check_usable(client_.display(key_));
    guarded([&] {
      if (part_count_ == 0) {
        put_whole();
      } else {
        if (!filling_.empty())
          send_part();
        wait_for_part();
        complete();
      }
      committed_ = true;
    });
  }

private:
  static std::size_t part_size(int number) { return k_part_size * (1 + (number - 1) / 1000); }

  void put_whole()
  {
    Request r{"PUT", key_};
    r.body = filling_.data();
    r.body_size = filling_.size();
    r.content_type = "application/octet-stream";
    const Response response = client_.perform(r);
    if (!ok(response.status))
      throw client_.http_error(r, response);
  }

  void initiate()
  {
    Request r{"POST", key_, "uploads="};
    r.content_type = "application/octet-stream";
    const Response response = client_.perform(r);
    if (!ok(response.status))
      throw client_.http_error(r, response, "initiate multipart upload");
    upload_id_ = xml_text(response.body, "UploadId");
    if (upload_id_.empty())
      throw StorageError("s3 POST " + client_.display(key_) + ": no UploadId in the answer (endpoint " +
                         client_.endpoint() + ")");
  }

  // Waits for the part in flight, passing on its failure.
  void wait_for_part()
  {
    if (in_flight_.valid())
      in_flight_.get();
  }

  // Hands the filled buffer to the background thread (after the previous part is done) and starts a new one.
  void send_part()
  {
    wait_for_part();
    if (part_count_ == k_max_parts)
      throw StorageError("s3 " + client_.display(key_) + ": the object is too large (more than " +
                         std::to_string(k_max_parts) + " parts)");
    if (upload_id_.empty())
      initiate();
    std::swap(filling_, sending_);
    filling_.clear();
    filling_.reserve(part_size(part_count_ + 2));
    const int number = ++part_count_;
    in_flight_ = std::async(std::launch::async, [this, number] { upload_part(number); });
  }

  // Runs on the background thread; the writer touches neither `sending_` nor `client_` until it is done.
  void upload_part(int number)
  {
    Request r{"PUT", key_,
              "partNumber=" + std::to_string(number) + "&uploadId=" + percent_encode(upload_id_, false)};
    r.body = sending_.data();
    r.body_size = sending_.size();
    const Response response = client_.perform(r);
    if (!ok(response.status))
      throw client_.http_error(r, response, "part " + std::to_string(number));
    if (response.etag.empty())
      throw StorageError("s3 PUT " + client_.display(key_) + " (part " + std::to_string(number) +
                         "): no ETag in the answer (endpoint " + client_.endpoint() + ")");
    etags_.push_back(response.etag);
  }

  void complete()
  {
    std::string xml = "<CompleteMultipartUpload>";
    for (std::size_t i = 0; i < etags_.size(); ++i)
      xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + xml_escape(etags_[i]) +
             "</ETag></Part>";
    xml += "</CompleteMultipartUpload>";
    Request r{"POST", key_, "uploadId=" + percent_encode(upload_id_, false)};
    r.body = xml.data();
    r.body_size = xml.size();
    r.content_type = "application/xml";
    r.low_speed_time_s = k_complete_low_speed_time_s;
    const Response response = client_.perform(r);
    // S3 may answer 200 and report a failure in the body.
    if (!ok(response.status) || response.body.find("<Error>") != std::string::npos)
      throw client_.http_error(r, response, "complete multipart upload");
  }

  S3Client client_;
  std::string key_;
  std::vector<char> filling_;
  std::vector<char> sending_;
  std::future<void> in_flight_;
  std::string upload_id_;
  int part_count_ = 0; // parts handed to the background thread
  std::vector<std::string> etags_;
};

class S3Storage : public Storage
{
public:
  S3Storage(std::shared_ptr<const S3Config> config, std::string bucket, std::string prefix)
      : config_(std::move(config)), prefix_(std::move(prefix)), client_(config_, std::move(bucket))
  {
  }

  std::unique_ptr<ObjectWriter> open_write(const std::string& key) override
  {
    return std::make_unique<S3Writer>(config_, client_.bucket(), full_key(key));
  }

  void read(const std::string& key, const ChunkSink& sink) override
  {
    Request r{"GET", full_key(key)};
    r.sink = &sink;
    std::lock_guard lock(mutex_);
    const Response response = client_.perform(r);
    if (!ok(response.status))
      throw client_.http_error(r, response, response.status == 404 ? "no such object" : "");
  }

  void put(const std::string& key, const std::string& content) override
  {
    Request r{"PUT", full_key(key)};
    r.body = content.data();
    r.body_size = content.size();
    r.content_type = "application/octet-stream";
    std::lock_guard lock(mutex_);
    const Response response = client_.perform(r);
    if (!ok(response.status))
      throw client_.http_error(r, response);
  }

  std::string get(const std::string& key) override
  {
    std::string out;
    read(key, [&](const char* data, std::size_t size) { out.append(data, size); });
    return out;
  }

  std::optional<std::uint64_t> size(const std::string& key) override
  {
    Request r{"HEAD", full_key(key)};
    std::lock_guard lock(mutex_);
    const Response response = client_.perform(r);
    if (response.status == 404)
      return std::nullopt;
    if (!ok(response.status) || !response.content_length)
      throw client_.http_error(r, response);
    return response.content_length;
  }

  void remove(const std::string& key) override
  {
    Request r{"DELETE", full_key(key)};
    std::lock_guard lock(mutex_);
    const Response response = client_.perform(r);
    if (!ok(response.status) && response.status != 404)
      throw client_.http_error(r, response);
  }

  std::string uri(const std::string& key) const override
  {
    return client_.display(prefix_.empty() ? key : prefix_ + "/" + key);
  }

private:
  std::string full_key(const std::string& key) const
  {
    check_key(key);
    return prefix_.empty() ? key : prefix_ + "/" + key;
  }

  std::shared_ptr<const S3Config> config_;
  std::string prefix_;
  std::mutex mutex_; // one request at a time on client_
  S3Client client_;
};

} // namespace

std::unique_ptr<Storage> open_s3_storage(const StorageUri& uri)
{
  init_curl();
  return std::make_unique<S3Storage>(std::make_shared<const S3Config>(load_config()), uri.bucket, uri.prefix);
}

} // namespace partman::archive::detail
