// Shared fixtures of the storage tests: backends at locations of their own, data, and the errors they throw.
// Its S3 backend is the server tests/s3_temp.sh starts, which exports PARTMAN_TEST_S3_URI and AWS_*.
#pragma once

#include <catch2/catch.hpp>

#include <curl/curl.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "partman/archive/storage.hpp"

namespace partman::test {

// Returns a name no other test run uses.
inline std::string random_name()
{
  std::random_device rd;
  return "t" + std::to_string(rd()) + std::to_string(rd());
}

// Returns `size` pseudo-random bytes (the same for the same seed).
inline std::string random_bytes(std::size_t size, unsigned seed)
{
  std::mt19937_64 gen(seed);
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; i += 8) {
    const auto v = gen();
    for (std::size_t j = 0; j < 8 && i + j < size; ++j)
      out[i + j] = static_cast<char>(v >> (8 * j));
  }
  return out;
}

// Makes a new folder under /tmp and returns its path.
inline std::string make_temp_folder()
{
  char path[] = "/tmp/partman-storage-test.XXXXXX";
  REQUIRE(mkdtemp(path) != nullptr);
  return path;
}

// The bucket URI the test server offers; a missing one is a failure, since tests/run always sets it.
inline std::string s3_base()
{
  const char* uri = std::getenv("PARTMAN_TEST_S3_URI");
  if (!uri || !*uri)
    FAIL("PARTMAN_TEST_S3_URI is not set: run the tests through tests/run or tests/s3_temp.sh");
  return uri;
}

// Returns the S3 secret key of the environment, or nothing.
inline std::string s3_secret()
{
  return std::getenv("AWS_SECRET_ACCESS_KEY") ? std::getenv("AWS_SECRET_ACCESS_KEY") : "";
}

// Appends what libcurl received to the std::string `out`.
inline std::size_t append_to(char* data, std::size_t size, std::size_t count, void* out)
{
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// The keys the test server holds under `prefix` (ListObjectsV2, signed by libcurl like partman's own
// requests): an independent view of what partman stored.
inline std::vector<std::string> s3_keys(const std::string& bucket, const std::string& prefix)
{
  const std::string url = std::string(std::getenv("AWS_ENDPOINT_URL")) + "/" + bucket +
                          "?list-type=2&prefix=" + partman::archive::percent_encode(prefix, false);
  const std::string user = std::string(std::getenv("AWS_ACCESS_KEY_ID")) + ":" + s3_secret();
  std::string body;
  CURL* h = curl_easy_init();
  curl_slist* headers = curl_slist_append(nullptr, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_AWS_SIGV4, "aws:amz:us-east-1:s3");
  curl_easy_setopt(h, CURLOPT_USERPWD, user.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &append_to);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  const CURLcode rc = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(h);
  INFO(body);
  REQUIRE(rc == CURLE_OK);
  REQUIRE(status == 200);
  REQUIRE(body.find("<IsTruncated>false</IsTruncated>") != std::string::npos);
  std::vector<std::string> keys;
  for (auto pos = body.find("<Key>"); pos != std::string::npos; pos = body.find("<Key>", pos + 1)) {
    const auto end = body.find("</Key>", pos);
    std::string key = body.substr(pos + 5, end - pos - 5);
    // s3rver escapes keys twice ("&amp;amp;"), S3 once: decode until nothing changes (no test key holds
    // entity-like text).
    for (std::string before; before != key;) {
      before = key;
      for (const auto& [entity, c] : std::vector<std::pair<std::string, std::string>>{{"&lt;", "<"},
                                                                                      {"&gt;", ">"},
                                                                                      {"&quot;", "\""},
                                                                                      {"&apos;", "'"},
                                                                                      {"&#39;", "'"},
                                                                                      {"&#x27;", "'"},
                                                                                      {"&amp;", "&"}}) {
        for (auto at = key.find(entity); at != std::string::npos; at = key.find(entity, at + 1))
          key.replace(at, entity.size(), c);
      }
    }
    keys.push_back(key);
  }
  return keys;
}

// One backend under test, at a location of its own (a new folder, or a new prefix in the bucket).
struct Backend
{
  explicit Backend(const std::string& kind_) : kind(kind_)
  {
    if (kind == "file") {
      folder = make_temp_folder();
      uri = "file://" + folder + "/archives";
    } else {
      const std::string base = s3_base();
      bucket = base.substr(5, base.find('/', 5) - 5);
      prefix = (base.size() > 5 + bucket.size() ? base.substr(6 + bucket.size()) + "/" : "") + random_name();
      uri = "s3://" + bucket + "/" + prefix;
    }
    storage = archive::open_storage(uri);
  }
  ~Backend()
  {
    if (!folder.empty())
      std::filesystem::remove_all(folder);
  }

  // Everything the backend holds: files under the folder (temporary ones included), or keys under the
  // prefix.
  std::vector<std::string> contents() const
  {
    std::vector<std::string> out;
    if (kind == "file") {
      if (std::filesystem::exists(folder))
        for (const auto& e : std::filesystem::recursive_directory_iterator(folder))
          if (!e.is_directory())
            out.push_back(e.path().string().substr(folder.size() + 10)); // past "/archives/"
    } else {
      for (const auto& key : s3_keys(bucket, prefix + "/"))
        out.push_back(key.substr(prefix.size() + 1));
    }
    return out;
  }

  std::string kind;
  std::string folder; // file
  std::string bucket; // s3
  std::string prefix; // s3
  std::string uri;
  std::unique_ptr<archive::Storage> storage;
};

// Writes `data` to `w` in pieces of `piece` bytes.
inline void write_in_pieces(archive::ObjectWriter& w, const std::string& data, std::size_t piece)
{
  for (std::size_t at = 0; at < data.size(); at += piece)
    w.write(data.data() + at, std::min(piece, data.size() - at));
}

// Runs `f` and returns the StorageError it throws; fails when it throws nothing or something else.
template <typename F> std::string storage_error_of(const F& f)
{
  try {
    f();
  } catch (const archive::StorageError& e) {
    return e.what();
  }
  FAIL("no StorageError was thrown");
  return "";
}

} // namespace partman::test
