// New children that match their parent, against a real server: owner and grants, tablespace, replica
// identity, publications, comments, a template table's unique indexes, what PostgreSQL itself carries on
// attach, and retention beside foreign keys.
#include <catch2/catch.hpp>
#include <filesystem>
#include <pwd.h>
#include <unistd.h>

#include "harness.hpp"
#include "util.hpp"

using partman::test::contains;
using partman::test::managed_parent;
using partman::test::TestDb;

namespace {

// A folder for a tablespace, owned by the server's user, removed with everything in it at the end.
class TablespaceDir
{
public:
  TablespaceDir()
  {
    char path[] = "/tmp/partman-ts.XXXXXX";
    m_path = mkdtemp(path);
    if (geteuid() == 0) {
      if (const passwd* pg = getpwnam("postgres"))
        REQUIRE(chown(m_path.c_str(), pg->pw_uid, pg->pw_gid) == 0);
    }
  }
  ~TablespaceDir() { std::filesystem::remove_all(m_path); }
  TablespaceDir(const TablespaceDir&) = delete;
  TablespaceDir& operator=(const TablespaceDir&) = delete;

  const std::string& path() const { return m_path; }

private:
  std::string m_path;
};

} // namespace

TEST_CASE("new partitions get their parent's owner, grants, tablespace, replica identity, comment and "
          "publications, and PostgreSQL carries indexes, constraints and defaults")
{
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  const std::string suffix = db.name().substr(std::string("partman_test_").size());
  const std::string owner = "own_" + suffix, reader = "read_" + suffix, writer = "write_" + suffix;
  const std::string ts = "ts_" + suffix, pub = "pub_" + suffix;
  TablespaceDir dir;
  db.exec("CREATE ROLE " + owner + "; CREATE ROLE " + reader + "; CREATE ROLE " + writer);
  db.scalar("CREATE TABLESPACE " + ts + " LOCATION '" + dir.path() + "'"); // not in a transaction block
  db.exec("CREATE TABLE ev (id bigint NOT NULL, at timestamptz NOT NULL, note text DEFAULT 'x', "
          "CONSTRAINT id_positive CHECK (id > 0)) PARTITION BY RANGE (at) TABLESPACE " +
          ts);
  db.exec("CREATE UNIQUE INDEX ev_ri ON ev (id, at); ALTER TABLE ev REPLICA IDENTITY USING INDEX ev_ri");
  db.exec("CREATE INDEX ev_note ON ev (note)");
  db.exec("ALTER TABLE ev OWNER TO " + owner + "; GRANT SELECT ON ev TO " + reader +
          "; GRANT INSERT, UPDATE ON ev TO " + writer + " WITH GRANT OPTION");
  db.exec("COMMENT ON TABLE ev IS 'the events, it''s here'; COMMENT ON COLUMN ev.note IS 'free text'");
  db.exec("CREATE PUBLICATION " + pub + " FOR TABLE ev");
  // Another parent: replica identity full, privileges not inherited.
  db.exec("CREATE TABLE ev2 (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at)");
  db.exec("ALTER TABLE ev2 REPLICA IDENTITY FULL; ALTER TABLE ev2 OWNER TO " + owner +
          "; GRANT SELECT ON ev2 TO " + reader);
  managed_parent(db, "ev", {"--interval", "daily", "--premake", "1", "--default-partition"});
  managed_parent(db, "ev2", {"--interval", "daily", "--premake", "1", "--no-inherit-privileges"});

  const auto plan = db.partman({"plan", "--at", "2026-01-10", "-f", "sql"});
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit_code == 0);
  CHECK(contains(plan.out, "INCLUDING STATISTICS) TABLESPACE \"" + ts +
                               "\";\nCOMMENT ON TABLE "
                               "\"public\".\"ev_p20260110\" IS 'the events, it''s here';\n"));
  CHECK(contains(plan.out,
                 "CREATE UNIQUE INDEX \"ev_p20260110_replica_identity\" ON \"public\".\"ev_p20260110\" "
                 "USING btree (id, at);\nALTER TABLE \"public\".\"ev_p20260110\" REPLICA IDENTITY USING "
                 "INDEX \"ev_p20260110_replica_identity\";\n"));
  CHECK(contains(plan.out, "GRANT SELECT ON TABLE \"public\".\"ev_p20260110\" TO \"" + reader + "\";\n"));
  CHECK(contains(plan.out, "ATTACH PARTITION \"public\".\"ev_p20260110\" FOR VALUES FROM ('2026-01-10 "
                           "00:00:00+00:00') TO ('2026-01-11 00:00:00+00:00');\nALTER TABLE "
                           "\"public\".\"ev_p20260110\" OWNER TO \"" +
                               owner + "\";\nCOMMIT;"));
  CHECK_FALSE(contains(plan.out, "PUBLICATION")); // partitions of a published parent are published with it
  const auto apply = db.partman({"apply", "--at", "2026-01-10"});
  INFO(apply.out << apply.err);
  REQUIRE(apply.exit_code == 0);

  for (const std::string c : {"ev_p20260110", "ev_p20260111", "ev_default"}) {
    INFO(c);
    const std::string rel = "'" + c + "'::regclass";
    CHECK(db.scalar("SELECT relowner::regrole::text FROM pg_class WHERE oid = " + rel) == owner);
    CHECK(db.scalar("SELECT relacl::text FROM pg_class WHERE oid = " + rel) ==
          db.scalar("SELECT relacl::text FROM pg_class WHERE oid = 'ev'::regclass"));
    CHECK(
        db.scalar(
            "SELECT spcname FROM pg_class c JOIN pg_tablespace t ON t.oid = c.reltablespace WHERE c.oid = " +
            rel) == ts);
    CHECK(db.scalar("SELECT relreplident FROM pg_class WHERE oid = " + rel) == "i");
    // The replica identity index is the child's part of the parent's index.
    CHECK(db.scalar("SELECT i.inhparent::regclass::text FROM pg_index x JOIN pg_inherits i ON i.inhrelid = "
                    "x.indexrelid WHERE x.indrelid = " +
                    rel + " AND x.indisreplident") == "ev_ri");
    CHECK(db.scalar("SELECT obj_description(" + rel + ", 'pg_class')") == "the events, it's here");
    CHECK(db.scalar("SELECT col_description(" + rel + ", 2 + 1)") == "free text");
    CHECK(db.scalar("SELECT count(*) FROM pg_publication_tables WHERE pubname = '" + pub +
                    "' AND tablename = '" + c + "'") == "1");
    // Carried by PostgreSQL on attach: the parent's other index, its CHECK constraint, and (from LIKE) the
    // column default.
    CHECK(db.scalar("SELECT count(*) FROM pg_index x JOIN pg_inherits i ON i.inhrelid = x.indexrelid WHERE "
                    "x.indrelid = " +
                    rel + " AND i.inhparent = 'ev_note'::regclass") == "1");
    CHECK(db.scalar("SELECT count(*) FROM pg_constraint WHERE conrelid = " + rel +
                    " AND conname = 'id_positive' AND contype = 'c'") == "1");
  }
  db.exec("INSERT INTO ev (id, at) VALUES (1, '2026-01-10 10:00+00')");
  CHECK(db.scalar("SELECT note FROM ev_p20260110") == "x");

  const std::string rel2 = "'ev2_p20260110'::regclass";
  CHECK(db.scalar("SELECT relreplident FROM pg_class WHERE oid = " + rel2) == "f");
  CHECK(db.scalar("SELECT relowner::regrole::text FROM pg_class WHERE oid = " + rel2) ==
        db.scalar("SELECT current_user"));
  CHECK(db.scalar("SELECT relacl IS NULL FROM pg_class WHERE oid = " + rel2) == "t");
  CHECK(db.scalar("SELECT reltablespace FROM pg_class WHERE oid = " + rel2) == "0");

  CHECK(partman::test::action_count(db.partman({"plan", "--at", "2026-01-10", "-f", "json"}).out) == 0);
  // The tablespace and roles live beyond this database: remove them.
  db.exec("DROP PUBLICATION " + pub + "; DROP TABLE ev, ev2");
  db.scalar("DROP TABLESPACE " + ts);
  db.exec("DROP OWNED BY " + owner + ", " + reader + ", " + writer + "; DROP ROLE " + owner + ", " + reader +
          ", " + writer);
}

TEST_CASE("a template table's unique indexes are created on every new partition")
{
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  db.exec(
      "CREATE TABLE ev (id bigint NOT NULL, at timestamptz NOT NULL, email text) PARTITION BY RANGE (at)");
  db.exec("CREATE UNIQUE INDEX ev_id_at ON ev (id, at)");
  // Unique on email alone cannot live on the parent (no partition key); one index equals the parent's.
  db.exec("CREATE TABLE ev_tpl (LIKE ev); CREATE UNIQUE INDEX ev_tpl_email_key ON ev_tpl (email); "
          "CREATE UNIQUE INDEX ev_tpl_same ON ev_tpl (id, at)");
  const auto bad = db.partman({"manage", "ev", "--interval", "daily", "--template-table", "nope"});
  CHECK(bad.exit_code == 2);
  CHECK(contains(bad.err, "table 'nope' does not exist"));
  managed_parent(db, "ev", {"--interval", "daily", "--premake", "1", "--template-table", "ev_tpl"});
  CHECK(db.scalar("SELECT template_schema || '.' || template_table FROM partman.policy") == "public.ev_tpl");

  const auto plan = db.partman({"plan", "--at", "2026-01-10", "-f", "sql"});
  CHECK(contains(plan.out,
                 "CREATE UNIQUE INDEX \"ev_p20260110_email_key\" ON \"public\".\"ev_p20260110\" USING "
                 "btree (email);"));
  CHECK_FALSE(contains(plan.out, "ev_p20260110_same"));
  REQUIRE(db.partman({"apply", "--at", "2026-01-10"}).exit_code == 0);
  CHECK(db.scalar(
            "SELECT string_agg(indexrelid::regclass::text, ',' ORDER BY 1) FROM pg_index WHERE indrelid = "
            "'ev_p20260110'::regclass") == "ev_p20260110_email_key,ev_p20260110_id_at_idx");
  CHECK(db.scalar("SELECT count(*) FROM pg_index WHERE indrelid = 'ev'::regclass") == "1");
  db.exec("INSERT INTO ev VALUES (1, '2026-01-10 01:00+00', 'a@example.com'), (2, '2026-01-11 01:00+00', "
          "'a@example.com')");
  CHECK_THROWS(db.exec("INSERT INTO ev VALUES (3, '2026-01-10 02:00+00', 'a@example.com')"));

  // A template that disappears stops that parent's plan, with a hint.
  db.exec("DROP TABLE ev_tpl");
  const auto gone = db.partman({"plan", "--at", "2026-01-12"});
  CHECK(gone.exit_code == 3);
  CHECK(contains(gone.out, "the policy's template table \"public\".\"ev_tpl\" does not exist"));
  REQUIRE(db.partman({"manage", "ev", "--template-table", "none"}).exit_code == 0);
  CHECK(db.partman({"plan", "--at", "2026-01-12"}).exit_code == 0);
}

TEST_CASE("retention leaves a partition a foreign key references, with a note, and a key on the parent is "
          "PostgreSQL's to check")
{
  TestDb db;
  REQUIRE(db.partman({"install"}).exit_code == 0);
  db.exec("CREATE TABLE ev (id bigint NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at)");
  managed_parent(db, "ev", {"--interval", "daily", "--premake", "1", "--start", "2026-01-01"});
  REQUIRE(db.partman({"apply", "--at", "2026-01-05"}).exit_code == 0);
  db.exec("ALTER TABLE ev_p20260102 ADD PRIMARY KEY (id)");
  db.exec("INSERT INTO ev VALUES (7, '2026-01-02 10:00+00')");
  db.exec("CREATE TABLE orders (ev_id bigint REFERENCES ev_p20260102 (id))");
  db.exec("INSERT INTO orders VALUES (7)");
  REQUIRE(db.partman({"manage", "ev", "--retention", "2 days", "--retention-action", "drop"}).exit_code == 0);

  const auto plan = db.partman({"plan", "--at", "2026-01-05"});
  INFO(plan.out << plan.err);
  CHECK(plan.exit_code == 0);
  CHECK(contains(plan.out, "- drop \"public\".\"ev_p20260101\""));
  CHECK_FALSE(contains(plan.out, "- drop \"public\".\"ev_p20260102\""));
  CHECK(contains(plan.out,
                 "! warning: \"public\".\"ev_p20260102\" is due for removal but is referenced by foreign "
                 "key orders_ev_id_fkey of orders, so it is left in place"));
  const auto apply = db.partman({"apply", "--at", "2026-01-05"});
  INFO(apply.out << apply.err);
  CHECK(apply.exit_code == 0);
  CHECK(contains(apply.out, "warning: \"public\".\"ev_p20260102\" is due for removal"));
  CHECK(partman::test::children_of(db, {"ev"}) ==
        "ev_p20260102,ev_p20260103,ev_p20260104,ev_p20260105,ev_p20260106");
  CHECK(db.scalar("SELECT count(*) FROM partman.history WHERE outcome <> 'ok'") == "0");

  SECTION("a foreign key that references the parent: PostgreSQL refuses the detach of referenced rows, and "
          "nothing changes")
  {
    db.exec("DROP TABLE orders; ALTER TABLE ev_p20260102 DROP CONSTRAINT ev_p20260102_pkey");
    db.exec("ALTER TABLE ev ADD PRIMARY KEY (id, at)");
    db.exec("CREATE TABLE refs (id bigint, at timestamptz, FOREIGN KEY (id, at) REFERENCES ev (id, at))");
    db.exec("INSERT INTO refs VALUES (7, '2026-01-02 10:00+00')");
    const auto p = db.partman({"plan", "--at", "2026-01-06"});
    CHECK(contains(p.out,
                   "! info: the parent is referenced by foreign key refs_id_at_fkey of refs: PostgreSQL "
                   "refuses to detach a partition whose rows are still referenced"));
    const auto a = db.partman({"apply", "--at", "2026-01-06"});
    INFO(a.out << a.err);
    CHECK(a.exit_code == 3);
    CHECK(contains(a.out, "failed: drop \"public\".\"ev_p20260102\""));
    CHECK(contains(a.out, "violates foreign key constraint"));
    CHECK(db.scalar("SELECT count(*) FROM pg_inherits WHERE inhrelid = 'ev_p20260102'::regclass AND NOT "
                    "inhdetachpending") == "1");
    CHECK(db.scalar("SELECT count(*) FROM ev_p20260102") == "1");
  }
}
