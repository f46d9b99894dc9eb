// `partman worker`: one long-running process that keeps a fleet of databases current. A scheduler thread
// owns every database's state and control session, waits on their notifications, and hands due databases
// to a pool of max_connections threads, each running one database's turn (worker/job) at a time.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "partman/worker/config.hpp"
#include "partman/worker/fleet_state.hpp"
#include "partman/worker/metrics.hpp"

namespace partman::worker {

class HttpEndpoint;

// How the worker was started.
struct WorkerOptions
{
  std::string config_path = k_default_config;
  bool config_given = false;                                  // --config was given: the file must exist
  CommandLineValues command_line;                             // keys given on the command line
  std::function<void(const std::string&)> name_thread;        // names the database in a thread's logs
  std::function<void(const WorkerConfig&)> configure_logging; // applies log_format
};

// The worker; run() returns when SIGTERM or SIGINT arrives (or stop() is called).
class Worker
{
public:
  // Reads the configuration (throws UsageError).
  explicit Worker(WorkerOptions options);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Serves until stopped; handles SIGTERM, SIGINT (stop) and SIGHUP (reload) itself. Returns the exit
  // code: 0 after a stop, 2 when the HTTP address cannot be bound.
  int run();
  // Asks run() to return (from any thread).
  void stop();
  // Asks run() to read its configuration again (from any thread).
  void reload();

private:
  using Clock = std::chrono::steady_clock;
  struct Task
  {
    std::string key;
    JobInput input;
  };

  void reconcile(const std::vector<std::string>& wanted, bool discovered);
  void discover();
  void apply_reload();
  void dispatch_due();
  void wait_for_events();
  void collect_results();
  void schedule_after(Database& db, const JobResult& result);
  Clock::duration backoff(int failures);
  void publish();
  bool shut_down();
  void pool_loop();
  void wake();

  WorkerOptions m_options;
  WorkerConfig m_config;
  Fleet m_fleet;
  std::vector<std::string> m_configured;                   // the configured databases, as written
  std::map<std::string, std::vector<std::string>> m_found; // per discovered server, its databases
  Clock::time_point m_next_discovery{};
  std::mt19937 m_rng{std::random_device{}()};
  WorkerFacts m_facts;
  std::size_t m_running = 0;

  // Shared with the pool, the HTTP thread and signal handling.
  std::mutex m_mutex;
  std::condition_variable m_tasks_cv;
  std::deque<Task> m_tasks;
  std::vector<std::pair<std::string, JobResult>> m_results;
  std::string m_metrics; // the exposition text, gzip-compressed
  std::string m_unready = "no turn has finished yet";
  Clock::time_point m_heartbeat = Clock::now();
  Clock::time_point m_rendered{}; // when the metrics text was last rendered
  bool m_changed = false;         // a turn ended otherwise than the one before: render at once
  std::atomic<bool> m_stop{false};
  std::atomic<bool> m_reload{false};
  std::atomic<bool> m_quit_pool{false};
  int m_wake[2] = {-1, -1};
  std::vector<std::thread> m_pool;
  std::unique_ptr<HttpEndpoint> m_http;
};

} // namespace partman::worker
