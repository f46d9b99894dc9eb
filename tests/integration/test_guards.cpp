// What partman must not be trusted to get wrong: intervals it cannot plan, roles without the rights it
// needs, a standby, and a clock (--at, or this host's) ahead of the server's.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <functional>
#include <map>
#include <unistd.h>

#include "harness.hpp"
#include "util.hpp"

using partman::test::children_of;
using partman::test::contains;
using partman::test::run;
using partman::test::TestDb;
using partman::test::TestRole;

namespace {

// Returns the server's clock moved by `offset` (an interval), as "YYYY-MM-DD HH:MM" in UTC.
std::string server_time(TestDb& db, const std::string& offset)
{
  return db.scalar("SELECT to_char(now() AT TIME ZONE 'UTC' + interval '" + offset +
                   "', 'YYYY-MM-DD HH24:MI')");
}

int partition_count(TestDb& db, const std::string& parent)
{
  return std::stoi(
      db.scalar("SELECT count(*) FROM pg_inherits WHERE inhparent = '" + parent + "'::regclass"));
}

// Installs partman and a daily parent `ev` that keeps `retention` and drops what expires.
void daily_parent(TestDb& db, const std::string& premake, const std::string& retention)
{
  run(db, {"install"});
  db.exec("CREATE TABLE ev (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at)");
  run(db, {"manage", "ev", "--interval", "daily", "--premake", premake, "--retention", retention,
           "--retention-action", "drop"});
}

} // namespace

TEST_CASE("trust: manage refuses an interval whose partitions would leave 0001-01-01 to 9999-12-31")
{
  TestDb db;
  run(db, {"install"});
  db.exec("CREATE TABLE ev (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at)");
  db.exec("CREATE TABLE ok (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at)");
  const std::string before = partman::test::fingerprint(db);
  for (const std::string interval : {"5000 years", "9000 years"}) {
    const auto r = db.partman({"manage", "ev", "--interval", interval});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "interval '" + interval + "'"));
    CHECK(contains(r.err, "9999-12-31"));
  }
  CHECK(partman::test::fingerprint(db) == before);

  // A policy written into the table by hand: that parent's plan says why, the others go on.
  run(db, {"manage", "ev", "--interval", "yearly"});
  run(db, {"manage", "ok", "--interval", "daily", "--premake", "1"});
  db.exec("UPDATE partman.policy SET partition_interval = '5000 years' WHERE parent_table = 'ev'");
  const auto plan = run(db, {"plan"}, 3);
  CHECK(contains(plan.out, "  ! error: premake 4 of interval '5000 years' ahead of now"));
  CHECK(contains(plan.out, "+ create \"public\".\"ok_p"));
  const auto apply = run(db, {"apply"}, 3);
  CHECK(contains(apply.out, "error: premake 4 of interval '5000 years'"));
  CHECK(partition_count(db, "ev") == 0);
  CHECK(partition_count(db, "ok") == 2);
}

TEST_CASE("trust: a role that owns partman's schema installs into it without CREATE on the database")
{
  TestDb db;
  TestRole owner(db, "owner");
  TestRole other(db, "other");
  const auto refused = other.partman({"install"});
  INFO(refused.out << refused.err);
  CHECK(refused.exit_code == 2);
  CHECK(contains(refused.err, "role " + other.q() +
                                  " cannot create schema \"partman\": it lacks CREATE on "
                                  "database " +
                                  db.conn().quote_name(db.name()) +
                                  "; HINT: as a superuser, CREATE SCHEMA \"partman\" AUTHORIZATION " +
                                  other.q()));

  db.exec("CREATE SCHEMA partman AUTHORIZATION " + owner.q());
  const auto first = owner.partman({"install"});
  INFO(first.out << first.err);
  CHECK(first.exit_code == 0);
  CHECK(contains(first.out, "installed partman schema 'partman' at version"));
  const auto again = owner.partman({"install"});
  CHECK(again.exit_code == 0);
  CHECK(contains(again.out, "is already at version"));
}

TEST_CASE("trust: a role without rights is told which GRANTs it lacks, and changes nothing")
{
  TestDb db;
  daily_parent(db, "2", "30 days");
  run(db, {"apply"});
  TestRole maint(db, "maint");
  const std::string before = partman::test::fingerprint(db);
  const std::string read_hint =
      "HINT: as the schema's owner or a superuser: GRANT USAGE ON SCHEMA \"partman\" "
      "TO " +
      maint.q() + "; GRANT SELECT ON ALL TABLES IN SCHEMA \"partman\" TO " + maint.q();

  for (const std::vector<std::string>& args : {std::vector<std::string>{"plan"},
                                               {"apply"},
                                               {"status"},
                                               {"archive", "list"},
                                               {"manage", "ev", "--premake", "3"},
                                               {"unmanage", "ev"},
                                               {"drain-default", "ev"},
                                               {"restore", "1"}}) {
    const auto r = maint.partman(args);
    INFO(args.front() << ": " << r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(
        contains(r.err, "partman: error: role " + maint.q() +
                            " lacks privileges on partman's schema \"partman\": USAGE on the schema; SELECT "
                            "on table(s) \"archive\", \"history\", \"meta\", \"policy\", \"run_state\"; " +
                            read_hint));
    CHECK(!contains(r.err, "LINE 1"));
  }
  CHECK(partman::test::fingerprint(db) == before);

  // Enough to read: plan and status work; writing a policy says what else it needs.
  db.exec("GRANT USAGE ON SCHEMA partman TO " + maint.q() +
          "; GRANT SELECT ON ALL TABLES IN SCHEMA partman TO " + maint.q());
  CHECK(maint.partman({"plan"}).exit_code == 0);
  CHECK(maint.partman({"status"}).exit_code == 0);
  const std::string write_hint = "HINT: as the schema's owner or a superuser: GRANT SELECT, INSERT, UPDATE, "
                                 "DELETE ON ALL TABLES IN SCHEMA \"partman\" TO " +
                                 maint.q() + "; GRANT USAGE ON ALL SEQUENCES IN SCHEMA \"partman\" TO " +
                                 maint.q();
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"manage", "ev", "--premake", "3"}, {"unmanage", "ev"}}) {
    const auto r = maint.partman(args);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(
        contains(r.err, "lacks privileges on partman's schema \"partman\": SELECT, INSERT, UPDATE, DELETE on "
                        "table(s) \"archive\", \"history\", \"policy\", \"run_state\"; USAGE on sequence(s) "
                        "\"archive_id_seq\", \"history_id_seq\"; " +
                            write_hint));
  }
  CHECK(partman::test::fingerprint(db) == before);

  // What README asks of a separate maintenance role: those GRANTs, and membership of the parents' owner.
  TestRole app(db, "app");
  db.exec("GRANT CREATE ON SCHEMA public TO " + app.q() + "; ALTER TABLE ev OWNER TO " + app.q());
  db.exec("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA partman TO " + maint.q() +
          "; GRANT USAGE ON ALL SEQUENCES IN SCHEMA partman TO " + maint.q() + "; GRANT " + app.q() + " TO " +
          maint.q());
  // A refusal outside partman's schema (the rows of a default partition it may not read) is exit 2 too.
  db.exec("CREATE TABLE dd (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at)");
  run(db, {"manage", "dd", "--interval", "daily", "--default-partition"});
  run(db, {"apply", "dd"});
  const auto drain = maint.partman({"drain-default", "dd"});
  INFO(drain.out << drain.err);
  CHECK(drain.exit_code == 2);
  CHECK(contains(drain.err, "partman: error: the server refused a privilege: permission denied for table "
                            "dd_default; HINT: the role partman connects as needs the GRANTs that README's "
                            "\"A separate maintenance role\" lists"));
  const auto managed = maint.partman({"manage", "ev", "--premake", "3"});
  INFO(managed.out << managed.err);
  CHECK(managed.exit_code == 0);
  const auto applied = maint.partman({"apply", "ev"});
  INFO(applied.out << applied.err);
  CHECK(applied.exit_code == 0);
  CHECK(contains(applied.out, " 1 created, "));
  CHECK(db.scalar("SELECT c.relowner::regrole::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                  "WHERE i.inhparent = 'ev'::regclass ORDER BY c.relname DESC LIMIT 1") == app.name);
}

TEST_CASE("trust: a maintenance role given its GRANTs before an upgrade keeps them on the tables it adds")
{
  TestDb db;
  daily_parent(db, "2", "30 days");
  // The schema as version 10 left it: no run_state (GRANT ... ON ALL TABLES covers only existing tables),
  // and none of the policy's columns, functions, triggers and views of later versions.
  db.exec("DO $$ BEGIN EXECUTE (SELECT 'DROP VIEW ' || string_agg(oid::regclass::text, ', ') FROM pg_class "
          "WHERE relkind = 'v' AND relnamespace = 'partman'::regnamespace); END $$");
  db.exec(
      "DO $$ DECLARE f regprocedure; BEGIN FOR f IN SELECT oid::regprocedure FROM pg_proc WHERE pronamespace "
      "= 'partman'::regnamespace AND proname NOT IN ('max_key', 'estimate_rows', 'close_adopted_creates') "
      "LOOP EXECUTE 'DROP FUNCTION ' || f || ' CASCADE'; END LOOP; END $$; DROP TABLE partman.run_state; "
      "ALTER TABLE partman.policy DROP COLUMN partition_names, DROP COLUMN name_format; "
      "UPDATE partman.meta SET value = '10' WHERE key = 'schema_version'");
  TestRole maint(db, "maint");
  db.exec("GRANT USAGE ON SCHEMA partman TO " + maint.q() +
          "; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA partman TO " + maint.q() +
          "; GRANT USAGE ON ALL SEQUENCES IN SCHEMA partman TO " + maint.q() +
          "; GRANT CREATE ON SCHEMA public TO " + maint.q() + "; ALTER TABLE ev OWNER TO " + maint.q());
  const auto upgraded = run(db, {"install"});
  CHECK(contains(upgraded.out, "from version 10 to "));
  const auto applied = maint.partman({"apply"});
  INFO(applied.out << applied.err);
  CHECK(applied.exit_code == 0);
  CHECK(!contains(applied.err, "run_state"));
  CHECK(db.scalar("SELECT count(*) FROM partman.run_state WHERE last_success IS NOT NULL") == "1");
  CHECK(maint.partman({"check"}).exit_code == 0);
}

TEST_CASE("trust: on a standby, commands that write say so and exit 2")
{
  const std::string bindir = "/usr/lib/postgresql/" +
                             std::string(std::getenv("PG_VERSION") ? std::getenv("PG_VERSION") : "15") +
                             "/bin";
  if (access((bindir + "/pg_basebackup").c_str(), X_OK) != 0) {
    WARN("skipped: " << bindir << "/pg_basebackup is missing, so no standby can be made");
    return;
  }
  TestDb db;
  daily_parent(db, "2", "30 days");
  run(db, {"apply"});

  // A real standby: a base backup of the test server with -R, started beside it on a socket of its own.
  partman::test::TempDir dir;
  const std::vector<std::string> as_postgres =
      geteuid() == 0 ? std::vector<std::string>{"/usr/sbin/runuser", "-u", "postgres", "--"}
                     : std::vector<std::string>{};
  const auto as_pg = [&](std::vector<std::string> argv) {
    argv.insert(argv.begin(), as_postgres.begin(), as_postgres.end());
    return partman::test::run_command(argv);
  };
  if (geteuid() == 0)
    REQUIRE(partman::test::run_command({"/bin/chown", "postgres:", dir.path.string()}).exit_code == 0);
  const std::string data = dir.path.string() + "/data";
  const auto backup = as_pg({bindir + "/pg_basebackup", "-D", data, "-R", "-c", "fast", "-h",
                             std::getenv("PGHOST"), "-p", std::getenv("PGPORT"), "-U", "postgres"});
  INFO(backup.out << backup.err);
  REQUIRE(backup.exit_code == 0);
  const auto configured = as_pg({"/bin/sh", "-c",
                                 "printf \"listen_addresses = ''\\nport = 5432\\nunix_socket_directories = "
                                 "'%s'\\n\" \"$0\" >> \"$0/data/postgresql.auto.conf\"",
                                 dir.path.string()});
  REQUIRE(configured.exit_code == 0);
  const auto started = as_pg(
      {bindir + "/pg_ctl", "-D", data, "-l", dir.path.string() + "/server.log", "-w", "-t", "60", "start"});
  INFO(started.out << started.err << partman::test::read_file(dir.path.string() + "/server.log"));
  REQUIRE(started.exit_code == 0);
  struct Stop
  {
    std::function<void()> f;
    ~Stop() { f(); }
  } stop{[&] { as_pg({bindir + "/pg_ctl", "-D", data, "-m", "immediate", "stop"}); }};

  const std::map<std::string, std::string> standby{{"PGHOST", dir.path.string()}, {"PGPORT", "5432"}};
  for (const std::vector<std::string>& args : {std::vector<std::string>{"manage", "ev", "--premake", "3"},
                                               {"unmanage", "ev"},
                                               {"restore", "1"},
                                               {"install"}}) {
    const auto r = db.partman(args, standby);
    INFO(args.front() << ": " << r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err,
                   "partman: error: the server is a standby (in recovery), where nothing can be written; "
                   "HINT: run 'partman " +
                       args.front() + "' against the primary"));
    CHECK(!contains(r.err, "read-only transaction"));
  }
  const auto apply = db.partman({"apply"}, standby);
  CHECK(apply.exit_code == 0);
  CHECK(contains(apply.out, "the server is a standby"));
  CHECK(db.partman({"plan"}, standby).exit_code == 0);
}

TEST_CASE("trust: apply --at later than the server's clock creates, and removes only with --force")
{
  TestDb db;
  daily_parent(db, "4", "3 days");
  run(db, {"apply"}); // today and 4 ahead
  REQUIRE(partition_count(db, "ev") == 5);
  // Six days on, the first three have expired; the window holds five new days.
  const std::string at = server_time(db, "6 days");
  const auto plan = run(db, {"plan", "--at", at}, 3);
  CHECK(contains(plan.out, "! refused: its removals are judged at " + at.substr(0, 10)));
  CHECK(contains(plan.out, ", later than the server's clock ("));
  CHECK(contains(plan.out, "HINT: rerun with --force to remove them anyway"));

  const auto held = run(db, {"apply", "--at", at}, 3); // 3, as for any refused removal
  CHECK(contains(held.out, "refused: its removals are judged at"));
  CHECK(contains(held.out, "5 created, 0 dropped"));
  CHECK(partition_count(db, "ev") == 10);

  const auto forced = run(db, {"apply", "--at", at, "--force"});
  CHECK(contains(forced.out, "0 created, 3 dropped"));
  CHECK(partition_count(db, "ev") == 7);
  // A time not ahead of the server's clock needs no --force.
  const auto past = run(db, {"apply", "--at", server_time(db, "-1 minute")});
  CHECK(!contains(past.out, "refused"));
}

TEST_CASE("trust: a host clock far from the server's holds removals back until --force")
{
  const std::string faketime = partman::test::find_on_path("faketime");
  if (faketime.empty()) {
    WARN("skipped: faketime is not installed (Debian package faketime), so this host's clock cannot be moved "
         "for partman alone");
    return;
  }
  if (std::getenv("PARTMAN_SANITIZED")) {
    WARN(
        "skipped in the sanitized pass: libfaketime and AddressSanitizer both intercept clock_gettime, and a "
        "sanitized partman hangs at start under faketime (the normal pass runs this test)");
    return;
  }
  TestDb db;
  daily_parent(db, "3", "3 days");
  run(db, {"apply", "--at", server_time(db, "-10 days"), "--force"}); // four days long expired
  REQUIRE(partition_count(db, "ev") == 4);
  const auto skewed = [&](const std::string& offset, std::vector<std::string> args) {
    args.insert(args.begin(), {faketime, "-f", offset, PARTMAN_BIN});
    return partman::test::run_command(args, {{"PGDATABASE", db.name()}});
  };

  for (const char* offset : {"+2h", "-2h"}) {
    const auto r = skewed(offset, {"plan"});
    INFO(offset << ": " << r.out << r.err);
    CHECK(r.exit_code == 3);
    CHECK(contains(r.err, "partman: warning: this host's clock ("));
    CHECK(contains(r.err, "and the server's ("));
    CHECK(contains(r.out, "! refused: this host's clock ("));
    CHECK(contains(r.out,
                   "differ by more than 5 minutes, so only its creates are applied; HINT: set the clock "
                   "right (NTP), or rerun with --force"));
  }
  const auto held = skewed("+2h", {"apply"});
  INFO(held.out << held.err);
  CHECK(held.exit_code == 3);
  CHECK(contains(held.out, "4 created, 0 dropped"));
  CHECK(partition_count(db, "ev") == 8);
  const auto forced = skewed("+2h", {"apply", "--force"});
  INFO(forced.out << forced.err);
  CHECK(forced.exit_code == 0);
  CHECK(contains(forced.out, "4 dropped"));
  CHECK(partition_count(db, "ev") == 4);
  // A skew of a minute is no skew.
  const auto close = skewed("+1m", {"plan"});
  CHECK(close.exit_code == 0);
  CHECK(!contains(close.err, "warning"));
}

TEST_CASE("trust: outside the removal window only creates run, the plan says why, and that is no failure")
{
  TestDb db;
  daily_parent(db, "2", "3 days");
  run(db, {"apply", "--at", server_time(db, "-10 days"), "--force"}); // ten days ago and two ahead
  REQUIRE(partition_count(db, "ev") == 3);
  const std::string at = server_time(db, "-1 minute");
  const auto hhmm = [&](const std::string& offset) {
    return db.scalar("SELECT to_char(now() AT TIME ZONE 'UTC' + interval '" + offset + "', 'HH24:MI')");
  };
  const std::string closed = hhmm("2 hours") + "-" + hhmm("3 hours") + " UTC";
  const auto plan = run(db, {"plan", "--at", at, "--removal-window", closed}); // exit 0
  CHECK(contains(plan.out, "removals wait for the removal window " + closed));
  const auto held = run(db, {"apply", "--at", at, "--removal-window", closed}); // exit 0
  CHECK(contains(held.out, "0 dropped"));
  CHECK(!contains(held.out, " 0 created")); // today and two ahead
  const auto held_count = partition_count(db, "ev");
  CHECK(held_count > 3);

  const std::string open = hhmm("-1 hours") + "-" + hhmm("1 hours") + " UTC";
  const auto done = run(db, {"apply", "--at", at, "--removal-window", open});
  CHECK(!contains(done.out, "removal window"));
  CHECK(partition_count(db, "ev") < held_count); // the expired ones dropped

  run(db, {"plan", "--removal-window", "25:00-01:00"}, 2);
}
