// Partition bounds read from the server's catalog text: LIST values, and range bounds from node trees.
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "harness.hpp"
#include "partman/db/bound_node.hpp"
#include "partman/db/list_values.hpp"

using partman::test::TestDb;

TEST_CASE("shapes: LIST bounds read back value for value from the server's deparsed text")
{
  std::vector<std::string> values;
  bool null_value = false;
  REQUIRE(
      partman::db::parse_list_bound("FOR VALUES IN ('a'', ''b', '', 'x, y', 'back\\slash', 7, '-5', NULL, "
                                    "'it''s')",
                                    values, null_value));
  CHECK(values == std::vector<std::string>{"a', 'b", "", "x, y", "back\\slash", "7", "-5", "it's"});
  CHECK(null_value);
  values.clear();
  null_value = false;
  REQUIRE(partman::db::parse_list_bound("FOR VALUES IN ('''')", values, null_value));
  CHECK(values == std::vector<std::string>{"'"});
  CHECK(!null_value);
  for (const std::string bad :
       {"FOR VALUES IN ('open)", "FOR VALUES FROM (1) TO (2)", "DEFAULT", "FOR VALUES IN ('a' 'b')"}) {
    INFO(bad);
    std::vector<std::string> out;
    CHECK(!partman::db::parse_list_bound(bad, out, null_value));
  }
}

TEST_CASE("shapes: range bounds read from the server's node trees equal the server's own reading")
{
  TestDb db;
  db.exec("CREATE TABLE tz (k timestamptz) PARTITION BY RANGE (k);"
          "CREATE TABLE tz_a PARTITION OF tz FOR VALUES FROM ('2026-03-29 01:00+00') TO ('2026-03-29 "
          "02:00:00.5+00');"
          "CREATE TABLE tz_b PARTITION OF tz FOR VALUES FROM (MINVALUE) TO ('1969-12-31 23:59:59.999999+00');"
          "CREATE TABLE tz_c PARTITION OF tz FOR VALUES FROM ('2400-01-01+00') TO (MAXVALUE);"
          "CREATE TABLE ts (k timestamp) PARTITION BY RANGE (k);"
          "CREATE TABLE ts_a PARTITION OF ts FOR VALUES FROM ('-infinity') TO ('1900-01-01');"
          "CREATE TABLE ts_b PARTITION OF ts FOR VALUES FROM ('2026-11-25 04:20') TO ('infinity');"
          "CREATE TABLE d (k date) PARTITION BY RANGE (k);"
          "CREATE TABLE d_a PARTITION OF d FOR VALUES FROM ('1999-12-31') TO ('2000-01-02');"
          "CREATE TABLE d_b PARTITION OF d FOR VALUES FROM ('2028-02-29') TO ('2028-03-01');"
          "CREATE TABLE i8 (k bigint) PARTITION BY RANGE (k);"
          "CREATE TABLE i8_a PARTITION OF i8 FOR VALUES FROM (-9223372036854775807) TO (-1);"
          "CREATE TABLE i8_b PARTITION OF i8 FOR VALUES FROM (0) TO (9223372036854775807);"
          "CREATE TABLE i4 (k integer) PARTITION BY RANGE (k);"
          "CREATE TABLE i4_a PARTITION OF i4 FOR VALUES FROM (-2147483648) TO (2147483647);"
          "CREATE TABLE i2 (k smallint) PARTITION BY RANGE (k);"
          "CREATE TABLE i2_a PARTITION OF i2 FOR VALUES FROM (-32768) TO (300);");
  // The server's reading: microseconds since 1970 (UTC for timestamptz, wall clock otherwise), or the
  // integer; empty for MINVALUE, MAXVALUE and the infinities.
  const auto expected = [&](const std::string& table, const char* side) {
    return db.scalar("SELECT CASE WHEN v IN ('MINVALUE', 'MAXVALUE', 'infinity', '-infinity') THEN '' "
                     "WHEN t = 'timestamp with time zone' THEN (extract(epoch FROM v::timestamptz) * "
                     "1000000)::bigint::text WHEN t = 'timestamp without time zone' THEN (extract(epoch FROM "
                     "v::timestamp) * 1000000)::bigint::text WHEN t = 'date' THEN (extract(epoch FROM "
                     "v::date) * 1000000)::bigint::text ELSE v END FROM (SELECT btrim((regexp_match("
                     "pg_get_expr(c.relpartbound, c.oid), 'FROM \\((.*)\\) TO \\((.*)\\)'))[" +
                     std::string(side) +
                     "], '''') AS v, format_type(a.atttypid, a.atttypmod) AS t FROM pg_class "
                     "c JOIN pg_inherits i ON i.inhrelid = c.oid JOIN pg_attribute a ON a.attrelid = "
                     "i.inhparent AND a.attname = 'k' WHERE c.relname = '" +
                     table + "') x");
  };
  const auto text = [](const std::optional<partman::core::Micros>& v) {
    return v ? std::to_string(*v) : std::string();
  };
  for (const std::string table :
       {"tz_a", "tz_b", "tz_c", "ts_a", "ts_b", "d_a", "d_b", "i8_a", "i8_b", "i4_a", "i2_a"}) {
    INFO(table);
    const std::string node =
        db.scalar("SELECT relpartbound::text FROM pg_class WHERE relname = '" + table + "'");
    std::optional<partman::core::Micros> lower, upper;
    REQUIRE(partman::db::parse_bound_node(node, lower, upper));
    CHECK(text(lower) == expected(table, "1"));
    CHECK(text(upper) == expected(table, "2"));
    // A field the reader does not expect (as a later PostgreSQL might add) is searched past.
    std::string extended = node;
    for (auto at = extended.find(" :constlen "); at != std::string::npos;
         at = extended.find(" :constlen ", at + 30))
      extended.insert(at, " :constfuture {X :y 1}");
    std::optional<partman::core::Micros> lower2, upper2;
    REQUIRE(partman::db::parse_bound_node(extended, lower2, upper2));
    CHECK((lower2 == lower && upper2 == upper));
    // Any cut of the tree is refused (or still reads right), never read past its end.
    for (std::size_t cut = 0; cut < node.size(); cut += 7) {
      std::optional<partman::core::Micros> l, u;
      const std::string part = node.substr(0, cut);
      if (partman::db::parse_bound_node(part, l, u))
        CHECK((l == lower && u == upper));
    }
  }
  std::optional<partman::core::Micros> lower, upper;
  CHECK(
      !partman::db::parse_bound_node("{PARTITIONBOUNDSPEC :strategy l :listdatums ({CONST})}", lower, upper));
  CHECK(!partman::db::parse_bound_node("", lower, upper));
}

TEST_CASE("shapes: a bound past the year 294247 is not read from the node tree (it would overflow), one "
          "before it is")
{
  TestDb db;
  // Microseconds since 1970 end in 294247: the reader once overflowed past it (undefined behaviour, wrapped
  // to a bound in the past).
  db.exec(
      "CREATE TABLE far_tz (k timestamptz) PARTITION BY RANGE (k);"
      "CREATE TABLE far_tz_a PARTITION OF far_tz FOR VALUES FROM ('2026-01-01+00') TO ('294270-01-01+00');"
      "CREATE TABLE far_tz_b PARTITION OF far_tz FOR VALUES FROM ('294270-01-01+00') TO (MAXVALUE);"
      "CREATE TABLE far_d (k date) PARTITION BY RANGE (k);"
      "CREATE TABLE far_d_a PARTITION OF far_d FOR VALUES FROM ('2026-01-01') TO ('5000000-01-01');"
      "CREATE TABLE near_d (k date) PARTITION BY RANGE (k);"
      "CREATE TABLE near_d_a PARTITION OF near_d FOR VALUES FROM ('2026-01-01') TO ('294246-12-31');"
      "CREATE TABLE near_ts (k timestamp) PARTITION BY RANGE (k);"
      "CREATE TABLE near_ts_a PARTITION OF near_ts FOR VALUES FROM ('2026-01-01') TO ('294246-12-31');");
  const auto node = [&](const std::string& table) {
    return db.scalar("SELECT relpartbound::text FROM pg_class WHERE relname = '" + table + "'");
  };
  for (const std::string table : {"far_tz_a", "far_tz_b", "far_d_a"}) {
    INFO(table);
    std::optional<partman::core::Micros> lower, upper;
    CHECK_FALSE(partman::db::parse_bound_node(node(table), lower, upper));
  }
  const std::string last = db.scalar("SELECT (extract(epoch FROM date '294246-12-31') * 1000000)::bigint");
  for (const std::string table : {"near_d_a", "near_ts_a"}) {
    INFO(table);
    std::optional<partman::core::Micros> lower, upper;
    REQUIRE(partman::db::parse_bound_node(node(table), lower, upper));
    CHECK((upper && std::to_string(*upper) == last));
  }
}
