// The SQL API against a real server: partman.manage() in a migration's transaction, the same refusals as
// `partman manage` word for word, the default partition made at once, unmanage, the views, and the owner
// rule for every writer of the policy table.
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "harness.hpp"
#include "refusal.hpp"
#include "util.hpp"

using partman::test::contains;
using partman::test::install_with_refusal;
using partman::test::refusal;
using partman::test::run;
using partman::test::TestDb;
using partman::test::TestRole;

namespace {

// Returns the policy table as text, one row a line.
std::string policies(TestDb& db)
{
  return partman::test::join_lines(db.column("SELECT p::text FROM partman.policy p ORDER BY 1"));
}

// Returns partition -> state as `partman status -f json` judges them now.
std::map<std::string, std::string> status_states(TestDb& db)
{
  const auto r = run(db, {"status", "-f", "json"});
  std::map<std::string, std::string> out;
  const auto doc = nlohmann::json::parse(r.out);
  for (const auto& parent : doc["parents"])
    for (const auto& p : parent["partitions"])
      out[p["partition"].get<std::string>()] = p["state"].get<std::string>();
  return out;
}

// Returns partition -> state as the view partman.partitions has them now.
std::map<std::string, std::string> view_states(TestDb& db)
{
  std::map<std::string, std::string> out;
  for (const auto& line : db.column(
           "SELECT format('\"%s\".\"%s\"=%s', partition_schema, partition_name, coalesce(state, 'NULL')) "
           "FROM partman.partitions"))
    out[line.substr(0, line.find('='))] = line.substr(line.find('=') + 1);
  return out;
}

} // namespace

TEST_CASE("SQL API: a migration creates a table and declares its policy in one transaction, and plan and "
          "apply take it from there")
{
  TestDb db;
  run(db, {"install"});
  partman::test::TempDir backups;
  // TestDb::exec runs everything it is given in one transaction: the migration.
  db.exec(
      "CREATE SCHEMA app; CREATE TABLE app.events (id bigint, ts timestamptz NOT NULL) PARTITION BY RANGE "
      "(ts); SELECT partman.manage('app.events', '1 day', premake => 7, retention => '90 days', "
      "retention_action => 'archive', archive_to => " +
      db.conn().quote("file://" + backups.path.string()) + ")");
  {
    // A migration that rolls back leaves neither table nor policy.
    pqxx::work tx(db.conn());
    tx.exec("CREATE TABLE app.gone (id bigint, ts timestamptz NOT NULL) PARTITION BY RANGE (ts)");
    tx.exec("SELECT partman.manage('app.gone', 'monthly', default_partition => true)");
    tx.abort();
  }
  CHECK(db.scalar("SELECT string_agg(parent_table || ' ' || partition_interval || ' ' || premake || ' ' || "
                  "retention || ' ' || retention_action, ',') FROM partman.policy") ==
        "events 1 day 7 90 days archive");
  const auto plan = run(db, {"plan"});
  CHECK(contains(plan.out, "\"app\".\"events\" (1 day, premake 7, retention 90 days (archive to file://" +
                               backups.path.string() + "), UTC)"));
  CHECK(contains(plan.out, "8 to create"));
  CHECK(!contains(plan.out, "gone"));
  run(db, {"apply"});
  CHECK(db.scalar("SELECT count(*) FROM pg_inherits WHERE inhparent = 'app.events'::regclass") == "8");
  CHECK(contains(run(db, {"plan"}).out, "nothing to do"));
}

TEST_CASE("SQL API and partman manage refuse the same bad inputs with the same message, and write nothing")
{
  TestDb db;
  install_with_refusal(db);
  db.exec(R"sql(
    CREATE TABLE ev (id int, at timestamptz NOT NULL) PARTITION BY RANGE (at);
    CREATE TABLE days (id int, d date NOT NULL) PARTITION BY RANGE (d);
    CREATE TABLE listed (id int, region text NOT NULL) PARTITION BY LIST (region);
    CREATE TABLE numbered (id bigint NOT NULL) PARTITION BY RANGE (id);
    CREATE TABLE twokeys (at timestamptz NOT NULL, id int NOT NULL) PARTITION BY RANGE (at, id);
    CREATE TABLE plain (id int, at timestamptz);
    SELECT partman.manage('ev', '1 day', premake => 3, retention => '30 days');
  )sql");
  const std::string before = policies(db);

  struct Case
  {
    std::vector<std::string> cli; // partman manage PARENT ...
    std::string sql;              // the arguments of partman.manage() after the parent
  };
  const std::vector<Case> cases = {
      {{"ev", "--interval", "7 minutes"}, "'7 minutes'"},
      {{"ev", "--interval", "fortnightly"}, "'fortnightly'"},
      {{"days", "--interval", "1 hour"}, "'1 hour'"},
      {{"ev", "--premake", "0"}, "premake => 0"},
      {{"ev", "--retention", "12 hours"}, "retention => '12 hours'"},
      {{"ev", "--retention", "forever"}, "retention => 'forever'"},
      {{"ev", "--retention-action", "archive"}, "retention_action => 'archive'"},
      {{"ev", "--retention-action", "shred"}, "retention_action => 'shred'"},
      {{"ev", "--archive-to", "s3://A"}, "archive_to => 's3://A'"},
      {{"ev", "--archive-to", "file:///a/../b"}, "archive_to => 'file:///a/../b'"},
      {{"ev", "--timezone", "Mars/Olympus_Mons"}, "timezone => 'Mars/Olympus_Mons'"},
      {{"ev", "--retention-schema", "no_such_archive"}, "retention_schema => 'no_such_archive'"},
      {{"ev", "--start", "yesterday-ish"}, "start => 'yesterday-ish'"},
      {{"ev", "--start", "2026-01-01T00:00+16:00"}, "start => '2026-01-01T00:00+16:00'"},
      {{"ev", "--epoch", "seconds"}, "epoch => 'seconds'"},
      {{"ev", "--values", "a"}, "list_values => '{a}'"},
      {{"ev", "--template-table", "nosuch"}, "template_table => 'nosuch'"},
      {{"ev", "--template-table", "listed"}, "template_table => 'listed'"},
      {{"ev", "--subpartition-by", "HASH (id)"}, "subpartition_by => 'HASH (id)'"},
      {{"ev", "--subpartition-by", "RANGE (nosuch)"}, "subpartition_by => 'RANGE (nosuch)'"},
      {{"ev", "--level", "2", "--premake", "3"}, "level => 2, premake => 3"},
      {{"listed", "--interval", "daily"}, "'daily'"},
      {{"listed", "--values", "a,a"}, "list_values => '{a,a}'"},
      {{"listed", "--values", "a", "--values-query", "SELECT 'b'"},
       "list_values => '{a}', values_query => 'SELECT ''b'''"},
      {{"listed", "--values-query", "SELECT 'eu'; SELECT 'us'"},
       "values_query => 'SELECT ''eu''; SELECT ''us'''"},
      {{"listed", "--values-query", "DELETE FROM ev RETURNING 'x'"},
       "values_query => 'DELETE FROM ev RETURNING ''x'''"},
      {{"listed", "--values-query", "SELECT NULL::text"}, "values_query => 'SELECT NULL::text'"},
      {{"listed"}, ""},
      {{"numbered"}, ""},
      {{"numbered", "--interval", "daily"}, "'daily'"},
      {{"numbered", "--interval", "1000", "--retention", "10"}, "'1000', retention => '10'"},
      {{"ev", "--interval", "1000"}, "'1000'"},
      {{"plain", "--interval", "daily"}, "'daily'"},
      {{"twokeys", "--interval", "daily"}, "'daily'"},
      {{"ev", "--partition-names", "partmann"}, "partition_names => 'partmann'"},
      {{"ev", "--partition-names", "pg_partman:"}, "partition_names => 'pg_partman:'"},
      {{"ev", "--partition-names", "pg_partman:YYYY_Mon"}, "partition_names => 'pg_partman:YYYY_Mon'"},
      {{"ev", "--partition-names", "pg_partman:YYYY_MM"}, "partition_names => 'pg_partman:YYYY_MM'"},
      {{"ev", "--interval", "36 hours", "--partition-names", "pg_partman"},
       "'36 hours', partition_names => 'pg_partman'"},
      {{"numbered", "--interval", "1000", "--partition-names", "pg_partman:YYYY"},
       "'1000', partition_names => 'pg_partman:YYYY'"},
      {{"listed", "--values", "a", "--partition-names", "pg_partman"},
       "list_values => '{a}', partition_names => 'pg_partman'"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args{"manage"};
    args.insert(args.end(), c.cli.begin(), c.cli.end());
    const std::string call =
        "SELECT partman.manage(" + db.conn().quote(c.cli.front()) + (c.sql.empty() ? "" : ", " + c.sql) + ")";
    const std::string sql = refusal(db, call);
    const auto r = db.partman(args);
    INFO(partman::test::join_lines(args) << call << "\n" << sql << "\n" << r.out << r.err);
    REQUIRE(sql.rfind("22023 ", 0) == 0);
    CHECK(r.exit_code == 2);
    CHECK(r.err == "partman: error: " + sql.substr(6) + "\n");
    CHECK(r.out.empty());
  }
  CHECK(policies(db) == before);
  CHECK(db.scalar("SELECT count(*) FROM pg_inherits") == "0");
}

TEST_CASE("SQL API: a default partition is made at once, inserts land before the first run, and the policy "
          "change notifies a worker")
{
  TestDb db;
  install_with_refusal(db);
  TestRole reader(db, "reader");
  pqxx::connection listen("dbname=" + db.name());
  partman::test::PolicyListener listener(listen);
  db.exec("CREATE TABLE ev (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at); "
          "COMMENT ON TABLE ev IS 'events'; GRANT SELECT ON ev TO " +
          reader.q() +
          "; SELECT partman.manage('ev', '1 day', default_partition => true); "
          "INSERT INTO ev VALUES (1, now()), (2, now() + interval '1 year')");
  CHECK(db.scalar(
            "SELECT partdefid::regclass::text FROM pg_partitioned_table WHERE partrelid = 'ev'::regclass") ==
        "ev_default");
  CHECK(db.scalar("SELECT count(*) FROM ONLY ev_default") == "2");
  // made as apply makes partitions: the parent's grants and comment
  CHECK(db.scalar("SELECT has_table_privilege(" + db.conn().quote(reader.name) +
                  ", 'ev_default', 'SELECT')") == "t");
  CHECK(db.scalar("SELECT obj_description('ev_default'::regclass, 'pg_class')") == "events");
  partman::test::await_payloads(listen, listener, 1);
  CHECK(partman::test::join_lines(listener.payloads) == "\"public\".\"ev\"\n");
  // The next run plans no default partition of its own.
  CHECK(!contains(run(db, {"plan"}).out, "default partition: the policy keeps one"));

  // A table that holds the name: refused, and nothing changes.
  db.exec("CREATE TABLE ev2 (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at); "
          "CREATE TABLE ev2_default (x int)");
  CHECK(
      refusal(db, "SELECT partman.manage('ev2', '1 day', default_partition => true)") ==
      "22023 cannot create default partition \"public\".\"ev2_default\": a table of that name exists and is "
      "not this partition; HINT: rename or drop it, or attach it yourself");
  CHECK(db.scalar("SELECT count(*) FROM partman.policy WHERE parent_table = 'ev2'") == "0");
}

TEST_CASE("SQL API: unmanage removes both levels of a policy and no table, and refuses an unmanaged parent")
{
  TestDb db;
  install_with_refusal(db);
  db.exec("CREATE TABLE ev (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at); "
          "SELECT partman.manage('ev', 'monthly', premake => 1); "
          "SELECT partman.manage('ev', '1 day', subpartition_by => 'RANGE (at)')");
  run(db, {"apply"});
  CHECK(db.scalar("SELECT string_agg(level::text, ',' ORDER BY level) FROM partman.policy") == "1,2");
  const std::string tables = db.scalar("SELECT count(*) FROM pg_class WHERE relkind IN ('r', 'p')");
  db.exec("SELECT partman.unmanage('ev')");
  CHECK(db.scalar("SELECT count(*) FROM partman.policy") == "0");
  CHECK(db.scalar("SELECT count(*) FROM pg_class WHERE relkind IN ('r', 'p')") == tables);
  CHECK(refusal(db, "SELECT partman.unmanage('ev')") == "22023 \"public\".\"ev\" is not managed by partman");
  CHECK(contains(run(db, {"unmanage", "ev"}, 2).err,
                 "partman: error: \"public\".\"ev\" is not managed by partman"));
}

TEST_CASE("SQL API views: partitions in the states status gives them, each parent's health, recent history")
{
  TestDb db;
  run(db, {"install"});
  const std::string start = db.scalar("SELECT (now() AT TIME ZONE 'UTC')::date - 6");
  db.exec(R"sql(
    CREATE TABLE ev (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at);
    CREATE TABLE days (d date NOT NULL) PARTITION BY RANGE (d);
    CREATE TABLE ord (id bigint NOT NULL) PARTITION BY RANGE (id);
    CREATE TABLE sales (region text NOT NULL) PARTITION BY LIST (region);
    CREATE TABLE ep (t bigint NOT NULL) PARTITION BY RANGE (t);
  )sql");
  db.exec("SELECT partman.manage('ev', '1 day', premake => 2, start => '" + start +
          "', default_partition => true); "
          "SELECT partman.manage('days', '1 week', premake => 1, start => '" +
          start +
          "'); SELECT partman.manage('ord', '100', premake => 2); "
          "SELECT partman.manage('sales', list_values => '{eu,us}'); "
          "SELECT partman.manage('ep', '1 day', epoch => 'milliseconds', premake => 1, start => '" +
          start + "')");
  run(db, {"apply"});
  // Retention set after the run: the oldest days have expired and are still there.
  db.exec(
      "INSERT INTO ord SELECT g FROM generate_series(1, 250) g; "
      "CREATE TABLE sales_old PARTITION OF sales FOR VALUES IN ('old', 'O''Brien'); "
      "SELECT partman.manage('ev', retention => '3 days'); SELECT partman.manage('ord', retention => '150'); "
      "SELECT partman.manage('ep', retention => '2 days')");

  const auto view = view_states(db);
  CHECK(view == status_states(db));
  std::map<std::string, int> counts;
  for (const auto& [name, state] : view)
    ++counts[state];
  CHECK(counts["expired"] == 3 + 1 + 4); // ev: 3 days, ord: [0, 100), ep: 4 days
  CHECK(counts["default"] == 1);
  CHECK(counts["listed"] == 2);
  CHECK(counts["unlisted"] == 1);
  CHECK(db.scalar("SELECT lower || ' ' || upper FROM partman.partitions WHERE partition_name = 'ord_p100'") ==
        "100 200");
  CHECK(db.scalar("SELECT bound FROM partman.partitions WHERE partition_name = 'sales_old'") ==
        "FOR VALUES IN ('old', 'O''Brien')");

  // Health: partitions ahead as check counts them, the default partition's rows, the last runs.
  db.exec("INSERT INTO ev SELECT g, now() + interval '1 year' FROM generate_series(1, 500) g; ANALYZE "
          "ev_default");
  CHECK(
      db.scalar(
          "SELECT format('%s %s %s %s %s', partitions, partitions_ahead, default_partition, default_rows, "
          "last_success IS NOT NULL AND last_error IS NULL) FROM partman.parent_health WHERE parent_table = "
          "'ev'") == "9 2 ev_default 500 t");
  CHECK(db.scalar("SELECT format('%s %s', partitions, partitions_ahead IS NULL) FROM partman.parent_health "
                  "WHERE parent_table = 'sales'") == "3 t");
  CHECK(db.scalar("SELECT partitions_ahead FROM partman.parent_health WHERE parent_table = 'ord'") == "0");

  // Recent history: the last 7 days, the newest first.
  db.exec(
      "INSERT INTO partman.history (run_id, applied_at, parent_schema, parent_table, action, sql, outcome) "
      "VALUES (gen_random_uuid(), now() - interval '8 days', 'public', 'ev', 'create', 'SELECT 1', 'ok')");
  CHECK(db.scalar("SELECT count(*) FROM partman.recent_history") ==
        db.scalar("SELECT count(*) - 1 FROM partman.history"));
  CHECK(db.scalar(
            "SELECT bool_and(applied_at >= next) FROM (SELECT applied_at, lead(applied_at, 1, applied_at) "
            "OVER () AS next FROM partman.recent_history) h") == "t");
}

TEST_CASE("SQL API: only the owner of a parent and the members of its role may write its policy, by the "
          "functions, by partman manage or directly")
{
  TestDb db;
  install_with_refusal(db);
  TestRole owner(db, "owner");
  TestRole member(db, "member");
  TestRole other(db, "other");
  db.exec("CREATE TABLE ev (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at); "
          "CREATE TABLE other_ev (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at); "
          "ALTER TABLE ev OWNER TO " +
          owner.q() + "; GRANT CREATE ON SCHEMA public TO " + owner.q() + "; GRANT " + owner.q() + " TO " +
          member.q());
  // README's GRANTs for a role that declares policies in SQL: the schema, and the policy table; `other` is
  // a maintenance role as README has it, but not a member of the owner's role.
  for (const auto* role : {&owner, &member})
    db.exec("GRANT USAGE ON SCHEMA partman TO " + role->q() +
            "; GRANT SELECT, INSERT, UPDATE, DELETE ON partman.policy TO " + role->q());
  db.exec("GRANT USAGE ON SCHEMA partman TO " + other.q() +
          "; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA partman TO " + other.q() +
          "; GRANT USAGE ON ALL SEQUENCES IN SCHEMA partman TO " + other.q());
  const auto as = [&db](const TestRole& role, const std::string& call) {
    return refusal(db, "SET LOCAL ROLE " + role.q() + "; " + call);
  };
  const std::string refused = "42501 role " + other.q() +
                              " may not manage \"public\".\"ev\": only its owner " + owner.q() +
                              " and the members of that role may; HINT: run it as " + owner.name +
                              ", or have a superuser GRANT " + owner.name + " TO " + other.name;
  CHECK(as(other, "SELECT partman.manage('ev', '1 day')") == refused);
  CHECK(as(other, "INSERT INTO partman.policy (parent_schema, parent_table, partition_interval) VALUES "
                  "('public', 'ev', '1 day')") == refused);
  CHECK(
      as(other, "INSERT INTO partman.policy (parent_schema, parent_table, partition_interval) VALUES "
                "('public', 'not_yet', '1 day')") ==
      "42501 table \"public\".\"not_yet\" does not exist, so no role owns it and may give it a policy; HINT: "
      "create the table first, then its policy");
  // The writer's own operators cannot switch the check off: it resolves them in pg_catalog only.
  db.exec("CREATE SCHEMA evil AUTHORIZATION " + other.q());
  CHECK(as(other,
           "SET LOCAL search_path = evil, pg_catalog; CREATE FUNCTION evil.never(oid, regclass) RETURNS "
           "boolean LANGUAGE sql AS 'SELECT false'; CREATE OPERATOR evil.= (LEFTARG = oid, RIGHTARG = "
           "regclass, FUNCTION = evil.never); INSERT INTO partman.policy (parent_schema, parent_table, "
           "partition_interval) VALUES ('public', 'ev', '1 day')") == refused);
  CHECK(db.scalar("SELECT count(*) FROM partman.policy") == "0");

  // The owner declares it (with a default partition, created as the owner), a member changes it.
  CHECK(as(owner, "SELECT partman.manage('ev', '1 day', default_partition => true)") == "accepted");
  CHECK(db.scalar("SELECT relowner::regrole::text FROM pg_class WHERE relname = 'ev_default'") == owner.name);
  db.exec("SET LOCAL ROLE " + member.q() + "; SELECT partman.manage('ev', premake => 6)");
  CHECK(db.scalar("SELECT premake FROM partman.policy") == "6");
  // Another role cannot change or remove it, by the functions or directly, nor by the command.
  CHECK(
      contains(as(other, "SELECT partman.unmanage('ev')"), "42501 role " + other.q() + " may not unmanage"));
  CHECK(contains(as(other, "UPDATE partman.policy SET premake = 1"), "may not change the policy of"));
  CHECK(contains(as(other, "DELETE FROM partman.policy"), "may not change the policy of"));
  const auto cli = other.partman({"manage", "ev", "--premake", "2"});
  INFO(cli.out << cli.err);
  CHECK(cli.exit_code == 2);
  CHECK(cli.err == "partman: error: " + refused.substr(6) + "\n");
  CHECK(db.scalar("SELECT premake FROM partman.policy") == "6");
  // Its owner removes it, without rights on run_state (the trigger that clears it runs as partman's owner).
  run(db, {"apply"});
  db.exec("SET LOCAL ROLE " + owner.q() + "; SELECT partman.unmanage('ev')");
  CHECK(db.scalar("SELECT count(*) FROM partman.policy") == "0");
  CHECK(db.scalar("SELECT count(*) FROM partman.run_state") == "0");
}

TEST_CASE("SQL API: a values query an owner stores runs at plan time with the owner's rights, not the "
          "maintenance role's")
{
  TestDb db;
  run(db, {"install"});
  TestRole owner(db, "owner");
  TestRole maint(db, "maint");
  db.exec(
      "CREATE TABLE secret (s text); INSERT INTO secret VALUES ('hunter2'); "
      "CREATE TABLE regions (code text); INSERT INTO regions VALUES ('eu'); "
      "GRANT SELECT ON regions TO " +
      owner.q() +
      "; CREATE TABLE sales (region text NOT NULL) PARTITION BY LIST (region); ALTER TABLE sales OWNER TO " +
      owner.q() + "; GRANT USAGE ON SCHEMA partman TO " + owner.q() +
      "; GRANT SELECT, INSERT, UPDATE, DELETE ON partman.policy TO " + owner.q() +
      // README's maintenance role, which may also read the secret
      "; GRANT USAGE ON SCHEMA partman TO " + maint.q() +
      "; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA partman TO " + maint.q() +
      "; GRANT USAGE ON ALL SEQUENCES IN SCHEMA partman TO " + maint.q() + "; GRANT " + owner.q() + " TO " +
      maint.q() + "; GRANT SELECT ON secret, regions TO " + maint.q());
  db.exec("SET LOCAL ROLE " + owner.q() +
          "; SELECT partman.manage('sales', values_query => 'SELECT code FROM regions')");
  CHECK(contains(maint.partman({"plan"}).out, "+ create \"public\".\"sales_eu\""));
  // manage() runs it as the caller, who may not read the secret; the policy table takes it from the owner.
  db.exec("SET LOCAL ROLE " + owner.q() +
          "; UPDATE partman.policy SET values_query = 'SELECT s FROM secret'");
  const auto plan = maint.partman({"plan"});
  INFO(plan.out << plan.err);
  CHECK(plan.exit_code == 3);
  CHECK(contains(plan.out,
                 "the values query of \"public\".\"sales\" failed: permission denied for table secret"));
  CHECK(!contains(plan.out + plan.err, "hunter2"));
}
