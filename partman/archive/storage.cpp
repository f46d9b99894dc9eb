#include "partman/archive/storage.hpp"

#include <cctype>
#include <vector>

#include "partman/archive/storage_backends.hpp"

namespace partman::archive {

namespace {

const char* const k_uri_hint = "HINT: write file:///absolute/folder or s3://bucket/prefix";

std::invalid_argument bad_uri(const std::string& uri, const std::string& what, const std::string& hint)
{
  return std::invalid_argument("invalid storage URI '" + uri + "': " + what + "; " + hint);
}

// Splits `path` at '/', dropping empty segments (so "a//b/" is "a", "b").
std::vector<std::string> segments_of(const std::string& path)
{
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto end = path.find('/', start);
    const auto segment = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!segment.empty())
      out.push_back(segment);
    if (end == std::string::npos)
      break;
    start = end + 1;
  }
  return out;
}

// Joins the segments of `path` with single '/', refusing "." and ".." (a folder or prefix must name one
// place, not depend on how it is resolved).
std::string normalized_path(const std::string& uri, const std::string& path)
{
  std::string out;
  for (const auto& s : segments_of(path)) {
    if (s == "." || s == "..")
      throw bad_uri(uri, "the path has a '" + s + "' segment",
                    "HINT: name the folder or prefix directly, without '.' or '..'");
    out += (out.empty() ? "" : "/") + s;
  }
  return out;
}

// S3's bucket naming rules: 3 to 63 lower-case letters, digits, '.' and '-', starting and ending with a
// letter or digit.
bool valid_bucket(const std::string& b)
{
  if (b.size() < 3 || b.size() > 63)
    return false;
  for (const char c : b) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
          c == '.' || c == '-'))
      return false;
  }
  return std::isalnum(static_cast<unsigned char>(b.front())) &&
         std::isalnum(static_cast<unsigned char>(b.back())) && b.find("..") == std::string::npos;
}

} // namespace

StorageUri parse_storage_uri(const std::string& uri)
{
  if (uri.empty())
    throw std::invalid_argument(std::string("empty storage URI; ") + k_uri_hint);
  for (const char c : uri) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      throw bad_uri(uri, "it contains a control character", k_uri_hint);
  }
  const auto sep = uri.find("://");
  if (sep == std::string::npos)
    throw bad_uri(uri, "no scheme", k_uri_hint);
  std::string scheme = uri.substr(0, sep);
  for (auto& c : scheme)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string rest = uri.substr(sep + 3);

  StorageUri out;
  if (scheme == "file") {
    out.scheme = StorageUri::Scheme::file;
    if (rest.empty() || rest.front() != '/')
      throw bad_uri(uri, "not an absolute path (a host or a relative path after file:// is not supported)",
                    "HINT: write three slashes and the absolute folder: file:///var/backups/partman");
    const std::string folder = normalized_path(uri, rest);
    if (folder.empty())
      throw bad_uri(uri, "it names the root folder",
                    "HINT: name a folder for the archives: file:///var/backups/partman");
    out.prefix = "/" + folder;
    return out;
  }
  if (scheme == "s3") {
    out.scheme = StorageUri::Scheme::s3;
    const auto slash = rest.find('/');
    out.bucket = rest.substr(0, slash);
    if (out.bucket.empty())
      throw bad_uri(uri, "the bucket is empty", "HINT: write s3://bucket or s3://bucket/prefix");
    if (!valid_bucket(out.bucket))
      throw bad_uri(uri, "'" + out.bucket + "' is not a valid bucket name",
                    "HINT: a bucket name has 3 to 63 lower-case letters, digits, '.' or '-'");
    if (slash != std::string::npos)
      out.prefix = normalized_path(uri, rest.substr(slash + 1));
    return out;
  }
  throw bad_uri(uri, "unknown scheme '" + scheme + "'", k_uri_hint);
}

std::unique_ptr<Storage> open_storage(const std::string& uri)
{
  const StorageUri parsed = parse_storage_uri(uri);
  if (parsed.scheme == StorageUri::Scheme::file)
    return detail::open_file_storage(parsed);
  return detail::open_s3_storage(parsed);
}

std::string percent_encode(const std::string& s, bool keep_slash)
{
  static const char* const hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out += ch;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string key_segment(const std::string& name)
{
  std::string out = percent_encode(name, false);
  if (out.empty() || out.front() == '.')
    out = "%2E" + out.substr(out.empty() ? 0 : 1);
  return out;
}

namespace detail {

void check_key(const std::string& key)
{
  if (key.empty() || key.front() == '/' || key.back() == '/')
    throw std::invalid_argument("invalid storage key '" + key + "': empty, or starts or ends with '/'");
  for (const char c : key) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      throw std::invalid_argument("invalid storage key '" + key + "': it contains a control character");
  }
  std::size_t start = 0;
  while (true) {
    const auto end = key.find('/', start);
    const auto segment = key.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (segment.empty() || segment == "." || segment == "..")
      throw std::invalid_argument("invalid storage key '" + key + "': empty, '.' or '..' segment");
    if (end == std::string::npos)
      break;
    start = end + 1;
  }
}

} // namespace detail

} // namespace partman::archive
