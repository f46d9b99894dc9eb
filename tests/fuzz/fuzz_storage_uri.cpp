// Fuzz target: storage URIs as a user gives them (--archive-to file:///folder, s3://bucket/prefix) and object
// keys as the storage layer checks them. What parses must name one place, written the one way, and a key
// that is accepted must stay inside its folder or prefix.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "fuzz_check.hpp"
#include "partman/archive/storage.hpp"
#include "partman/archive/storage_backends.hpp"

namespace {

using partman::archive::StorageUri;

// Checks that `path` is '/'-separated segments, none empty, "." or "..", none with a control character.
void check_segments(const std::string& path)
{
  std::size_t start = 0;
  while (true) {
    const auto end = path.find('/', start);
    const std::string segment =
        path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    partman::fuzz::check(!segment.empty() && segment != "." && segment != "..");
    for (const char c : segment)
      partman::fuzz::check(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
    if (end == std::string::npos)
      break;
    start = end + 1;
  }
}

// Checks a parsed URI, and that its canonical form parses to the same place.
void check_uri(const StorageUri& u)
{
  std::string canonical;
  if (u.scheme == StorageUri::Scheme::file) {
    partman::fuzz::check(u.bucket.empty() && u.prefix.size() > 1 && u.prefix[0] == '/');
    check_segments(u.prefix.substr(1));
    canonical = "file://" + u.prefix;
  } else {
    partman::fuzz::check(u.bucket.size() >= 3 && u.bucket.size() <= 63 &&
                         u.bucket.find('/') == std::string::npos);
    if (!u.prefix.empty())
      check_segments(u.prefix);
    canonical = "s3://" + u.bucket + (u.prefix.empty() ? "" : "/" + u.prefix);
  }
  const StorageUri again = partman::archive::parse_storage_uri(canonical);
  partman::fuzz::check(again.scheme == u.scheme && again.bucket == u.bucket && again.prefix == u.prefix);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::optional<StorageUri> uri;
  try {
    uri = partman::archive::parse_storage_uri(text);
  } catch (const std::invalid_argument&) {
  }
  if (uri)
    check_uri(*uri); // (outside the try: a canonical form that is refused is a finding)
  bool key_ok = true;
  try {
    partman::archive::detail::check_key(text);
  } catch (const std::invalid_argument&) {
    key_ok = false;
  }
  if (key_ok)
    check_segments(text);
  return 0;
}
