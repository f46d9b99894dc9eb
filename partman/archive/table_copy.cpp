#include "partman/archive/table_copy.hpp"

#include <cstring>
#include <pqxx/pqxx>

#include "partman/core/names.hpp"

namespace partman::archive {

std::string table_of(const ArchiveRecord& a)
{
  return core::quote_qualified(a.partition_schema, a.partition_name);
}

std::vector<Column> table_columns(pqxx::transaction_base& tx, const std::string& table_sql)
{
  const auto r =
      tx.exec_params("SELECT attname, format_type(atttypid, atttypmod), attnotnull FROM pg_attribute "
                     "WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND "
                     "attgenerated = '' ORDER BY attnum",
                     table_sql);
  std::vector<Column> out;
  for (const auto& row : r)
    out.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<bool>()});
  return out;
}

std::string column_list(const std::vector<Column>& columns)
{
  std::string out;
  for (const auto& c : columns)
    out += (out.empty() ? "" : ", ") + core::quote_ident(c.name);
  return out;
}

std::string create_table_sql(const std::string& table_sql, const std::vector<Column>& columns)
{
  std::string out = "CREATE TABLE " + table_sql + " (";
  for (std::size_t i = 0; i < columns.size(); ++i)
    out += (i ? ", " : "") + core::quote_ident(columns[i].name) + " " + columns[i].type +
           (columns[i].not_null ? " NOT NULL" : "");
  return out + ")";
}

std::uint64_t count_newlines(const char* data, std::size_t size)
{
  std::uint64_t n = 0;
  const char* const end = data + size;
  while ((data = static_cast<const char*>(std::memchr(data, '\n', static_cast<std::size_t>(end - data))))) {
    ++n;
    ++data;
  }
  return n;
}

std::uint64_t read_checked(Storage& storage, const ArchiveRecord& a, Progress& progress,
                           const ByteSink& decoded)
{
  Sha256 sha;
  std::uint64_t stored = 0;
  Decompressor zstd(decoded);
  std::string undecodable;
  storage.read(a.object_key, [&](const char* data, std::size_t size) {
    sha.update(data, size);
    stored += size;
    if (undecodable.empty()) {
      try {
        zstd.write(data, size);
      } catch (const CodecError& e) {
        undecodable = e.what();
      }
    }
    progress.update(stored);
  });
  if (undecodable.empty()) {
    try {
      zstd.finish();
    } catch (const CodecError& e) {
      undecodable = e.what();
    }
  }
  const std::string digest = sha.hex();
  if (digest != a.sha256)
    throw ArchiveError("checksum mismatch in " + storage.uri(a.object_key) + ": stored " + digest +
                       ", expected " + a.sha256);
  if (!undecodable.empty())
    throw ArchiveError(storage.uri(a.object_key) + ": " + undecodable);
  return stored;
}

} // namespace partman::archive
