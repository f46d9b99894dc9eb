#include "partman/run/manage_options.hpp"

#include <algorithm>

#include "partman/archive/storage.hpp"
#include "partman/core/errors.hpp"

namespace partman::run {

std::vector<std::string> listed_values(const ManageOptions& a)
{
  std::vector<std::string> out;
  if (!a.values.empty()) {
    std::size_t from = 0;
    for (;;) {
      const std::size_t comma = std::min(a.values.find(',', from), a.values.size());
      std::string item = a.values.substr(from, comma - from);
      item.erase(0, item.find_first_not_of(' '));
      item.erase(item.find_last_not_of(' ') + 1);
      if (item.empty())
        throw UsageError("--values: an empty value in '" + a.values +
                         "'; HINT: pass --value '' for the empty string, and --value 'a,b' for a value that "
                         "holds a comma");
      out.push_back(item);
      if (comma == a.values.size())
        break;
      from = comma + 1;
    }
  }
  out.insert(out.end(), a.value.begin(), a.value.end());
  return out;
}

std::string parse_premake(const std::string& text)
{
  if (text.empty())
    return text;
  try {
    std::size_t used = 0;
    const int n = std::stoi(text, &used);
    if (used != text.size())
      throw std::invalid_argument(text);
    return std::to_string(n);
  } catch (const std::exception&) {
    throw UsageError("--premake: invalid number '" + text + "'");
  }
}

void check_storage_writable(const std::string& uri)
{
  try {
    auto storage = archive::open_storage(uri);
    const std::string key = ".partman-write-check";
    storage->put(key, "partman checks that it can write here\n");
    storage->remove(key);
  } catch (const archive::StorageError& e) {
    throw UsageError(std::string("--archive-to: cannot write to ") + uri + ": " + e.what() +
                     "; HINT: check the path or bucket, and for s3 the AWS_* variables or ~/.aws files");
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--archive-to: ") + e.what());
  }
}

} // namespace partman::run
