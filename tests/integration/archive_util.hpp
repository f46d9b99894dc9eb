// Helpers shared by the archive tests: a parent with expired partitions under archive retention, digests of
// what tables hold, and the archive list (header only: tests/CMakeLists.txt globs *.cpp).
#pragma once

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness.hpp"
#include "util.hpp"

namespace partman::test::archive {

namespace fs = std::filesystem;

// "Now" for the runs that archive: retention 2 days expires the partitions of 03-01, 03-02 and 03-03.
inline const char* const k_at = "2026-03-06 12:00";
inline const std::vector<std::string> k_expired = {"ev_p20260301", "ev_p20260302", "ev_p20260303"};

// Creates `ev` (columns of many types, values that COPY must escape), daily partitions 03-01 to 03-08,
// `rows_per_day` rows a day from 03-01 to 03-05, and manages it with retention 2 days, action archive.
inline void set_up(TestDb& db, const std::string& storage, int rows_per_day, bool with_default = false)
{
  REQUIRE(db.partman({"install"}).exit_code == 0);
  db.exec("CREATE TABLE ev (id bigint NOT NULL, ts timestamptz NOT NULL, note text, doc jsonb, amount "
          "numeric(12,2), tags text[], raw bytea, day date, flag boolean, big text) PARTITION BY RANGE (ts)");
  if (with_default)
    db.exec("CREATE TABLE ev_default PARTITION OF ev DEFAULT");
  const auto m =
      db.partman({"manage", "ev", "--interval", "daily", "--premake", "3", "--start", "2026-03-01"});
  INFO(m.err);
  REQUIRE(m.exit_code == 0);
  REQUIRE(db.partman({"apply", "--at", "2026-03-05 00:00"}).exit_code == 0);
  db.exec("INSERT INTO ev SELECT g, '2026-03-01 00:00+00'::timestamptz + (g % (5 * " +
          std::to_string(rows_per_day) + ")) * (interval '5 days' / (5 * " + std::to_string(rows_per_day) +
          ")), CASE g % 7 WHEN 0 THEN NULL WHEN 1 THEN E'tab\\there, new\\nline, back\\\\slash' WHEN 2 THEN "
          "'ünïcødé ✓ 中文' WHEN 3 THEN '' WHEN 4 THEN E'\\\\N not null' ELSE 'row ' || g END, "
          "jsonb_build_object('g', g, 's', repeat('x', g % 5), 'q', 'a\"b'), g * 1.25, ARRAY['a', 'b c', "
          "NULL], decode(md5(g::text), 'hex'), date '2026-01-01' + g % 365, g % 2 = 0, md5(g::text) || "
          "md5((g + 1)::text) FROM generate_series(1, " +
          std::to_string(5 * rows_per_day) + ") g");
  const auto a = db.partman(
      {"manage", "ev", "--retention", "2 days", "--retention-action", "archive", "--archive-to", storage});
  INFO(a.out << a.err);
  REQUIRE(a.exit_code == 0);
}

// Returns an md5 over every row of `table` in id order (the text form of each row, so every column counts).
inline std::string table_digest(TestDb& db, const std::string& table)
{
  return db.scalar("SELECT md5(string_agg(t::text, E'\\n' ORDER BY id)) || ' ' || count(*) FROM " + table +
                   " t");
}

inline std::map<std::string, std::string> digests(TestDb& db)
{
  std::map<std::string, std::string> out;
  for (const auto& p : k_expired)
    out[p] = table_digest(db, p);
  return out;
}

inline nlohmann::json archives(TestDb& db)
{
  const auto r = db.partman({"archive", "list", "-f", "json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out).at("archives");
}

inline bool table_exists(TestDb& db, const std::string& name)
{
  return db.scalar("SELECT to_regclass('" + name + "') IS NOT NULL") == "t";
}

// Files in `dir` (recursively) whose names hold `part`.
inline std::vector<std::string> files_with(const fs::path& dir, const std::string& part)
{
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && contains(e.path().filename().string(), part))
      out.push_back(e.path().string());
  }
  return out;
}

} // namespace partman::test::archive
