// Helpers shared by the import-pg-partman tests: pg_partman's parents, its configuration and the tables as
// texts (to prove them unchanged), partman's policies, and a check of the output (header only:
// tests/CMakeLists.txt globs *.cpp).
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "harness.hpp"
#include "util.hpp"

namespace partman::test::pgp {

// Creates pg_partman in schema `schema` and, through its create_parent, a daily timestamptz parent
// public.ev (premake 3, retention 30 days, drop) and a monthly timestamp parent public.mo (premake 4).
inline void pg_partman_parents(TestDb& db, const std::string& schema = "pgp")
{
  const std::string s = db.conn().quote_name(schema);
  db.exec("CREATE SCHEMA " + s + "; CREATE EXTENSION pg_partman SCHEMA " + s +
          ";"
          "CREATE TABLE public.ev (id bigint, at timestamptz NOT NULL, note text) PARTITION BY RANGE (at);"
          "CREATE TABLE public.mo (id bigint, at timestamp NOT NULL) PARTITION BY RANGE (at);"
          "SELECT " +
          s +
          ".create_parent('public.ev', 'at', 'native', 'daily', p_premake := 3);"
          "SELECT " +
          s +
          ".create_parent('public.mo', 'at', 'native', 'monthly');"
          "UPDATE " +
          s +
          ".part_config SET retention = '30 days', retention_keep_table = false WHERE parent_table = "
          "'public.ev'");
}

// Returns pg_partman's configuration as one text (part_config and part_config_sub), to prove it unchanged.
inline std::string pg_partman_config(TestDb& db, const std::string& schema = "pgp")
{
  const std::string s = db.conn().quote_name(schema);
  return db.scalar("SELECT (SELECT string_agg(c::text, E'\\n' ORDER BY parent_table) FROM " + s +
                   ".part_config c) || E'\\n' || (SELECT count(*) FROM " + s + ".part_config_sub)");
}

// Returns the relations and their partition bounds, to prove that no table changed.
inline std::string tables(TestDb& db)
{
  return partman::test::join_lines(db.column(
      "SELECT c.oid || ' ' || c.relnamespace::regnamespace || '.' || c.relname || ' ' || c.relkind::text || "
      "' ' || coalesce(pg_get_expr(c.relpartbound, c.oid), '') FROM pg_class c WHERE c.relnamespace "
      "NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace) AND c.relkind IN ('r', "
      "'p') ORDER BY c.oid"));
}

// Returns partman's policies, one line a policy.
inline std::string policy_rows(TestDb& db, const std::string& schema = "partman")
{
  return partman::test::join_lines(db.column(
      "SELECT format('%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s.%s', parent_schema, parent_table, partition_interval, "
      "premake, retention, retention_action, retention_schema, timezone, start_at, inherit_privileges, "
      "template_schema, template_table) FROM " +
      db.conn().quote_name(schema) + ".policy ORDER BY parent_schema, parent_table, level"));
}

// Creates public.sub through pg_partman (in schema pgp): yearly partitions (premake 1), each partitioned
// by month on the same key (premake 1): part_config_sub, and a part_config row per year.
inline void pg_partman_years_of_months(TestDb& db)
{
  db.exec(R"sql(
    CREATE TABLE public.sub (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at);
    SELECT pgp.create_parent('public.sub', 'at', 'native', 'yearly', p_premake := 1);
    SELECT pgp.create_sub_parent('public.sub', 'at', 'native', 'monthly', p_premake := 1,
                                 p_native_check := 'yes');
  )sql");
}

// Checks that `text` holds every one of `parts`.
inline void check_holds(const std::string& text, const std::vector<std::string>& parts)
{
  for (const auto& part : parts) {
    INFO("expected: " << part);
    CHECK(contains(text, part));
  }
}

} // namespace partman::test::pgp
