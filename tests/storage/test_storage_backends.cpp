// Archive storage on both backends (a local folder, a real S3-compatible server): objects round trip.
#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "partman/archive/storage.hpp"
#include "storage_fixtures.hpp"

using namespace partman::archive;
using namespace partman::test;
using Catch::Matchers::Contains;

namespace {

// Returns what object `key` holds, read through the sink; counts the chunks and the largest one.
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
