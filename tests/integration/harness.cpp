#include "harness.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace partman::test {

namespace {

void require_server()
{
  if (!std::getenv("PGHOST") || !std::getenv("PGPORT"))
    throw std::runtime_error(
        "integration tests need a PostgreSQL: run them through tests/run (or tests/pg_temp.sh)");
}

} // namespace

std::string read_file(const std::string& path)
{
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

StartedCommand start_command(const std::vector<std::string>& argv,
                             const std::map<std::string, std::string>& env)
{
  char out_path[] = "/tmp/partman-test-out.XXXXXX";
  char err_path[] = "/tmp/partman-test-err.XXXXXX";
  const int out_fd = mkstemp(out_path);
  const int err_fd = mkstemp(err_path);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    for (const auto& [k, v] : env)
      setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(out_fd);
  close(err_fd);
  return {pid, out_path, err_path};
}

CommandResult finish_command(const StartedCommand& started)
{
  int status = 0;
  waitpid(started.pid, &status, 0);
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_file(started.out_path);
  r.err = read_file(started.err_path);
  unlink(started.out_path.c_str());
  unlink(started.err_path.c_str());
  return r;
}

CommandResult run_command(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env)
{
  return finish_command(start_command(argv, env));
}

TestDb::TestDb()
{
  require_server();
  static std::atomic<int> counter{0};
  m_name = "partman_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  pqxx::connection admin("dbname=postgres");
  pqxx::nontransaction tx(admin);
  tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(m_name));
  tx.exec("CREATE DATABASE " + tx.quote_name(m_name));
}

TestDb::~TestDb()
{
  try {
    m_conn.reset();
    pqxx::connection admin("dbname=postgres");
    pqxx::nontransaction tx(admin);
    tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(m_name) + " WITH (FORCE)");
  } catch (...) {
  }
}

pqxx::connection& TestDb::conn()
{
  if (!m_conn)
    m_conn = std::make_unique<pqxx::connection>("dbname=" + m_name);
  return *m_conn;
}

void TestDb::exec(const std::string& sql)
{
  pqxx::work tx(conn());
  tx.exec(sql);
  tx.commit();
}

std::string TestDb::scalar(const std::string& sql)
{
  pqxx::nontransaction tx(conn());
  const auto r = tx.exec(sql);
  if (r.empty() || r[0][0].is_null())
    return "";
  return r[0][0].as<std::string>();
}

std::vector<std::string> TestDb::column(const std::string& sql)
{
  pqxx::nontransaction tx(conn());
  std::vector<std::string> out;
  for (const auto& row : tx.exec(sql))
    out.push_back(row[0].is_null() ? "" : row[0].as<std::string>());
  return out;
}

CommandResult TestDb::partman(const std::vector<std::string>& args,
                              const std::map<std::string, std::string>& env)
{
  std::vector<std::string> argv{PARTMAN_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  auto full_env = env;
  full_env.emplace("PGDATABASE", m_name);
  return run_command(argv, full_env);
}

StartedCommand TestDb::start_partman(const std::vector<std::string>& args) const
{
  std::vector<std::string> argv{PARTMAN_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  return start_command(argv, {{"PGDATABASE", m_name}});
}

} // namespace partman::test
