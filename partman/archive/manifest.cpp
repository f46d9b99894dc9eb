#include "partman/archive/manifest.hpp"

#include <nlohmann/json.hpp>

#include "partman/archive/archiver.hpp"

namespace partman::archive {

std::vector<Column> parse_manifest(const std::string& text, const std::string& where)
{
  nlohmann::json manifest;
  try {
    manifest = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw ArchiveError("the manifest " + where + " is not valid JSON: " + e.what());
  }
  if (manifest.value("format", "") != "partman-archive" || manifest.value("version", 0) > k_manifest_version)
    throw ArchiveError("the manifest " + where + " is not a partman archive manifest this version reads");
  std::vector<Column> columns;
  for (const auto& c : manifest.at("columns"))
    columns.push_back(
        {c.at("name").get<std::string>(), c.at("type").get<std::string>(), c.at("not_null").get<bool>()});
  return columns;
}

} // namespace partman::archive
