// Storage URIs read and refused, and names made into key segments that stay inside the prefix.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "partman/archive/storage.hpp"

using namespace partman::archive;
using Catch::Matchers::Contains;

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
