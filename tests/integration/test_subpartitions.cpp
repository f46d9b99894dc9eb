// Sub-partitioning on two levels against a real server: new partitions created partitioned with their own
// partitions, rows landing in the leaves, retention per level, LIST tenants into months, a default
// partition's rows moved into a new sub-partitioned partition, archive and restore of one, and bad input.
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>

#include "harness.hpp"
#include "util.hpp"

using partman::test::action_count;
using partman::test::children_of;
using partman::test::contains;
using partman::test::fingerprint;
using partman::test::run;
using partman::test::TestDb;

namespace {

const char* const k_events =
    "CREATE TABLE events (id bigint NOT NULL, ts timestamptz NOT NULL, payload text, "
    "PRIMARY KEY (id, ts)) PARTITION BY RANGE (ts)";

// Returns how many partitions `parent` has.
std::string partition_count(TestDb& db, const std::string& parent)
{
  return db.scalar("SELECT count(*) FROM pg_inherits WHERE inhparent = to_regclass(" +
                   db.conn().quote(parent) + ")");
}

// Returns the relkind of `table` ('p' partitioned, 'r' plain), or an empty string when it does not exist.
std::string kind_of(TestDb& db, const std::string& table)
{
  return db.scalar("SELECT coalesce((SELECT relkind::text FROM pg_class WHERE oid = to_regclass(" +
                   db.conn().quote(table) + ")), '')");
}

// Inserts one row an hour into events from `from` for `hours` hours.
void insert_hours(TestDb& db, const std::string& from, int hours)
{
  db.exec("INSERT INTO events SELECT g, '" + from +
          "'::timestamptz + g * interval '1 hour', 'x' FROM "
          "generate_series(0, " +
          std::to_string(hours - 1) + ") g");
}

// Installs partman, creates events, and manages it monthly with daily partitions inside each month.
void months_into_days(TestDb& db, const std::vector<std::string>& outer_options = {},
                      const std::vector<std::string>& inner_options = {})
{
  run(db, {"install"});
  db.exec(k_events);
  std::vector<std::string> outer = {"manage", "events", "--interval", "monthly", "--premake", "1"};
  outer.insert(outer.end(), outer_options.begin(), outer_options.end());
  run(db, outer);
  std::vector<std::string> inner = {"manage",     "events",     "--subpartition-by",
                                    "RANGE (ts)", "--interval", "daily"};
  inner.insert(inner.end(), inner_options.begin(), inner_options.end());
  const auto m = run(db, inner);
  CHECK(contains(m.out,
                 "managing \"public\".\"events\"'s partitions, partitioned BY RANGE (\"ts\"): 1 day on "
                 "\"ts\" (timestamp with time zone)"));
}

} // namespace

TEST_CASE("sub-partitioning: months into days, created partitioned with every day, rows in the leaves, the "
          "tree in status")
{
  TestDb db;
  months_into_days(db);
  db.exec("COMMENT ON TABLE events IS 'the events'");
  CHECK(db.scalar("SELECT string_agg(level || ':' || coalesce(partition_key, '-'), ',' ORDER BY level) FROM "
                  "partman.policy") == "1:-,2:ts");

  const auto first = run(db, {"apply", "--at", "2026-11-25 10:00"});
  CHECK(contains(first.out, "Done: 2 created"));
  CHECK(kind_of(db, "events_p202611") == "p");
  CHECK(kind_of(db, "events_p202612") == "p");
  CHECK(partition_count(db, "events_p202611") == "30");
  CHECK(partition_count(db, "events_p202612") == "31");
  CHECK(db.scalar("SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = "
                  "'events_p202612_p20261231'") ==
        "FOR VALUES FROM ('2026-12-31 00:00:00+00') TO ('2027-01-01 00:00:00+00')");
  // PostgreSQL carries the primary key to the leaves on attach; partman carries the comment.
  CHECK(db.scalar("SELECT count(*) FROM pg_index WHERE indisprimary AND indrelid = "
                  "'events_p202611_p20261101'::regclass") == "1");
  CHECK(db.scalar("SELECT obj_description('events_p202611_p20261101'::regclass, 'pg_class')") ==
        "the events");

  insert_hours(db, "2026-11-01", 61 * 24);
  CHECK(db.scalar("SELECT count(DISTINCT tableoid) || '/' || count(*) FROM events") == "61/1464");
  CHECK(db.scalar("SELECT count(*) FROM events_p202611_p20261125") == "24");

  const auto again = run(db, {"plan", "--at", "2026-11-25 10:00", "-f", "json"});
  CHECK(action_count(again.out) == 0);
  const auto doc = nlohmann::json::parse(again.out);
  REQUIRE(doc["parents"].size() == 3);
  CHECK(doc["parents"][1]["parent"] == "\"public\".\"events_p202611\"");
  CHECK(doc["parents"][1]["partition_of"] == "\"public\".\"events\"");

  const auto status = run(db, {"status", "--at", "2026-11-25 10:00"});
  CHECK(contains(status.out, "  partitions sub-partitioned BY RANGE (\"ts\"): 1 day, premake 4, UTC\n"));
  CHECK(contains(status.out,
                 "\n    \"public\".\"events_p202611\" (a partition of \"public\".\"events\", under "
                 "its level-2 policy): 1 day, premake 4, time zone UTC\n"));
  CHECK(contains(status.out, "\n      \"public\".\"events_p202611_p20261125\"  2026-11-25 00:00:00+00:00"));
  const auto json = nlohmann::json::parse(run(db, {"status", "-f", "json"}).out);
  CHECK(json["parents"][0]["sub_partitioned_by"] == "RANGE (\"ts\")");
  // A partitioned partition shows what its leaves hold: rows by estimate once they are analysed (as
  // autovacuum does, which never analyses a partitioned table itself), and bytes.
  db.exec("DO $$DECLARE leaf regclass; BEGIN FOR leaf IN SELECT relid FROM pg_partition_tree('events') WHERE "
          "isleaf LOOP EXECUTE format('ANALYZE %s', leaf); END LOOP; END$$");
  REQUIRE(db.scalar("SELECT reltuples FROM pg_class WHERE relname = 'events_p202611'") == "-1");
  const auto analysed = nlohmann::json::parse(run(db, {"status", "events", "-f", "json"}).out);
  std::map<std::string, nlohmann::json> months;
  for (const auto& p : analysed["parents"][0]["partitions"])
    months[p["partition"].get<std::string>()] = p;
  CHECK(months["\"public\".\"events_p202611\""]["estimated_rows"] == 720);
  CHECK(months["\"public\".\"events_p202612\""]["estimated_rows"] == 744);
  CHECK(months["\"public\".\"events_p202611\""]["bytes"].get<long long>() >
        30 * 8192); // every day's table and primary key
  CHECK(json["parents"][2]["level"] == 2);
  CHECK(contains(run(db, {"plan", "events_p202611"}, 2).err,
                 "\"public\".\"events_p202611\" is a partition of \"public\".\"events\", kept by its level-2 "
                 "policy; HINT: name \"public\".\"events\", which plans its partitions too"));
}

TEST_CASE("sub-partitioning: retention per level, and nothing planned inside a partition its parent removes")
{
  TestDb db;
  months_into_days(db, {"--retention", "3 months"}, {"--retention", "40 days", "--retention-action", "drop"});
  // Dates behind the server's clock: removals judged ahead of it would wait for --force.
  run(db, {"apply", "--at", "2025-11-25 10:00"});
  insert_hours(db, "2025-11-01", 61 * 24);

  // Dec 20th: the days that ended before Nov 10th 10:00 go (level 2); every month stays (level 1).
  const auto dec = run(db, {"apply", "--at", "2025-12-20 10:00"});
  CHECK(contains(dec.out, "Done: 1 created, 9 dropped"));
  CHECK(partition_count(db, "events_p202511") == "21");
  CHECK(db.scalar("SELECT min(ts)::text FROM events") == "2025-11-10 00:00:00+00");

  // March 5th: November leaves at level 1 (detached, with its days); December's days all expire at level 2,
  // and January's before the 24th; a jump this large needs --max-removal.
  const auto plan = run(db, {"plan", "--at", "2026-03-05 10:00"}, 3); // 3: refused removals
  CHECK(contains(plan.out, "\"public\".\"events_p202511\" (a partition of \"public\".\"events\"; 1 day"));
  CHECK(contains(plan.out, "  ! info: its parent \"public\".\"events\" removes it in this run, with its "
                           "partitions\n"));
  CHECK(contains(plan.out, "of the partitions of \"public\".\"events\", more than 50%"));
  const auto mar = run(db, {"apply", "--at", "2026-03-05 10:00", "--max-removal", "100"});
  CHECK(contains(mar.out, "1 detached"));
  CHECK(db.scalar("SELECT relispartition::text FROM pg_class WHERE relname = 'events_p202511'") == "false");
  CHECK(partition_count(db, "events_p202511") == "21"); // detached whole, its days inside
  CHECK(partition_count(db, "events_p202512") == "0");
  CHECK(db.scalar("SELECT count(*) FROM events") == "0"); // every row left was before Jan 24th
  CHECK(action_count(run(db, {"plan", "--at", "2026-03-05 10:00", "-f", "json"}).out) == 0);
}

TEST_CASE("sub-partitioning: LIST tenants into months, a new tenant gets its months, old months expire per "
          "tenant")
{
  TestDb db;
  run(db, {"install"});
  db.exec("CREATE TABLE orders (id bigint NOT NULL, tenant text NOT NULL, ts timestamptz NOT NULL) PARTITION "
          "BY LIST (tenant)");
  run(db, {"manage", "orders", "--values", "acme,globex"});
  run(db, {"manage", "orders", "--subpartition-by", "RANGE (ts)", "--interval", "monthly", "--premake", "1",
           "--retention", "2 months", "--retention-action", "drop"});
  CHECK(contains(run(db, {"apply", "--at", "2026-11-25 10:00"}).out, "Done: 2 created"));
  CHECK(partition_count(db, "orders_acme") == "2");

  run(db, {"manage", "orders", "--values", "acme,globex,initech"});
  const auto plan = run(db, {"plan", "--at", "2026-11-25 10:00"});
  CHECK(contains(plan.out,
                 "  + create \"public\".\"orders_initech\" IN ('initech')\n      listed value "
                 "'initech'; created partitioned BY RANGE (\"ts\") with 2 partition(s) of its own\n"));
  run(db, {"apply", "--at", "2026-11-25 10:00"});
  CHECK(children_of(db, {"orders_initech"}) == "orders_initech_p202611,orders_initech_p202612");
  db.exec("INSERT INTO orders SELECT g, (ARRAY['acme', 'globex', 'initech'])[g % 3 + 1], "
          "'2026-11-20'::timestamptz "
          "+ g * interval '1 hour' FROM generate_series(0, 599) g");
  CHECK(db.scalar("SELECT count(DISTINCT tableoid) FROM orders") == "6");

  // Feb 15th: each tenant's November expires; February and March come.
  const auto feb = run(db, {"apply", "--at", "2027-02-15 10:00", "--force"}); // maybe ahead of the server
  CHECK(contains(feb.out, "Done: 6 created, 3 dropped"));
  CHECK(kind_of(db, "orders_acme_p202611").empty());
  CHECK(kind_of(db, "orders_initech_p202703") == "r");
  CHECK(db.scalar("SELECT count(*) FROM orders") == "336");
}

TEST_CASE("sub-partitioning: a default partition's rows move into a new sub-partitioned partition, which "
          "later archives and restores")
{
  TestDb db;
  partman::test::TempDir store;
  months_into_days(db, {"--default-partition", "--retention", "2 months", "--retention-action", "archive",
                        "--archive-to", "file://" + store.path.string()});
  run(db, {"apply", "--at", "2026-09-20 10:00"}); // September, October and the default partition
  insert_hours(db, "2026-10-01", 61 * 24);        // November's rows go to the default partition
  CHECK(db.scalar("SELECT count(*) FROM ONLY events_default") == "720");

  const auto nov = run(db, {"apply", "--at", "2026-11-25 10:00"});
  CHECK(contains(nov.out, "Done: 2 created"));
  CHECK(db.scalar("SELECT count(*) FROM ONLY events_default") == "0");
  CHECK(db.scalar("SELECT count(*) FROM events") == "1464");
  CHECK(db.scalar("SELECT count(*) FROM events_p202611_p20261130") == "24");

  // January 10th: September and October leave, each archived with the rows of all its days.
  const auto jan = run(db, {"apply", "--at", "2027-01-10 10:00", "--force"}); // maybe ahead of the server
  CHECK(contains(jan.out, "2 archived"));
  CHECK(kind_of(db, "events_p202610").empty());
  const auto list = nlohmann::json::parse(run(db, {"archive", "list", "-f", "json"}).out);
  std::string october;
  for (const auto& a : list["archives"]) {
    CHECK(a["state"] == "dropped");
    if (a["partition"] == "\"public\".\"events_p202610\"") {
      CHECK(a["rows"] == 744);
      october = std::to_string(a["id"].get<long long>());
    }
  }
  REQUIRE_FALSE(october.empty());
  run(db, {"restore", october, "--into", "october"});
  CHECK(db.scalar("SELECT count(*) || '/' || min(ts)::text FROM october") == "744/2026-10-01 00:00:00+00");
}

TEST_CASE("sub-partitioning: bad input is refused with a clear message and changes nothing")
{
  TestDb db;
  run(db, {"install"});
  db.exec(k_events);
  db.exec("CREATE TABLE m (id bigint NOT NULL, ts timestamptz NOT NULL, region text NOT NULL, PRIMARY KEY "
          "(id, ts)) PARTITION BY RANGE (ts)");
  const auto unmanaged = run(db, {"manage", "m", "--subpartition-by", "LIST (region)", "--values", "eu"}, 2);
  CHECK(contains(unmanaged.err,
                 "\"public\".\"m\" is not managed yet; HINT: give it a policy of its own first"));
  run(db, {"manage", "m", "--interval", "monthly"});
  run(db, {"manage", "events", "--interval", "monthly"});
  // A partition made by hand, partitioned on another column.
  db.exec("CREATE TABLE w (ts timestamptz NOT NULL, payload text) PARTITION BY RANGE (ts)");
  run(db, {"manage", "w", "--interval", "monthly"});
  db.exec(
      "CREATE TABLE w_p202611 PARTITION OF w FOR VALUES FROM ('2026-11-01') TO ('2026-12-01') PARTITION BY "
      "LIST (payload)");
  const std::string before = fingerprint(db);

  const auto unique = run(db, {"manage", "m", "--subpartition-by", "LIST (region)", "--values", "eu"}, 2);
  CHECK(contains(unique.err, "unique index m_pkey of \"public\".\"m\" does not include "
                             "\"region\", so partitions partitioned on it could not have it; HINT: add"));
  CHECK(contains(run(db, {"manage", "m", "--subpartition-by", "LIST (nosuch)", "--values", "eu"}, 2).err,
                 "\"public\".\"m\" has no column nosuch"));
  CHECK(contains(run(db, {"manage", "m", "--subpartition-by", "HASH (region)"}, 2).err,
                 "'HASH (region)' is not RANGE (column) or LIST (column)"));
  CHECK(contains(run(db, {"manage", "m", "--subpartition-by", "LIST (ts)", "--values", "2026-01-01"}, 2).err,
                 "is already partitioned on \"ts\"; HINT: partitions can be partitioned again on the same "
                 "column only BY RANGE"));
  CHECK(contains(run(db, {"manage", "m", "--level", "2", "--premake", "3"}, 2).err,
                 "\"public\".\"m\" has no level-2 policy"));
  CHECK(contains(run(db, {"manage", "m", "--subpartition-by", "RANGE (ts)"}, 2).err,
                 "is not managed yet, so an interval is required"));
  CHECK(contains(run(db, {"manage", "w", "--subpartition-by", "RANGE (ts)", "--interval", "daily"}, 2).err,
                 "partition \"public\".\"w_p202611\" of \"public\".\"w\" is "
                 "partitioned BY LIST (\"payload\"), not BY RANGE (\"ts\")"));
  CHECK(fingerprint(db) == before);

  // Removing a level-2 policy: new partitions are plain again; partitioned ones keep theirs.
  run(db, {"manage", "events", "--subpartition-by", "RANGE (ts)", "--interval", "daily"});
  CHECK(contains(run(db, {"manage", "events", "--level", "2", "--premake", "2"}).out,
                 "updated the policy of \"public\".\"events\"'s partitions"));
  CHECK(db.scalar("SELECT premake FROM partman.policy WHERE level = 2") == "2");
  CHECK(contains(run(db, {"manage", "events", "--level", "2", "--template-table", "m"}, 2).err,
                 "a level-2 policy uses its parent's template table"));
  const auto removed = run(db, {"manage", "events", "--subpartition-by", "none"});
  CHECK(contains(removed.out, "no longer sub-partitioning the new partitions of \"public\".\"events\""));
  CHECK(db.scalar("SELECT count(*) FROM partman.policy WHERE parent_table = 'events'") == "1");
  run(db, {"apply", "--at", "2026-11-25 10:00"});
  CHECK(kind_of(db, "events_p202611") == "r");
  // Unmanaging a parent removes both levels.
  run(db, {"manage", "m", "--subpartition-by", "RANGE (ts)", "--interval", "daily"});
  run(db, {"unmanage", "m"});
  CHECK(db.scalar("SELECT count(*) FROM partman.policy WHERE parent_table = 'm'") == "0");
}

TEST_CASE("sub-partitioning: months into LIST regions from a values query, run once for every month")
{
  TestDb db;
  run(db, {"install"});
  db.exec("CREATE TABLE regions (code text); INSERT INTO regions VALUES ('eu'), ('us')");
  db.exec(
      "CREATE TABLE m (id bigint NOT NULL, ts timestamptz NOT NULL, region text NOT NULL, PRIMARY KEY (id, "
      "ts, region)) PARTITION BY RANGE (ts)");
  run(db, {"manage", "m", "--interval", "monthly", "--premake", "1"});
  const auto managed = run(db, {"manage", "m", "--subpartition-by", "LIST (region)", "--values-query",
                                "SELECT code FROM regions", "--list-retention", "drop"});
  CHECK(contains(managed.out,
                 "partitioned BY LIST (\"region\"): LIST on \"region\" (text), values from the "
                 "query 'SELECT code FROM regions'; unlisted values: drop (it gives 2 value(s) now)"));
  run(db, {"apply", "--at", "2026-11-25 10:00"});
  CHECK(partition_count(db, "m_p202611") == "2");
  CHECK(kind_of(db, "m_p202612_us") == "r");

  db.exec("INSERT INTO regions VALUES ('apac'); DELETE FROM regions WHERE code = 'us'");
  const auto plan = run(db, {"plan", "--at", "2026-11-25 10:00"});
  CHECK(contains(plan.out, "\"public\".\"m_p202612\" (a partition of \"public\".\"m\"; list from a query, "
                           "unlisted values: drop)\n  + create \"public\".\"m_p202612_apac\" IN ('apac')\n"));
  CHECK(contains(run(db, {"apply", "--at", "2026-11-25 10:00"}).out, "Done: 2 created, 2 dropped"));
  CHECK(children_of(db, {"m_p202611", "m_p202612"}) ==
        "m_p202611_apac,m_p202611_eu,m_p202612_apac,m_p202612_eu");
  // A month made later gets the values the query gives then.
  CHECK(contains(run(db, {"apply", "--at", "2026-12-25 10:00"}).out, "Done: 1 created"));
  CHECK(partition_count(db, "m_p202701") == "2");
}
