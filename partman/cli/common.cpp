#include "partman/cli/common.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <pqxx/except>
#include <sstream>
#include <thread>

#include "partman/core/errors.hpp"
#include "partman/core/timepoint.hpp"

namespace partman::cli {

core::Micros resolve_now(const std::string& at)
{
  if (at.empty())
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count() *
           core::k_micros_per_second;
  auto parsed = core::parse_instant(at, *core::find_zone("UTC"));
  if (!parsed)
    throw UsageError("--at: " + parsed.error() + " (without an offset the time is read as UTC)");
  return *parsed;
}

void add_lock_timeout_options(CLI::App& cmd, LockArgs& args)
{
  cmd.add_option("--lock-timeout", args.lock_timeout,
                 "How long one DDL statement may wait for a lock before it is retried (PostgreSQL syntax)")
      ->capture_default_str();
  cmd.add_option("--exclusive-lock-timeout", args.exclusive_lock_timeout,
                 "The same for an action that takes ACCESS EXCLUSIVE on a parent or its default partition\n"
                 "(beside a default partition: creates, detaches, drops): the application's queries on\n"
                 "that table queue behind it while it waits, at most this long")
      ->check(CLI::Validator(
          [](std::string& value) {
            return value.empty()
                       ? std::string("empty; HINT: write a duration as PostgreSQL does, e.g. '100ms'")
                       : std::string();
          },
          "DURATION"))
      ->capture_default_str();
}

void add_retry_options(CLI::App& cmd, LockArgs& args)
{
  cmd.add_option("--retries", args.retries,
                 "Retries of an action that met the lock timeout or a deadlock, with back-off (doubling\n"
                 "from 200 ms up to 1 s) and jitter")
      ->check(CLI::Range(0, 20))
      ->capture_default_str();
  cmd.add_option("--exclusive-retries", args.exclusive_retries,
                 "Retries of an action under --exclusive-lock-timeout, with the same back-off")
      ->check(CLI::Range(0, 100))
      ->capture_default_str();
}

db::SessionOptions session_options(const LockArgs& args, bool read_only)
{
  db::SessionOptions options;
  options.lock_timeout = args.lock_timeout;
  options.exclusive_lock_timeout = args.exclusive_lock_timeout;
  options.read_only = read_only;
  return options;
}

void set_lock_options(db::ExecutorOptions& options, const LockArgs& args)
{
  options.retries = args.retries;
  options.exclusive_lock_timeout = args.exclusive_lock_timeout;
  options.exclusive_retries = args.exclusive_retries;
}

std::vector<std::string> target_dsns(const Globals& globals)
{
  std::vector<std::string> out = globals.dsns;
  if (!globals.dsn_file.empty()) {
    std::ifstream f(globals.dsn_file);
    if (!f)
      throw UsageError("--dsn-file: cannot read '" + globals.dsn_file + "'");
    for (std::string line; std::getline(f, line);) {
      line.erase(0, line.find_first_not_of(" \t"));
      line.erase(line.find_last_not_of(" \t\r") + 1);
      if (!line.empty() && line[0] != '#')
        out.push_back(line);
    }
    if (out.empty())
      throw UsageError("--dsn-file: '" + globals.dsn_file + "' names no database");
  }
  if (out.empty())
    out.emplace_back();
  return out;
}

std::string single_dsn(const Globals& globals, const char* command)
{
  const auto dsns = target_dsns(globals);
  if (dsns.size() != 1)
    throw UsageError(std::string("'partman ") + command + "' works on one database, but " +
                     std::to_string(dsns.size()) + " were given; HINT: pass one --dsn");
  return dsns.front();
}

int run_guarded(const std::function<int()>& job, std::ostream& err)
{
  const auto fail = [&err](const std::string& message, int code) {
    err << "partman: error: " << message << "\n";
    return code;
  };
  try {
    return job();
  } catch (const UsageError& e) {
    return fail(e.what(), k_exit_invalid);
  } catch (const ConnectionError& e) {
    return fail(e.what(), k_exit_connection);
  } catch (const pqxx::broken_connection& e) {
    return fail(std::string("lost the database connection: ") + e.what(), k_exit_connection);
  } catch (const std::exception& e) {
    return fail(e.what(), k_exit_unexpected);
  }
}

int for_each_database(const Globals& globals, const DatabaseJob& job)
{
  const auto dsns = target_dsns(globals);
  if (dsns.size() == 1)
    return job(dsns.front(), std::cout);

  std::vector<std::ostringstream> outputs(dsns.size());
  std::vector<int> codes(dsns.size(), k_exit_ok);
  std::atomic<std::size_t> next{0};
  const auto worker = [&] {
    for (std::size_t i = next++; i < dsns.size(); i = next++) {
      codes[i] = run_guarded([&] { return job(dsns[i], outputs[i]); }, outputs[i]);
    }
  };
  const std::size_t threads = std::min<std::size_t>(std::max(globals.jobs, 1), dsns.size());
  std::vector<std::thread> pool;
  for (std::size_t t = 0; t < threads; ++t)
    pool.emplace_back(worker);
  for (auto& t : pool)
    t.join();

  std::size_t failed = 0;
  for (std::size_t i = 0; i < dsns.size(); ++i) {
    std::cout << "== database " << i + 1 << " of " << dsns.size() << ": " << db::describe_dsn(dsns[i])
              << " (exit " << codes[i] << ")\n"
              << outputs[i].str() << "\n";
    failed += codes[i] != k_exit_ok;
  }
  std::cout << "databases: " << dsns.size() - failed << " ok, " << failed << " with errors\n";
  if (failed == 0)
    return k_exit_ok;
  if (failed == dsns.size() && std::all_of(codes.begin(), codes.end(), [&](int c) { return c == codes[0]; }))
    return codes[0];
  return k_exit_partial;
}

} // namespace partman::cli
