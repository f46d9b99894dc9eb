// An archive's manifest (the JSON object stored next to its data): what restore reads back from it.
#pragma once

#include <string>
#include <vector>

namespace partman::archive {

// A table's column as COPY and restore need it (generated and dropped columns left out).
struct Column
{
  std::string name;
  std::string type;
  bool not_null = false;
};

// The manifest format's version this build writes, and the newest it reads.
constexpr int k_manifest_version = 1;

// Returns the columns that the manifest `text` records; `where` names it in errors. Throws ArchiveError
// when the text is not a partman archive manifest this version reads.
std::vector<Column> parse_manifest(const std::string& text, const std::string& where);

} // namespace partman::archive
