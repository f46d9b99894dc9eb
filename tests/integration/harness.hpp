// Test harness: a fresh database per test on the PostgreSQL that tests/pg_temp.sh started, and a way to
// run the real partman binary against it.
#pragma once

#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace partman::test {

// What one run of a command printed and returned.
struct CommandResult
{
  int exit_code = -1;
  std::string out;
  std::string err;
};

// A command started without waiting for it, its output going to temporary files.
struct StartedCommand
{
  int pid = -1;
  std::string out_path;
  std::string err_path;
};

// Starts `argv` (argv[0] is the program) with extra environment `env`, without waiting for it.
StartedCommand start_command(const std::vector<std::string>& argv,
                             const std::map<std::string, std::string>& env = {});
// Waits for a started command and returns what it printed; a signal gives exit code 128 + the signal.
CommandResult finish_command(const StartedCommand& started);
// Runs `argv` (argv[0] is the program) with extra environment `env`; waits for it.
CommandResult run_command(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env = {});
// Returns the contents of the file at `path` ("" when it cannot be read).
std::string read_file(const std::string& path);

// A database created for one test and dropped after it.
class TestDb
{
public:
  TestDb();
  ~TestDb();
  TestDb(const TestDb&) = delete;
  TestDb& operator=(const TestDb&) = delete;

  // Returns the database's name.
  const std::string& name() const { return m_name; }
  // Returns a connection to the database (opened on first use).
  pqxx::connection& conn();
  // Runs SQL (several statements allowed) in its own transaction.
  void exec(const std::string& sql);
  // Returns the first column of the first row of a query, as text ("" for NULL or no row).
  std::string scalar(const std::string& sql);
  // Returns the first column of every row, as text.
  std::vector<std::string> column(const std::string& sql);
  // Runs the partman binary on this database (PGDATABASE set) with `args`.
  CommandResult partman(const std::vector<std::string>& args,
                        const std::map<std::string, std::string>& env = {});
  // Starts the partman binary on this database (PGDATABASE set) without waiting for it.
  StartedCommand start_partman(const std::vector<std::string>& args) const;

private:
  std::string m_name;
  std::unique_ptr<pqxx::connection> m_conn;
};

} // namespace partman::test
