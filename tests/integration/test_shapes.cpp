// Integer and LIST parents against a real server: bad input refused, plan sql and saved plans, archives.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "harness.hpp"
#include "shapes_util.hpp"
#include "util.hpp"

using namespace partman::test;
using namespace partman::test::shapes;

TEST_CASE("shapes: bad input exits 2, names the value, and changes nothing")
{
  TestDb db;
  set_up(db, "CREATE TABLE orders (id bigint NOT NULL) PARTITION BY RANGE (id); "
             "CREATE TABLE ev (at timestamptz NOT NULL) PARTITION BY RANGE (at); "
             "CREATE TABLE small (k smallint NOT NULL) PARTITION BY RANGE (k); "
             "CREATE TABLE four (k integer NOT NULL) PARTITION BY RANGE (k); "
             "CREATE TABLE sales (region text NOT NULL) PARTITION BY LIST (region); "
             "CREATE TABLE li (k int NOT NULL) PARTITION BY LIST (k); "
             "CREATE TABLE lv (k varchar(3) NOT NULL) PARTITION BY LIST (k); "
             "CREATE TABLE lts (k timestamptz NOT NULL) PARTITION BY LIST (k); "
             "CREATE TABLE hashed (k int NOT NULL) PARTITION BY HASH (k)");
  run(db, {"manage", "sales", "--values", "eu"});
  const std::string before = fingerprint(db);
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"manage", "orders", "--interval", "daily"},
       "interval 'daily' is not a whole number, but the key \"id\""},
      {{"manage", "orders", "--interval", "0"}, "invalid interval '0'"},
      {{"manage", "orders", "--interval", "1000", "--retention", "10"},
       "retention 10 is smaller than the width"},
      {{"manage", "orders", "--interval", "1000", "--retention", "30 days"}, "invalid retention '30 days'"},
      {{"manage", "orders", "--interval", "1000", "--start", "2026-01-01"}, "invalid start '2026-01-01'"},
      {{"manage", "orders", "--interval", "1 day", "--epoch", "weeks"}, "invalid epoch unit 'weeks'"},
      {{"manage", "orders", "--interval", "1000", "--epoch", "seconds"}, "interval '1000' is a plain number"},
      {{"manage", "ev", "--interval", "1000"}, "interval '1000' is a plain number, but the key \"at\""},
      {{"manage", "ev", "--interval", "daily", "--epoch", "seconds"},
       "the key \"at\" of \"public\".\"ev\" is timestamp with time zone, not an integer"},
      {{"manage", "small", "--interval", "daily", "--epoch", "seconds"},
       "epoch time needs an integer or bigint key"},
      {{"manage", "four", "--interval", "daily", "--epoch", "milliseconds"},
       "epoch milliseconds need a bigint"},
      {{"manage", "orders", "--values", "a"},
       "\"public\".\"orders\" is partitioned BY RANGE, and a list of values applies"},
      {{"manage", "sales", "--interval", "daily"},
       "\"public\".\"sales\" is partitioned BY LIST, and an interval applies"},
      {{"manage", "sales", "--values", "eu,,us"}, "--values: an empty value in 'eu,,us'"},
      {{"manage", "sales", "--values", "a", "--values-query", "SELECT 'b'"}, "not both"},
      {{"manage", "sales", "--values", "a,a"}, "value 'a' is given twice"},
      {{"manage", "sales", "--list-retention", "shred"}, "invalid list retention 'shred'"},
      {{"manage", "sales", "--list-retention", "archive"},
       "list retention 'archive' needs a storage location"},
      {{"manage", "sales", "--values-query", "SELECT code FROM nowhere"},
       "relation \"nowhere\" does not exist"},
      {{"manage", "sales", "--values-query", "SELECT NULL::text"}, "gives NULL"},
      {{"manage", "li", "--values", "1,x"}, "invalid input syntax for type integer: \"x\""},
      {{"manage", "li", "--values", "1,01"}, "value '01' is given twice (also as '1')"},
      {{"manage", "li", "--values", "99999999999"}, "out of range for type integer"},
      {{"manage", "lv", "--values", "abcd"}, "value 'abcd' does not fit the key's type character varying(3)"},
      {{"manage", "lts", "--values", "2026-01-01"}, "partman plans"},
      {{"manage", "hashed", "--interval", "10"}, "is not partitioned BY RANGE"},
      {{"manage", "li"}, "its values are required"},
  };
  for (const auto& [args, message] : cases) {
    const auto r = db.partman(args);
    INFO(join_lines(args) << r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, message));
    CHECK(r.out.empty());
  }
  CHECK(fingerprint(db) == before);
}

TEST_CASE("shapes: plan sql runs in psql like apply, a saved plan is refused once the values change")
{
  TestDb db;
  set_up(db, "CREATE TABLE sales (region text NOT NULL) PARTITION BY LIST (region); "
             "CREATE TABLE orders (id bigint NOT NULL) PARTITION BY RANGE (id)");
  run(db, {"manage", "sales", "--values", "eu,us", "--value", "it's"});
  run(db, {"manage", "orders", "--interval", "100", "--start", "-150", "--premake", "1"});
  const auto sql = run(db, {"plan", "-f", "sql"});
  const std::string file = partman::test::write_temp_file(sql.out);
  const std::string psql = partman::test::find_on_path("psql");
  REQUIRE(!psql.empty());
  const auto ran = partman::test::run_command({psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", file},
                                              {{"PGDATABASE", db.name()}});
  unlink(file.c_str());
  INFO(ran.out << ran.err);
  REQUIRE(ran.exit_code == 0);
  CHECK(partitions_of(db, "orders") == "public.orders_pm100|FOR VALUES FROM ('-100') TO ('0')\n"
                                       "public.orders_pm200|FOR VALUES FROM ('-200') TO ('-100')\n");
  CHECK(db.scalar("SELECT count(*) FROM pg_inherits WHERE inhparent = 'sales'::regclass") == "3");
  CHECK(action_count(run(db, {"plan", "-f", "json"}).out) == 0);

  char path[] = "/tmp/partman-shapes-plan.XXXXXX";
  close(mkstemp(path));
  run(db, {"manage", "sales", "--values", "eu,us,apac", "--value", "it's"});
  run(db, {"plan", "--out", path});
  run(db, {"manage", "sales", "--values", "eu,us,apac,emea", "--value", "it's"});
  const auto stale = db.partman({"apply", "--plan", path});
  CHECK(stale.exit_code == 2);
  CHECK(contains(stale.err, "has changed since"));
  run(db, {"plan", "--out", path});
  const auto fresh = run(db, {"apply", "--plan", path});
  CHECK(contains(fresh.out, "Done: 2 created"));
  unlink(path);
}

TEST_CASE("shapes: retention archives integer and LIST partitions, restore --attach puts both back")
{
  TestDb db;
  partman::test::TempDir dir;
  const std::string storage = dir.uri();
  set_up(db, "CREATE TABLE orders (id bigint NOT NULL, note text) PARTITION BY RANGE (id); "
             "CREATE TABLE sales (region text NOT NULL) PARTITION BY LIST (region)");
  run(db, {"manage", "orders", "--interval", "1000", "--premake", "1", "--start", "0"});
  run(db, {"manage", "sales", "--values", "a,b,c"});
  run(db, {"apply"});
  db.exec("INSERT INTO orders SELECT g, 'n' || g FROM generate_series(0, 1999) g; "
          "INSERT INTO sales VALUES ('a'), ('b'), ('c')");
  run(db, {"apply"});
  db.exec("INSERT INTO orders SELECT g, 'n' || g FROM generate_series(2000, 2999) g");
  run(db,
      {"manage", "orders", "--retention", "1500", "--retention-action", "archive", "--archive-to", storage});
  run(db, {"manage", "sales", "--values", "a,b", "--list-retention", "archive", "--archive-to", storage});
  const auto applied = run(db, {"apply"});
  CHECK(contains(applied.out, "archived and dropped \"public\".\"orders_p0\""));
  CHECK(contains(applied.out, "archived and dropped \"public\".\"sales_c\""));
  CHECK(db.scalar("SELECT to_regclass('orders_p0') IS NULL AND to_regclass('sales_c') IS NULL") == "t");

  const auto list = nlohmann::json::parse(run(db, {"archive", "list", "-f", "json"}).out).at("archives");
  REQUIRE(list.size() == 2);
  long long orders_id = 0, sales_id = 0;
  for (const auto& a : list) {
    CHECK(a.at("state") == "dropped");
    if (contains(a.at("partition").get<std::string>(), "orders_p0")) {
      orders_id = a.at("id").get<long long>();
      CHECK(a.at("bounds") == nlohmann::json{{"from", "0"}, {"to", "1000"}});
    } else {
      sales_id = a.at("id").get<long long>();
      CHECK(a.at("bounds").is_null());
      CHECK(a.at("for_values") == "FOR VALUES IN ('c')");
    }
  }
  REQUIRE(orders_id != 0);
  REQUIRE(sales_id != 0);
  run(db, {"restore", std::to_string(orders_id), "--attach"});
  CHECK(bound_of(db, "orders_p0") == "FOR VALUES FROM ('0') TO ('1000')");
  CHECK(db.scalar("SELECT count(*) FROM orders WHERE id < 1000") == "1000");
  // A LIST partition goes back with the bound the server deparsed before the detach.
  run(db, {"restore", std::to_string(sales_id), "--attach"});
  CHECK(bound_of(db, "sales_c") == "FOR VALUES IN ('c')");
  CHECK(db.scalar("SELECT count(*) FROM sales WHERE region = 'c'") == "1");
}
