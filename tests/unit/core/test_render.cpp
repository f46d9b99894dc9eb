#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "partman/core/render.hpp"
#include "planner_helpers.hpp"

using namespace partman::core;
using namespace partman::test;

namespace {

const Micros k_now = at("2026-11-25 04:20Z");

std::string golden_path(const std::string& file)
{
  return std::string(PARTMAN_GOLDEN_DIR) + "/" + file;
}

// Compares `actual` with tests/golden/`file`; with PARTMAN_UPDATE_GOLDEN=1 rewrites the file instead.
void check_golden(const std::string& file, const std::string& actual)
{
  INFO("golden file " << golden_path(file) << " (PARTMAN_UPDATE_GOLDEN=1 rewrites it)");
  const char* update = std::getenv("PARTMAN_UPDATE_GOLDEN");
  if (update && std::string(update) == "1") {
    std::ofstream out(golden_path(file), std::ios::binary);
    out << actual;
    REQUIRE(out.good());
    return;
  }
  std::ifstream in(golden_path(file), std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream expected;
  expected << in.rdbuf();
  CHECK(actual == expected.str());
}

void check_all_golden(const std::string& name, const Plan& plan)
{
  check_golden(name + ".sql", render_sql(plan, "5s", "100ms"));
  check_golden(name + ".json", render_json(plan));
  check_golden(name + ".txt", render_text(plan));
}

// Daily in UTC with retention by drop: creates, and drops of expired partitions.
Plan daily_utc_drop()
{
  auto parent = make_parent("public", "events");
  auto policy = make_policy("public", "events", "1 day", 2);
  policy.retention = period("30 days");
  policy.retention_action = RetentionAction::drop;
  parent.children.push_back(
      make_child("public", "events_p20261024", "2026-10-24 00:00:00+00:00", "2026-10-25 00:00:00+00:00"));
  parent.children.push_back(
      make_child("public", "events_p20261025", "2026-10-25 00:00:00+00:00", "2026-10-26 00:00:00+00:00"));
  parent.children.push_back(
      make_child("public", "events_p20261026", "2026-10-26 00:00:00+00:00", "2026-10-27 00:00:00+00:00"));
  parent.children.push_back(
      make_child("public", "events_p20261125", "2026-11-25 00:00:00+00:00", "2026-11-26 00:00:00+00:00"));
  return make_plan({parent}, {policy}, k_now);
}

// Monthly in Europe/Berlin with retention by detach to an archive schema, and an interrupted detach.
Plan monthly_berlin_archive()
{
  auto parent = make_parent("app", "Orders");
  auto policy = make_policy("app", "Orders", "monthly", 2, "Europe/Berlin");
  policy.retention = period("1 year");
  policy.retention_action = RetentionAction::detach;
  policy.retention_schema = "archive";
  parent.children.push_back(
      make_child("app", "Orders_p202509", "2025-09-01 00:00:00+02:00", "2025-10-01 00:00:00+02:00"));
  parent.children.push_back(
      make_child("app", "Orders_p202510", "2025-10-01 00:00:00+02:00", "2025-11-01 00:00:00+01:00"));
  parent.children.back().detach_pending = true;
  parent.children.push_back(
      make_child("app", "Orders_p202511", "2025-11-01 00:00:00+01:00", "2025-12-01 00:00:00+01:00"));
  parent.children.push_back(
      make_child("app", "Orders_p202611", "2026-11-01 00:00:00+01:00", "2026-12-01 00:00:00+01:00"));
  return make_plan({parent}, {policy}, k_now);
}

// Parents that cannot be planned, next to one with nothing to do.
Plan error_parents()
{
  auto missing = make_parent("public", "gone");
  missing.exists = false;
  auto list = make_parent("public", "by_region");
  list.strategy = Strategy::list;
  auto ok = make_parent("public", "quiet");
  const auto ok_policy = make_policy("public", "quiet", "1 year", 1);
  ok.children.push_back(
      make_child("public", "quiet_p2026", "2026-01-01 00:00:00+00:00", "2027-01-01 00:00:00+00:00"));
  ok.children.push_back(
      make_child("public", "quiet_p2027", "2027-01-01 00:00:00+00:00", "2028-01-01 00:00:00+00:00"));
  auto date_hourly = make_parent("public", "visits", KeyType::date);
  return make_plan({missing, list, ok, date_hourly},
                   {make_policy("public", "gone", "1 day"), make_policy("public", "by_region", "1 month"),
                    ok_policy, make_policy("public", "visits", "1 hour")},
                   k_now);
}

// A parent with notes: an overlapping hand-made partition, a covering one, a taken name, a default with rows.
Plan parent_with_notes()
{
  auto parent = make_parent("sales", "Line Items");
  const auto policy = make_policy("sales", "Line Items", "1 week", 4, "America/New_York");
  parent.children.push_back(make_child("sales", "handmade_dec", "2026-11-30 00:00:00-05:00",
                                       "2026-12-14 00:00:00-05:00")); // covers w49 and w50
  parent.children.push_back(make_child("sales", "odd_one", "2026-12-17 00:00:00-05:00",
                                       "2026-12-18 00:00:00-05:00")); // overlaps w51
  parent.taken_names = {"Line Items_p2026w52"};
  parent.children.push_back(make_default("sales", "Line Items_default"));
  parent.children.back().estimated_rows = 42;
  return make_plan({parent}, {policy}, k_now);
}

// A parent whose plan the guard refuses (3 of 4 partitions expired, 1 to create), next to one that goes
// ahead; both have a default partition, so the removals are transactional.
Plan refused_parent()
{
  auto parent = make_parent("public", "clicks");
  auto policy = make_policy("public", "clicks", "1 day", 1);
  policy.retention = period("30 days");
  policy.retention_action = RetentionAction::drop;
  for (int d = 1; d <= 3; ++d)
    parent.children.push_back(make_child("public", "clicks_p2026100" + std::to_string(d),
                                         "2026-10-0" + std::to_string(d) + " 00:00:00+00:00",
                                         "2026-10-0" + std::to_string(d + 1) + " 00:00:00+00:00"));
  parent.children.push_back(
      make_child("public", "clicks_p20261125", "2026-11-25 00:00:00+00:00", "2026-11-26 00:00:00+00:00"));
  parent.children.push_back(make_default("public", "clicks_default"));
  auto ok = make_parent("public", "views");
  auto ok_policy = make_policy("public", "views", "1 day", 1);
  ok_policy.retention = period("30 days");
  ok_policy.retention_action = RetentionAction::detach;
  ok_policy.retention_schema = "archive";
  ok.children.push_back(
      make_child("public", "views_p20261001", "2026-10-01 00:00:00+00:00", "2026-10-02 00:00:00+00:00"));
  ok.children.push_back(
      make_child("public", "views_p20261125", "2026-11-25 00:00:00+00:00", "2026-11-26 00:00:00+00:00"));
  ok.children.push_back(make_default("public", "views_default"));
  return make_plan({parent, ok}, {policy, ok_policy}, k_now);
}

// Returns the text psql would run as SQL: `sql` without -- comments (which end at a newline or a carriage
// return) and without the contents of quoted identifiers and literals.
std::string outside_quotes_and_comments(const std::string& sql)
{
  std::string out;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      while (i < sql.size() && sql[i] != '\n' && sql[i] != '\r')
        ++i;
      out.push_back('\n');
    } else if (c == '"' || c == '\'') {
      ++i;
      while (i < sql.size() && sql[i] != c)
        ++i; // a doubled quote closes and reopens: the same as staying inside
      out.push_back(c);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

} // namespace

TEST_CASE("render: golden daily_utc_drop")
{
  check_all_golden("daily_utc_drop", daily_utc_drop());
}

TEST_CASE("render: golden monthly_berlin_archive")
{
  check_all_golden("monthly_berlin_archive", monthly_berlin_archive());
}

TEST_CASE("render: golden error_parents")
{
  check_all_golden("error_parents", error_parents());
}

TEST_CASE("render: golden parent_with_notes")
{
  check_all_golden("parent_with_notes", parent_with_notes());
}

TEST_CASE("render: golden refused_parent")
{
  check_all_golden("refused_parent", refused_parent());
}

TEST_CASE("render: golden empty plan")
{
  check_all_golden("empty", make_plan({}, {}, k_now));
}

TEST_CASE("render: json_time writes bounds and instants as RFC 3339, other text as it is")
{
  CHECK(json_time("2026-11-25 00:00:00+01:00") == "2026-11-25T00:00:00+01:00");
  CHECK(json_time("2026-11-25 00:00:00.250000-03:30") == "2026-11-25T00:00:00.250000-03:30");
  CHECK(json_time("2026-11-25 00:00:00") == "2026-11-25T00:00:00"); // timestamp without time zone
  CHECK(json_time("2026-11-25") == "2026-11-25");
  CHECK(json_time("MINVALUE") == "MINVALUE");
  CHECK(json_time("1000") == "1000");
  CHECK(json_time("-1234567890123456789") == "-1234567890123456789");
  CHECK(json_time("") == "");
}

TEST_CASE("render: iso_utc")
{
  CHECK(iso_utc(0) == "1970-01-01T00:00:00Z");
  CHECK(iso_utc(k_now) == "2026-11-25T04:20:00Z");
  CHECK(iso_utc(k_now + 1500) == "2026-11-25T04:20:00.001500Z");
  CHECK(iso_utc(-k_micros_per_second) == "1969-12-31T23:59:59Z");
}

TEST_CASE("render: sql wraps each transactional action in its own transaction")
{
  const std::string sql = render_sql(monthly_berlin_archive(), "2min", "100ms");
  CHECK(sql.rfind("-- partman " PARTMAN_VERSION " plan at 2026-11-25T04:20:00Z\n", 0) == 0);
  CHECK(sql.find("SET lock_timeout = '2min';\n") != std::string::npos);
  // The finalize runs outside a transaction block; so does the detach (CONCURRENTLY: the parent has no
  // default partition) and the SET SCHEMA after it.
  CHECK(sql.find(
            "BEGIN;\nALTER TABLE \"app\".\"Orders\" DETACH PARTITION \"app\".\"Orders_p202510\" FINALIZE") ==
        std::string::npos);
  CHECK(
      sql.find("\nALTER TABLE \"app\".\"Orders\" DETACH PARTITION \"app\".\"Orders_p202510\" FINALIZE;\n") !=
      std::string::npos);
  CHECK(
      sql.find("\nALTER TABLE \"app\".\"Orders\" DETACH PARTITION \"app\".\"Orders_p202509\" CONCURRENTLY;\n"
               "ALTER TABLE \"app\".\"Orders_p202509\" SET SCHEMA \"archive\";\n-- ") != std::string::npos);
  CHECK(sql.find("BEGIN;\nALTER TABLE \"app\".\"Orders\" DETACH PARTITION \"app\".\"Orders_p202509\"") ==
        std::string::npos);
  // A create is one transaction: the lock, the table, the attach.
  CHECK(sql.find("BEGIN;\nLOCK TABLE ONLY \"app\".\"Orders\" IN SHARE UPDATE EXCLUSIVE MODE;\nCREATE TABLE "
                 "\"app\".\"Orders_p202612\" (LIKE \"app\".\"Orders\" ") != std::string::npos);
  CHECK(render_sql(make_plan({}, {}, k_now), "it's", "100ms").find("SET lock_timeout = 'it''s';") !=
        std::string::npos);
}

TEST_CASE("render: a newline in a name cannot escape an SQL comment")
{
  // PostgreSQL allows any character in a quoted identifier; psql ends a -- comment at a newline or a
  // carriage return, so a name carrying one must not turn the rest of a comment line into a statement.
  const std::string evil = "x\nDROP TABLE important; --";
  const std::string evil_cr = "y\rDROP TABLE important; --";
  const Plan plan =
      make_plan({make_parent("public", evil), make_parent("public", evil_cr)},
                {make_policy("public", evil, "1 day", 1), make_policy("public", evil_cr, "1 day", 1)}, k_now);
  REQUIRE(plan.action_count() == 4);
  const std::string sql = render_sql(plan, "5s", "100ms");
  const std::string code = outside_quotes_and_comments(sql);
  CHECK(code.find("DROP TABLE important") == std::string::npos);
  // Every statement is still there: 4 creates of 3 statements each, in 4 transactions.
  std::size_t begins = 0;
  for (std::size_t at = code.find("BEGIN;"); at != std::string::npos; at = code.find("BEGIN;", at + 1))
    ++begins;
  CHECK(begins == 4);
  CHECK(sql.find("x\n-- DROP TABLE important") != std::string::npos);
}

TEST_CASE("render: json structure")
{
  const auto doc = nlohmann::json::parse(render_json(daily_utc_drop()));
  CHECK(doc["format"] == "partman-plan");
  CHECK(doc["version"] == k_plan_json_version);
  CHECK(doc["partman_version"] == PARTMAN_VERSION);
  CHECK(doc["at"] == "2026-11-25T04:20:00Z");
  REQUIRE(doc["parents"].size() == 1);
  const auto& p = doc["parents"][0];
  CHECK(p["parent"] == "\"public\".\"events\"");
  CHECK(p["status"] == "ok");
  CHECK(p["error"].is_null());
  CHECK(p["refused"].is_null());
  REQUIRE(p["actions"].size() == 4);
  CHECK(p["actions"][0]["action"] == "create");
  CHECK(p["actions"][0]["name"] == "events_p20261126");
  CHECK(p["actions"][0]["bounds"]["from"] == "2026-11-26T00:00:00+00:00");
  CHECK(p["actions"][0]["bounds"]["to"] == "2026-11-27T00:00:00+00:00");
  CHECK(p["actions"][0]["sql"].size() == 3);
  CHECK(p["actions"][0]["transaction"] == true);
  CHECK(p["actions"][2]["action"] == "drop");
  CHECK(p["actions"][2]["bounds"].is_null());
  // The keys a parent has in the status and run JSON too.
  CHECK(p["schema"] == "public");
  CHECK(p["table"] == "events");
  CHECK(p["level"] == 1);
  CHECK(p["partition_of"].is_null());
  CHECK(p["summary"] == p["policy"]);
  CHECK(p["summary"].get<std::string>().rfind("1 day", 0) == 0);
  CHECK(p["actions"][2]["transaction"] == false);
  CHECK(
      p["actions"][2]["sql"] ==
      nlohmann::json::array(
          {"ALTER TABLE \"public\".\"events\" DETACH PARTITION \"public\".\"events_p20261024\" CONCURRENTLY",
           "DROP TABLE \"public\".\"events_p20261024\""}));
  CHECK_FALSE(doc.contains("fingerprint"));
  Plan with_fingerprint = daily_utc_drop();
  with_fingerprint.fingerprint = "0123456789abcdef";
  CHECK(nlohmann::json::parse(render_json(with_fingerprint))["fingerprint"] == "0123456789abcdef");
  const auto err = nlohmann::json::parse(render_json(error_parents()));
  CHECK(err["parents"][0]["status"] == "error");
  CHECK(err["parents"][0]["error"].is_string());
  CHECK(err["parents"][0]["refused"].is_null());
  CHECK(err["parents"][2]["status"] == "ok");
  CHECK(err["parents"][2]["actions"].empty());
}

TEST_CASE("render: text summary line counts every kind and the errors")
{
  const std::string text = render_text(monthly_berlin_archive());
  CHECK(text.find("\n2 to create, 0 to drop, 1 to detach, 1 to finalize, over 1 parent(s)\n") !=
        std::string::npos);
  const std::string errors = render_text(error_parents());
  CHECK(errors.find(
            "\n0 to create, 0 to drop, 0 to detach, 0 to finalize, over 4 parent(s); 3 parent(s) cannot be "
            "planned\n") != std::string::npos);
  CHECK(errors.find("\"public\".\"quiet\" (1 year, premake 1, UTC)\n  nothing to do\n") != std::string::npos);
}

TEST_CASE("render: sql runs a removal beside a default partition as one transaction with explicit locks")
{
  const Plan plan = refused_parent();
  REQUIRE(plan.parents.size() == 2);
  REQUIRE(plan.parents[1].refused.empty());
  const std::string sql = render_sql(plan, "5s", "100ms");
  // Both take ACCESS EXCLUSIVE on the parent or its default partition: the exclusive lock timeout comes
  // first.
  CHECK(sql.find("BEGIN;\nSET LOCAL lock_timeout = '100ms';\nLOCK TABLE ONLY \"public\".\"views\" IN ACCESS "
                 "EXCLUSIVE MODE;\n"
                 "LOCK TABLE ONLY \"public\".\"views_default\" IN ACCESS EXCLUSIVE MODE;\n"
                 "ALTER TABLE \"public\".\"views\" DETACH PARTITION \"public\".\"views_p20261001\";\n"
                 "ALTER TABLE \"public\".\"views_p20261001\" SET SCHEMA \"archive\";\nCOMMIT;\n") !=
        std::string::npos);
  CHECK(sql.find("BEGIN;\nSET LOCAL lock_timeout = '100ms';\nLOCK TABLE ONLY \"public\".\"views\" IN SHARE "
                 "UPDATE EXCLUSIVE MODE;\n"
                 "LOCK TABLE ONLY \"public\".\"views_default\" IN ACCESS EXCLUSIVE MODE;\n"
                 "CREATE TABLE \"public\".\"views_p20261126\" ") != std::string::npos);
  CHECK(sql.find("CONCURRENTLY") == std::string::npos);
}

TEST_CASE("render: a refused parent")
{
  const Plan plan = refused_parent();
  REQUIRE(plan.parents.size() == 2);
  const std::string refused = plan.parents[0].refused;
  REQUIRE(refused.rfind("would drop or detach 3 of 5 partitions, more than 50%", 0) == 0);
  REQUIRE(plan.parents[0].actions.size() == 4);
  SECTION("text shows the refusal, then the actions with their locks")
  {
    const std::string text = render_text(plan);
    CHECK(text.find("\"public\".\"clicks\" (1 day, premake 1, retention 30 days (drop), UTC)\n  ! refused: " +
                    refused + "\n  + create \"public\".\"clicks_p20261126\" ") != std::string::npos);
    CHECK(text.find("  - drop \"public\".\"clicks_p20261001\"\n      retention 30 days: upper bound "
                    "2026-10-02 00:00:00+00:00 is not after 2026-10-26 04:20:00+00:00\n      locks: " +
                    std::string(plan.parents[0].actions[1].locks) +
                    "; waits for them at most the exclusive lock timeout\n") != std::string::npos);
    CHECK(text.find("\n2 to create, 3 to drop, 1 to detach, 0 to finalize, over 2 parent(s); 1 parent(s) "
                    "refused (see --force)\n") != std::string::npos);
    // The parent that goes ahead has no refusal line.
    CHECK(text.find("! refused") == text.rfind("! refused"));
    // Without a refusal the summary line says nothing of it.
    CHECK(render_text(daily_utc_drop()).find("refused") == std::string::npos);
  }
  SECTION("sql leaves the refused parent's removals out, but keeps its creates and the other parent's")
  {
    const std::string sql = render_sql(plan, "5s", "100ms");
    CHECK(sql.find("\n-- \"public\".\"clicks\" (1 day, premake 1, retention 30 days (drop), UTC)\n"
                   "-- refused, so its removals are left out: " +
                   refused + "\n") != std::string::npos);
    CHECK(outside_quotes_and_comments(sql).find("clicks_p20261001") == std::string::npos);
    CHECK(sql.find("CREATE TABLE \"public\".\"clicks_p20261126\"") != std::string::npos);
    CHECK(sql.find("CREATE TABLE \"public\".\"views_p20261126\"") != std::string::npos);
    CHECK(outside_quotes_and_comments(sql).find("DROP") == outside_quotes_and_comments(sql).rfind("DROP"));
  }
  SECTION("json: status refused, the reason, and the actions")
  {
    const auto doc = nlohmann::json::parse(render_json(plan));
    REQUIRE(doc["parents"].size() == 2);
    const auto& p = doc["parents"][0];
    CHECK(p["status"] == "refused");
    CHECK(p["refused"] == refused);
    CHECK(p["error"].is_null());
    CHECK(p["actions"].size() == 4);
    CHECK(doc["parents"][1]["status"] == "ok");
    CHECK(doc["parents"][1]["refused"].is_null());
  }
  SECTION("an error wins over a refusal in json")
  {
    Plan both = plan;
    both.parents[0].error = "broken";
    CHECK(nlohmann::json::parse(render_json(both))["parents"][0]["status"] == "error");
  }
}
