// Small helpers shared by the integration tests (header only: tests/CMakeLists.txt globs *.cpp).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "harness.hpp"

namespace partman::test {

// Runs partman and requires exit code `code`, showing its output when it differs.
inline CommandResult run(TestDb& db, const std::vector<std::string>& args, int code = 0)
{
  auto r = db.partman(args);
  INFO("partman " << args.front() << ":\n" << r.out << r.err);
  REQUIRE(r.exit_code == code);
  return r;
}

// Creates a timestamptz parent `table` and manages it with `manage_args` (partman must be installed).
inline void managed_parent(TestDb& db, const std::string& table, const std::vector<std::string>& manage_args)
{
  db.exec("CREATE TABLE IF NOT EXISTS " + table +
          " (id bigint, at timestamptz NOT NULL, note text DEFAULT 'x') PARTITION BY RANGE (at)");
  std::vector<std::string> args{"manage", table};
  args.insert(args.end(), manage_args.begin(), manage_args.end());
  const auto r = db.partman(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
}

// Installs partman and creates a daily parent ev with an index on its key and a default partition (plus
// `manage_args`), applied at 2026-01-10: partitions for the 10th to the 12th.
inline void default_parent(TestDb& db, const std::vector<std::string>& manage_args = {})
{
  REQUIRE(db.partman({"install"}).exit_code == 0);
  db.exec(
      "CREATE TABLE ev (id bigint, at timestamptz NOT NULL, note text DEFAULT 'x') PARTITION BY RANGE (at)");
  db.exec("CREATE INDEX ev_at ON ev (at)");
  std::vector<std::string> args{"--interval", "daily", "--premake", "2", "--default-partition"};
  args.insert(args.end(), manage_args.begin(), manage_args.end());
  managed_parent(db, "ev", args);
  const auto r = db.partman({"apply", "--at", "2026-01-10"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
}

// A temporary folder, removed with everything in it when this goes out of scope.
struct TempDir
{
  std::filesystem::path path;
  TempDir()
  {
    char tmpl[] = "/tmp/partman-test-dir.XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir()
  {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  // Returns the folder as a file:// URI.
  std::string uri() const { return "file://" + path.string(); }
};

// Returns the number of actions in a JSON plan.
inline std::size_t action_count(const std::string& json)
{
  std::size_t n = 0;
  const auto doc = nlohmann::json::parse(json);
  for (const auto& p : doc.at("parents"))
    n += p.at("actions").size();
  return n;
}

// Returns true when `text` contains `part`.
inline bool contains(const std::string& text, const std::string& part)
{
  return text.find(part) != std::string::npos;
}

// Returns the full path of `program` found on PATH, or "" when there is none.
inline std::string find_on_path(const std::string& program)
{
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0)
      return candidate;
  }
  return "";
}

// Writes `text` to a new temporary file and returns its path; the caller unlinks it.
inline std::string write_temp_file(const std::string& text)
{
  char path[] = "/tmp/partman-test-sql.XXXXXX";
  const int fd = mkstemp(path);
  close(fd);
  std::ofstream out(path);
  out << text;
  return path;
}

// Joins rows as "a|b|c\n..." for comparisons that print well.
inline std::string join_lines(const std::vector<std::string>& rows)
{
  std::string out;
  for (const auto& r : rows)
    out += r + "\n";
  return out;
}

// The names of the partitions of `parents` (tables as SQL writes them), in name order, separated by commas.
inline std::string children_of(TestDb& db, const std::vector<std::string>& parents)
{
  std::string list;
  for (const auto& p : parents)
    list += (list.empty() ? "" : ", ") + db.conn().quote(p) + "::regclass";
  return db.scalar("SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_inherits i JOIN pg_class c "
                   "ON c.oid = i.inhrelid WHERE i.inhparent IN (" +
                   list + ")");
}

// The partitions of `parent` (a regclass literal) as "name|bound" lines in bound order.
inline std::string partitions_of(TestDb& db, const std::string& parent)
{
  return join_lines(
      db.column("SELECT c.relnamespace::regnamespace::text || '.' || c.relname || '|' || "
                "pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i JOIN pg_class c ON c.oid = "
                "i.inhrelid WHERE i.inhparent = " +
                db.conn().quote(parent) + "::regclass ORDER BY 1"));
}

// A fingerprint of the whole catalog and partman's tables in `schema`: relations, inheritance, policy and
// history rows.
inline std::string fingerprint(TestDb& db, const std::string& schema = "partman")
{
  const std::string q = db.conn().quote_name(schema);
  return db.scalar(
      "SELECT (SELECT count(*) FROM pg_class)::text || '/' || (SELECT count(*) FROM pg_inherits) || "
      "'/' || (SELECT md5(coalesce(string_agg(oid::text || relname, ',' ORDER BY oid), '')) FROM "
      "pg_class) || '/' || (SELECT md5(coalesce(string_agg(p::text, ',' ORDER BY p::text), '')) "
      "FROM " +
      q +
      ".policy p) || '/' || (SELECT md5(coalesce(string_agg(h::text, ',' ORDER BY h.id), '')) "
      "FROM " +
      q + ".history h)");
}

// Waits until no other session is connected to the test database (a killed client's backend lives on
// until it next talks to the client, or its lock wait times out); returns the milliseconds waited.
inline long wait_for_orphans(TestDb& db)
{
  const auto started = std::chrono::steady_clock::now();
  const auto waited = [&] {
    return static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
            .count());
  };
  while (waited() < 15000) {
    if (db.scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> "
                  "pg_backend_pid() AND backend_type = 'client backend'") == "0")
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return waited();
}

// A login role for one test (no rights beyond PUBLIC's), dropped with what it owns afterwards.
struct TestRole
{
  TestDb& db;
  std::string name;
  TestRole(TestDb& d, const std::string& suffix) : db(d), name(d.name() + "_" + suffix)
  {
    db.exec("CREATE ROLE " + q() + " LOGIN");
  }
  ~TestRole()
  {
    try {
      db.exec("DROP OWNED BY " + q() + "; DROP ROLE " + q());
    } catch (...) {
    }
  }
  TestRole(const TestRole&) = delete;
  TestRole& operator=(const TestRole&) = delete;
  // Returns the role's name quoted.
  std::string q() const { return db.conn().quote_name(name); }
  // Runs partman as this role.
  partman::test::CommandResult partman(const std::vector<std::string>& args)
  {
    return db.partman(args, {{"PGUSER", name}});
  }
};

// A receiver that keeps the payloads of channel partman_policy.
struct PolicyListener : pqxx::notification_receiver
{
  std::vector<std::string> payloads;
  explicit PolicyListener(pqxx::connection& conn) : pqxx::notification_receiver(conn, "partman_policy") {}
  void operator()(const std::string& payload, int) override { payloads.push_back(payload); }
};

// Waits up to 5 s for `listener` to hold `count` payloads.
inline void await_payloads(pqxx::connection& conn, PolicyListener& listener, std::size_t count)
{
  for (int i = 0; i < 50 && listener.payloads.size() < count; ++i)
    conn.await_notification(0, 100000);
}

} // namespace partman::test
