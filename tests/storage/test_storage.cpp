// The storage layer of archives against a real local folder and a real S3-compatible server (tests/run
// starts one through tests/s3_temp.sh and exports PARTMAN_TEST_S3_URI and the AWS_* variables). The same
// cases run on both backends where they apply.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <vector>

#include "partman/archive/storage.hpp"

using namespace partman::archive;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

// Environment variables to set (a value) or unset (nothing).
using Env = std::map<std::string, std::optional<std::string>>;

// Sets or unsets environment variables for a scope.
class EnvGuard
{
public:
  explicit EnvGuard(const Env& values)
  {
    for (const auto& [name, value] : values) {
      const char* old = std::getenv(name.c_str());
      saved_[name] = old ? std::optional<std::string>(old) : std::nullopt;
      set(name, value);
    }
  }
  ~EnvGuard()
  {
    for (const auto& [name, value] : saved_)
      set(name, value);
  }

private:
  static void set(const std::string& name, const std::optional<std::string>& value)
  {
    if (value)
      setenv(name.c_str(), value->c_str(), 1);
    else
      unsetenv(name.c_str());
  }
  std::map<std::string, std::optional<std::string>> saved_;
};

std::string random_name()
{
  std::random_device rd;
  return "t" + std::to_string(rd()) + std::to_string(rd());
}

// `size` pseudo-random bytes (the same for the same seed).
std::string random_bytes(std::size_t size, unsigned seed)
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

std::string make_temp_folder()
{
  char path[] = "/tmp/partman-storage-test.XXXXXX";
  REQUIRE(mkdtemp(path) != nullptr);
  return path;
}

// The bucket URI the test server offers; a missing one is a failure, since tests/run always sets it.
std::string s3_base()
{
  const char* uri = std::getenv("PARTMAN_TEST_S3_URI");
  if (!uri || !*uri)
    FAIL("PARTMAN_TEST_S3_URI is not set: run the tests through tests/run or tests/s3_temp.sh");
  return uri;
}

std::string s3_secret()
{
  return std::getenv("AWS_SECRET_ACCESS_KEY") ? std::getenv("AWS_SECRET_ACCESS_KEY") : "";
}

// A port on 127.0.0.1 where nothing listens.
int closed_port()
{
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  close(fd);
  return ntohs(addr.sin_port);
}

std::size_t append_to(char* data, std::size_t size, std::size_t count, void* out)
{
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// The keys the test server holds under `prefix` (ListObjectsV2, signed by libcurl like partman's own
// requests): an independent view of what partman stored.
std::vector<std::string> s3_keys(const std::string& bucket, const std::string& prefix)
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
    storage = open_storage(uri);
  }
  ~Backend()
  {
    if (!folder.empty())
      fs::remove_all(folder);
  }

  // Everything the backend holds: files under the folder (temporary ones included), or keys under the
  // prefix.
  std::vector<std::string> contents() const
  {
    std::vector<std::string> out;
    if (kind == "file") {
      if (fs::exists(folder))
        for (const auto& e : fs::recursive_directory_iterator(folder))
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
  std::unique_ptr<Storage> storage;
};

std::string read_all(Storage& s, const std::string& key, std::size_t* chunks = nullptr,
                     std::size_t* largest = nullptr)
{
  std::string out;
  s.read(key, [&](const char* data, std::size_t size) {
    out.append(data, size);
    if (chunks)
      ++*chunks;
    if (largest)
      *largest = std::max(*largest, size);
  });
  return out;
}

void write_in_pieces(ObjectWriter& w, const std::string& data, std::size_t piece)
{
  for (std::size_t at = 0; at < data.size(); at += piece)
    w.write(data.data() + at, std::min(piece, data.size() - at));
}

// Runs `f` and returns the StorageError it throws; fails when it throws nothing or something else.
template <typename F> std::string storage_error_of(const F& f)
{
  try {
    f();
  } catch (const StorageError& e) {
    return e.what();
  }
  FAIL("no StorageError was thrown");
  return "";
}

} // namespace

TEST_CASE("small objects round trip", "[storage]")
{
  const std::string kind = GENERATE(as<std::string>{}, "file", "s3");
  Backend b(kind);
  auto& s = *b.storage;
  INFO(b.uri);

  s.put("manifest.json", "{\"rows\": 3}\n");
  CHECK(s.get("manifest.json") == "{\"rows\": 3}\n");
  CHECK(s.size("manifest.json") == std::optional<std::uint64_t>(12));

  auto w = s.open_write("p/2024/data.bin");
  w->write("abc", 3);
  w->write("", 0);
  w->write("def", 3);
  w->commit();
  CHECK(read_all(s, "p/2024/data.bin") == "abcdef");

  auto empty = s.open_write("empty");
  empty->commit();
  CHECK(s.size("empty") == std::optional<std::uint64_t>(0));
  CHECK(s.get("empty").empty());

  CHECK(s.uri("p/2024/data.bin") == b.uri + "/p/2024/data.bin");
  std::vector<std::string> expected{"empty", "manifest.json", "p/2024/data.bin"};
  auto contents = b.contents();
  std::sort(contents.begin(), contents.end());
  CHECK(contents == expected);
  CHECK_THROWS_AS(w->write("x", 1), StorageError);
  CHECK_THROWS_AS(w->commit(), StorageError);
}

TEST_CASE("a multi-part object round trips exactly", "[storage]")
{
  const std::string kind = GENERATE(as<std::string>{}, "file", "s3");
  Backend b(kind);
  auto& s = *b.storage;
  INFO(b.uri);
  // 20 MiB and a bit: three parts of S3's multipart upload, written in pieces that straddle part edges.
  const std::string data = random_bytes((20 << 20) + 12345, 7);
  auto w = s.open_write("big/object.zst");
  write_in_pieces(*w, data, 100 * 1024 + 1);
  CHECK(!s.size("big/object.zst"));
  w->commit();
  CHECK(s.size("big/object.zst") == std::optional<std::uint64_t>(data.size()));
  std::size_t chunks = 0, largest = 0;
  const std::string back = read_all(s, "big/object.zst", &chunks, &largest);
  REQUIRE(back.size() == data.size());
  CHECK(back == data);
  CHECK(chunks > 1); // streamed, not in one piece
  if (kind == "file")
    CHECK(largest <= (std::size_t(1) << 20));

  // One write bigger than a part.
  auto w2 = s.open_write("big/one-write");
  w2->write(data.data(), data.size());
  w2->commit();
  CHECK(s.get("big/one-write") == data);
}

TEST_CASE("a rewrite replaces the object only when committed", "[storage]")
{
  const std::string kind = GENERATE(as<std::string>{}, "file", "s3");
  Backend b(kind);
  auto& s = *b.storage;
  INFO(b.uri);
  const std::string big = random_bytes(9 << 20, 3);
  s.put("k", "old");
  {
    auto w = s.open_write("k");
    w->write(big.data(), big.size());
    CHECK(s.get("k") == "old");
    w->commit();
  }
  CHECK(s.get("k") == big);
  auto w = s.open_write("k");
  w->write("new", 3);
  CHECK(s.get("k") == big);
  w->commit();
  CHECK(s.get("k") == "new");
  CHECK(b.contents() == std::vector<std::string>{"k"});
}

TEST_CASE("an uncommitted writer leaves nothing behind", "[storage]")
{
  const std::string kind = GENERATE(as<std::string>{}, "file", "s3");
  Backend b(kind);
  auto& s = *b.storage;
  INFO(b.uri);
  // Small (one buffer) and large (a multipart upload already under way on S3).
  const std::size_t size = GENERATE(std::size_t(1000), std::size_t(17) << 20);
  INFO(size);
  const std::string data = random_bytes(size, 11);
  {
    auto w = s.open_write("dir/abandoned");
    write_in_pieces(*w, data, 1 << 16);
    CHECK(!s.size("dir/abandoned"));
  }
  CHECK(!s.size("dir/abandoned"));
  CHECK_THROWS_AS(s.get("dir/abandoned"), StorageError);
  CHECK(b.contents().empty());
}

TEST_CASE("size, remove and missing objects", "[storage]")
{
  const std::string kind = GENERATE(as<std::string>{}, "file", "s3");
  Backend b(kind);
  auto& s = *b.storage;
  INFO(b.uri);
  CHECK(!s.size("nothing/here"));
  const std::string message = storage_error_of([&] { s.get("nothing/here"); });
  CHECK_THAT(message, Contains("nothing/here"));
  if (kind == "s3")
    CHECK_THAT(message, Contains("404") && Contains("NoSuchKey") && Contains(b.bucket));
  else
    CHECK_THAT(message, Contains("No such file or directory"));
  CHECK_NOTHROW(s.remove("nothing/here"));

  s.put("a/b", "12345");
  CHECK(s.size("a/b") == std::optional<std::uint64_t>(5));
  s.remove("a/b");
  CHECK(!s.size("a/b"));
  CHECK_NOTHROW(s.remove("a/b"));

  for (const std::string& bad : std::vector<std::string>{"", "/abs", "a/../b", "a//b", "./a", "a/", "a\nb"})
    CHECK_THROWS_AS(s.size(bad), std::invalid_argument);
}

TEST_CASE("an exception from the reader's sink stops the read and is passed on", "[storage]")
{
  const std::string kind = GENERATE(as<std::string>{}, "file", "s3");
  Backend b(kind);
  auto& s = *b.storage;
  INFO(b.uri);
  const std::string data = random_bytes(5 << 20, 5);
  s.put("obj", data);
  std::size_t calls = 0;
  CHECK_THROWS_WITH(s.read("obj",
                           [&](const char*, std::size_t) {
                             ++calls;
                             throw std::runtime_error("sink refused");
                           }),
                    "sink refused");
  CHECK(calls == 1);
  CHECK(s.get("obj") == data); // the storage is still usable
}

TEST_CASE("keys with spaces and UTF-8", "[storage]")
{
  const std::string kind = GENERATE(as<std::string>{}, "file", "s3");
  Backend b(kind);
  auto& s = *b.storage;
  INFO(b.uri);
  const std::string key = "Sales Q1/\xc3\xa9t\xc3\xa9 \xe8\xa1\xa8 +&=;,@$!'()*[]~%20#?.csv.zst";
  s.put(key, "x");
  auto w = s.open_write(key + ".2");
  w->write("yz", 2);
  w->commit();
  CHECK(s.get(key) == "x");
  CHECK(s.get(key + ".2") == "yz");
  CHECK(s.size(key) == std::optional<std::uint64_t>(1));
  auto contents = b.contents();
  std::sort(contents.begin(), contents.end());
  CHECK(contents == std::vector<std::string>{key, key + ".2"});
  s.remove(key);
  CHECK(!s.size(key));
}

TEST_CASE("s3: unreachable storage fails quickly, naming the endpoint and not the secret", "[storage][s3]")
{
  const std::string base = s3_base();
  const std::string endpoint = "http://127.0.0.1:" + std::to_string(closed_port());
  const std::string secret = "unreachable-Secret/Key+123";
  EnvGuard env(Env{{"AWS_ENDPOINT_URL", endpoint}, {"AWS_SECRET_ACCESS_KEY", secret}});
  auto s = open_storage(base + "/unreachable");
  const auto start = std::chrono::steady_clock::now();
  const std::string message = storage_error_of([&] { s->put("k", "data"); });
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  INFO(message);
  CHECK(seconds < 10);
  CHECK_THAT(message, Contains("storage unreachable") && Contains(endpoint));
  CHECK_THAT(message, !Contains(secret));

  const std::string size_message = storage_error_of([&] { s->size("k"); });
  CHECK_THAT(size_message, Contains("storage unreachable") && Contains(endpoint));
  auto w = s->open_write("big");
  const std::string data = random_bytes(9 << 20, 1);
  const std::string write_message = storage_error_of([&] {
    w->write(data.data(), data.size());
    w->commit();
  });
  CHECK_THAT(write_message, Contains("storage unreachable") && !Contains(secret));
}

TEST_CASE("s3: wrong credentials are refused without the secret in the message", "[storage][s3]")
{
  const std::string base = s3_base();
  SECTION("a wrong secret key")
  {
    const std::string secret = "wrong-Secret/Key+0123456789";
    EnvGuard env(Env{{"AWS_SECRET_ACCESS_KEY", secret}});
    auto s = open_storage(base + "/" + random_name());
    for (const auto& message :
         {storage_error_of([&] { s->put("k", "data"); }), storage_error_of([&] { s->get("k"); }),
          storage_error_of([&] { s->size("k"); }), storage_error_of([&] {
            auto w = s->open_write("big");
            const std::string data = random_bytes(9 << 20, 2);
            w->write(data.data(), data.size());
            w->commit();
          })}) {
      INFO(message);
      CHECK_THAT(message, Contains("403") && !Contains(secret) && !Contains("Signature="));
    }
    CHECK_THAT(storage_error_of([&] { s->put("k", "data"); }), Contains("SignatureDoesNotMatch"));
  }
  SECTION("an unknown access key")
  {
    EnvGuard env(Env{{"AWS_ACCESS_KEY_ID", "NOSUCHKEY"}});
    auto s = open_storage(base + "/" + random_name());
    const std::string message = storage_error_of([&] { s->put("k", "data"); });
    CHECK_THAT(message, Contains("403") && Contains("InvalidAccessKeyId") && !Contains(s3_secret()));
  }
}

TEST_CASE("s3: configuration from the AWS files and profiles", "[storage][s3]")
{
  const std::string base = s3_base();
  const std::string endpoint = std::getenv("AWS_ENDPOINT_URL");
  const std::string folder = make_temp_folder();
  const std::string credentials = folder + "/credentials";
  const std::string config = folder + "/config";
  {
    std::ofstream(credentials) << "[default]\naws_access_key_id = WRONG\naws_secret_access_key = WRONG\n\n"
                               << "# the one used\n[archive]\naws_access_key_id = "
                               << std::getenv("AWS_ACCESS_KEY_ID")
                               << "\naws_secret_access_key = " << s3_secret() << "\n";
    std::ofstream(config) << "[default]\nregion = eu-west-1\n[profile archive]\nregion = us-east-1\ns3 =\n"
                          << "  endpoint_url = " << endpoint << "\n";
  }
  Env values{{"AWS_ACCESS_KEY_ID", std::nullopt},
             {"AWS_SECRET_ACCESS_KEY", std::nullopt},
             {"AWS_ENDPOINT_URL", std::nullopt},
             {"AWS_ENDPOINT_URL_S3", std::nullopt},
             {"AWS_REGION", std::nullopt},
             {"AWS_DEFAULT_REGION", std::nullopt},
             {"AWS_SHARED_CREDENTIALS_FILE", credentials},
             {"AWS_CONFIG_FILE", config},
             {"AWS_PROFILE", "archive"}};
  SECTION("a named profile")
  {
    EnvGuard env(values);
    auto s = open_storage(base + "/" + random_name());
    s->put("k", "from the files");
    CHECK(s->get("k") == "from the files");
  }
  SECTION("the default profile's wrong keys are refused")
  {
    values["AWS_PROFILE"] = std::nullopt;
    values["AWS_ENDPOINT_URL"] = endpoint;
    EnvGuard env(values);
    auto s = open_storage(base + "/" + random_name());
    CHECK_THAT(storage_error_of([&] { s->put("k", "x"); }), Contains("InvalidAccessKeyId"));
  }
  SECTION("no credentials anywhere")
  {
    values["AWS_PROFILE"] = "missing";
    EnvGuard env(values);
    CHECK_THAT(storage_error_of([&] { open_storage(base); }),
               Contains("no S3 credentials") && Contains("missing"));
  }
  SECTION("half of the credentials")
  {
    values["AWS_ACCESS_KEY_ID"] = "S3RVER";
    EnvGuard env(values);
    CHECK_THAT(storage_error_of([&] { open_storage(base); }), Contains("AWS_SECRET_ACCESS_KEY is not"));
  }
  fs::remove_all(folder);
}

TEST_CASE("file: system errors name the path", "[storage][file]")
{
  const std::string folder = make_temp_folder();
  {
    std::ofstream(folder + "/plain") << "x";
    auto s = open_storage("file://" + folder + "/plain/archives");
    const std::string message = storage_error_of([&] { s->open_write("k"); });
    CHECK_THAT(message, Contains(folder + "/plain") && Contains("Not a directory"));
  }
  fs::remove_all(folder);
}

TEST_CASE("file: out of space and read-only file systems are storage errors", "[storage][file]")
{
  const std::string folder = make_temp_folder();
  if (geteuid() != 0 || mount("tmpfs", folder.c_str(), "tmpfs", 0, "size=1m") != 0) {
    WARN("cannot mount a small tmpfs (needs root): the out-of-space case did not run");
    fs::remove_all(folder);
    return;
  }
  {
    auto s = open_storage("file://" + folder + "/archives");
    // A large object fills the file system while it is written.
    const std::string data = random_bytes(3 << 20, 9);
    {
      auto w = s->open_write("big");
      const std::string message = storage_error_of([&] {
        write_in_pieces(*w, data, 64 * 1024);
        w->commit();
      });
      CHECK_THAT(message, Contains("No space left on device") && Contains(folder + "/archives/.big.tmp."));
      CHECK_THROWS_AS(w->commit(), StorageError);
    }
    CHECK(!s->size("big"));
    CHECK(fs::is_empty(folder + "/archives")); // the temporary file is gone

    // A small object on a full file system fails when it is committed, and the old one stays.
    s->put("small", "old");
    std::ofstream(folder + "/filler") << random_bytes(1 << 20, 1);
    const std::string message = storage_error_of([&] { s->put("small", random_bytes(100 * 1024, 4)); });
    CHECK_THAT(message, Contains("No space left on device"));
    CHECK(s->get("small") == "old");
    CHECK(std::distance(fs::directory_iterator(folder + "/archives"), fs::directory_iterator()) == 1);
  }
  umount2(folder.c_str(), MNT_DETACH);

  REQUIRE(mount("tmpfs", folder.c_str(), "tmpfs", MS_RDONLY, "size=1m") == 0);
  {
    auto s = open_storage("file://" + folder);
    CHECK_THAT(storage_error_of([&] { s->put("k", "x"); }),
               Contains("Read-only file system") && Contains(folder));
  }
  umount2(folder.c_str(), MNT_DETACH);
  fs::remove_all(folder);
}

TEST_CASE("file: a writer killed before its commit leaves a temporary file that the next write removes",
          "[storage][file]")
{
  const std::string folder = make_temp_folder();
  auto s = open_storage("file://" + folder);
  const auto temp_files = [&] {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(folder + "/dir")) {
      if (e.path().filename().string().find(".tmp.") != std::string::npos)
        names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  };
  // A child process starts a write and is killed half-way, as a killed archive run is.
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto w = s->open_write("dir/obj.copy.zst");
    const std::string data = random_bytes(3 << 20, 5);
    w->write(data.data(), data.size());
    raise(SIGKILL);
    _exit(1);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  const auto left = temp_files();
  REQUIRE(left.size() == 1);
  CHECK_THAT(left[0], Contains(".obj.copy.zst.tmp." + std::to_string(child) + "."));

  // Files that are not temporary files of a writer, a temporary file whose writer lives (its process, or
  // its lock held: a writer on another host), and the temporary file of a live writer of this process stay.
  const pid_t dead = [] {
    const pid_t p = fork();
    if (p == 0)
      _exit(0);
    waitpid(p, nullptr, 0);
    return p;
  }();
  const std::string locked = ".other.tmp." + std::to_string(dead) + ".0123456789abcdef";
  const std::string unlocked = ".third.tmp." + std::to_string(dead) + ".fedcba9876543210";
  for (const auto& name : {locked, unlocked, std::string(".notes.tmp.x"), std::string("keep.tmp.1.00")})
    std::ofstream(folder + "/dir/" + name) << "x";
  const int lock_fd = open((folder + "/dir/" + locked).c_str(), O_RDONLY);
  REQUIRE(flock(lock_fd, LOCK_EX) == 0);
  auto live = s->open_write("dir/live");
  live->write("abc", 3);

  s->put("dir/obj.manifest.json", "{}");
  const auto after = temp_files();
  CHECK(std::find(after.begin(), after.end(), left[0]) == after.end()); // the killed writer's file is gone
  CHECK(std::find(after.begin(), after.end(), unlocked) == after.end());
  CHECK(std::find(after.begin(), after.end(), locked) != after.end());
  CHECK(fs::exists(folder + "/dir/.notes.tmp.x"));
  CHECK(fs::exists(folder + "/dir/keep.tmp.1.00"));
  CHECK(std::count_if(after.begin(), after.end(),
                      [](const std::string& n) { return n.rfind(".live.tmp.", 0) == 0; }) == 1);
  close(lock_fd);
  live->commit();
  CHECK(s->get("dir/live") == "abc");
  CHECK(s->get("dir/obj.manifest.json") == "{}");
  fs::remove_all(folder);
}

TEST_CASE("storage URIs", "[storage][uri]")
{
  const auto f = parse_storage_uri("file:///var/backups//partman/");
  CHECK(f.scheme == StorageUri::Scheme::file);
  CHECK(f.prefix == "/var/backups/partman");
  const auto s = parse_storage_uri("s3://my-bucket.eu/archives/2024/");
  CHECK(s.scheme == StorageUri::Scheme::s3);
  CHECK(s.bucket == "my-bucket.eu");
  CHECK(s.prefix == "archives/2024");
  CHECK(parse_storage_uri("s3://bucket").prefix.empty());
  CHECK(parse_storage_uri("S3://bucket/").prefix.empty());

  const std::vector<std::pair<std::string, std::vector<std::string>>> bad{
      {"", {"empty storage URI"}},
      {"/var/backups", {"'/var/backups'", "no scheme", "file:///"}},
      {"file://backups/x", {"'file://backups/x'", "not an absolute path", "three slashes"}},
      {"file:///", {"root folder"}},
      {"file:///var/../etc", {"'..'"}},
      {"s3://", {"bucket is empty"}},
      {"s3:///prefix", {"bucket is empty"}},
      {"s3://My_Bucket/x", {"'My_Bucket' is not a valid bucket name", "lower-case"}},
      {"s3://b/x", {"'b' is not a valid bucket name"}},
      {"s3://bucket/a/./b", {"'.'"}},
      {"http://host/x", {"unknown scheme 'http'", "s3://bucket/prefix"}},
      {"file:///tmp/a\nb", {"control character"}},
  };
  for (const auto& [uri, parts] : bad) {
    INFO(uri);
    try {
      parse_storage_uri(uri);
      FAIL("accepted");
    } catch (const std::invalid_argument& e) {
      for (const auto& part : parts)
        CHECK_THAT(e.what(), Contains(part));
      CHECK_THAT(e.what(), Contains("HINT"));
    }
  }
  CHECK_THROWS_AS(open_storage("ftp://x"), std::invalid_argument);
}

TEST_CASE("names become key segments that stay inside the prefix", "[storage][key]")
{
  using partman::archive::key_segment;
  CHECK(key_segment("events_p20261205") == "events_p20261205");
  CHECK(key_segment("a/b") == "a%2Fb");
  CHECK(key_segment("..") == "%2E.");
  CHECK(key_segment(".hidden") == "%2Ehidden");
  CHECK(key_segment("tab\there") == "tab%09here");
  CHECK(key_segment("Order Lines") == "Order%20Lines");
  CHECK(key_segment("ünï") == "%C3%BCn%C3%AF");
}
