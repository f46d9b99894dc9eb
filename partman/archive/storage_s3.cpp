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
#include <pugixml.hpp>

#include <future>
#include <mutex>
#include <sstream>
#include <thread>
#include <utility>
#include <vector>

#include "partman/archive/s3_client.hpp"
#include "partman/archive/storage_backends.hpp"

namespace partman::archive::detail {

namespace {

// Parts of a multipart upload: 8 MiB, growing by 8 MiB every 1000 parts so that S3's limit of 10000 parts
// still allows objects of about 400 GiB.
constexpr std::size_t k_part_size = 8 * k_mib;
constexpr int k_max_parts = 10000;

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
    pugi::xml_document doc;
    pugi::xml_node root = doc.append_child("CompleteMultipartUpload");
    for (std::size_t i = 0; i < etags_.size(); ++i) {
      pugi::xml_node part = root.append_child("Part");
      part.append_child("PartNumber").text().set(static_cast<unsigned long long>(i + 1));
      part.append_child("ETag").text().set(etags_[i].c_str());
    }
    std::ostringstream body;
    doc.save(body, "", pugi::format_raw | pugi::format_no_declaration);
    const std::string xml = body.str();
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
  return std::make_unique<S3Storage>(std::make_shared<const S3Config>(load_s3_config()), uri.bucket,
                                     uri.prefix);
}

} // namespace partman::archive::detail
