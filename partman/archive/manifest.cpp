#include "partman/archive/manifest.hpp"

#include <nlohmann/json.hpp>

#include "partman/archive/errors.hpp"

namespace partman::archive {

std::vector<Column> parse_manifest(const std::string& text, const std::string& where)
{
  nlohmann::json manifest;
  try {
    manifest = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw ArchiveError("the manifest " + where + " is not valid JSON: " + e.what());
  }
  const std::string unreadable =
      "the manifest " + where + " is not a partman archive manifest this version reads";
  // Any part of another shape (a wrong type, a missing key) is the manifest's fault, not partman's.
  try {
    if (!manifest.is_object() || manifest.value("format", "") != "partman-archive" ||
        manifest.value("version", 0) > k_manifest_version)
      throw ArchiveError(unreadable);
    const auto& listed = manifest.at("columns");
    if (!listed.is_array())
      throw ArchiveError(unreadable + ": its columns are not a list");
    std::vector<Column> columns;
    for (const auto& c : listed)
      columns.push_back(
          {c.at("name").get<std::string>(), c.at("type").get<std::string>(), c.at("not_null").get<bool>()});
    return columns;
  } catch (const nlohmann::json::exception& e) {
    throw ArchiveError(unreadable + ": " + e.what());
  }
}

} // namespace partman::archive
