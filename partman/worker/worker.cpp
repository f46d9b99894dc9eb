#include "partman/worker/worker.hpp"

#include <algorithm>
#include <csignal>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <pqxx/except>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "partman/core/backoff.hpp"
#include "partman/core/errors.hpp"
#include "partman/db/session.hpp"
#include "partman/worker/discovery.hpp"
#include "partman/worker/exposition.hpp"
#include "partman/worker/gzip.hpp"
#include "partman/worker/http.hpp"
#include "partman/worker/systemd.hpp"

namespace partman::worker {

namespace {

// Returns the summary systemd shows as the worker's status.
std::string status_line(const Fleet& fleet)
{
  std::size_t leading = 0, failing = 0, waiting = 0;
  for (const auto& [key, db] : fleet) {
    leading += db.stats.last == Outcome::ran;
    failing += db.stats.seen && db.failures > 0;
    waiting += !db.stats.seen;
  }
  return std::to_string(fleet.size()) + " databases: " + std::to_string(leading) + " led here, " +
         std::to_string(failing) + " failing, " + std::to_string(waiting) + " not yet reached";
}

} // namespace

Worker::Worker(WorkerOptions options) : m_options(std::move(options))
{
  m_config = load_config(m_options.config_path, m_options.config_given, m_options.command_line);
  if (m_options.configure_logging)
    m_options.configure_logging(m_config);
  m_configured = configured_databases(m_config);
  for (const auto& dsn : m_configured)
    worker_dsn(dsn); // refuses a malformed conninfo now, not at its first turn
  if (m_configured.empty() && m_config.discover.empty())
    throw UsageError("no database to maintain; HINT: give -d/--dsn, --dsn-file, --discover, or the keys dsn, "
                     "dsn_file or discover in " +
                     m_options.config_path);
  if (::pipe2(m_wake, O_NONBLOCK | O_CLOEXEC) != 0)
    throw std::runtime_error("cannot create the worker's wake-up pipe");
}

Worker::~Worker()
{
  m_http.reset();
  for (const int fd : m_wake) {
    if (fd >= 0)
      ::close(fd);
  }
}

void Worker::stop()
{
  m_stop = true;
  wake();
}

void Worker::reload()
{
  m_reload = true;
  wake();
}

void Worker::wake()
{
  const char byte = 1;
  [[maybe_unused]] const auto n = ::write(m_wake[1], &byte, 1);
}

void Worker::reconcile(const std::vector<std::string>& wanted, bool discovered)
{
  for (auto& [key, db] : m_fleet) {
    if (db.discovered == discovered && std::find(wanted.begin(), wanted.end(), key) == wanted.end()) {
      spdlog::info("{}: no longer maintained", db.label);
      db.wanted = false;
    }
  }
  for (const auto& dsn : wanted) {
    auto [it, added] = m_fleet.try_emplace(dsn);
    Database& db = it->second;
    if (added) {
      db.dsn = worker_dsn(dsn);
      db.label = db::describe_dsn(dsn);
      db.discovered = discovered;
      db.due = Clock::now();
      spdlog::info("{}: maintained from now on{}", db.label, discovered ? " (discovered)" : "");
    } else if (!db.wanted) {
      db.wanted = true;
    }
  }
  for (auto it = m_fleet.begin(); it != m_fleet.end();) {
    if (!it->second.wanted && !it->second.running)
      it = m_fleet.erase(it);
    else
      ++it;
  }
}

void Worker::discover()
{
  if (m_config.discover.empty() || Clock::now() < m_next_discovery)
    return;
  m_next_discovery = Clock::now() + m_config.interval;
  std::vector<std::string> all;
  for (const auto& server : m_config.discover) {
    try {
      m_found[server] = discover_databases(server);
    } catch (const std::exception& e) {
      spdlog::warn("discovery on {}: {}; its databases found before are kept", db::describe_dsn(server),
                   e.what());
    }
    all.insert(all.end(), m_found[server].begin(), m_found[server].end());
  }
  reconcile(all, true);
}

void Worker::apply_reload()
{
  m_reload = false;
  notify_reloading();
  try {
    WorkerConfig next = load_config(m_options.config_path, m_options.config_given, m_options.command_line);
    const auto databases = configured_databases(next);
    for (const auto& dsn : databases)
      worker_dsn(dsn);
    for (const auto& key : config_keys()) {
      const std::string before = value_text(m_config, key.name), after = value_text(next, key.name);
      if (before != after && std::string(key.name) != "dsn")
        spdlog::info("reload: {} is now '{}' (was '{}')", key.name, after, before);
    }
    if (value_text(m_config, "listen") != value_text(next, "listen"))
      spdlog::warn("reload: the new listen address takes effect at the next start");
    m_config = std::move(next);
    if (m_options.configure_logging)
      m_options.configure_logging(m_config);
    m_configured = databases;
    reconcile(m_configured, false);
    m_found.clear();
    m_next_discovery = {};
    discover();
    spdlog::info("reload: done; {} databases", m_fleet.size());
  } catch (const std::exception& e) {
    spdlog::error("reload refused, the running configuration is kept: {}", e.what());
  }
  notify_ready(status_line(m_fleet));
}

void Worker::dispatch_due()
{
  const auto now = Clock::now();
  std::lock_guard<std::mutex> lock(m_mutex);
  for (auto& [key, db] : m_fleet) {
    if (db.running || !db.wanted || db.due > now)
      continue;
    db.running = true;
    db.again = false;
    ++m_running;
    JobInput in;
    in.dsn = db.dsn;
    in.schema = m_config.schema;
    in.control = std::move(db.control);
    in.known = std::move(db.known);
    in.locks.lock_timeout = m_config.lock_timeout;
    in.locks.exclusive_lock_timeout = m_config.exclusive_lock_timeout;
    in.max_removal_percent = m_config.max_removal_percent;
    in.window = m_config.window;
    in.health_due = now - db.stats.health_read >= std::chrono::minutes(1);
    in.record_due = now - db.stats.recorded >= std::chrono::minutes(1);
    in.name_thread = m_options.name_thread;
    in.label = db.label;
    m_tasks.push_back({key, std::move(in)});
  }
  m_tasks_cv.notify_all();
}

void Worker::wait_for_events()
{
  const auto now = Clock::now();
  auto next = now + std::chrono::seconds(1);
  std::vector<pollfd> fds{{m_wake[0], POLLIN, 0}};
  std::vector<Database*> owners{nullptr};
  for (auto& [key, db] : m_fleet) {
    if (!db.running && db.wanted)
      next = std::min(next, db.due);
    if (!db.running && db.control) {
      fds.push_back({db.control->socket(), POLLIN, 0});
      owners.push_back(&db);
    }
  }
  const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count();
  ::poll(fds.data(), fds.size(), static_cast<int>(std::max<long long>(wait, 0)));
  if (fds[0].revents) {
    char buf[64];
    while (::read(m_wake[0], buf, sizeof buf) > 0) {
    }
  }
  for (std::size_t i = 1; i < fds.size(); ++i) {
    if (!fds[i].revents)
      continue;
    Database& db = *owners[i];
    try {
      if (db.control->policy_changed()) {
        spdlog::info("{}: a policy changed; planning now", db.label);
        db.due = Clock::now();
      }
    } catch (const std::exception& e) {
      spdlog::warn("{}: the control session was lost ({}); it is opened again", db.label, e.what());
      db.control.reset();
      db.due = Clock::now();
    }
  }
}

Worker::Clock::duration Worker::backoff(int failures)
{
  const core::Backoff waits{1000, static_cast<int>(m_config.retry_max.count())};
  return std::chrono::milliseconds(core::backoff_ms(waits, failures, m_rng));
}

void Worker::schedule_after(Database& db, const JobResult& result)
{
  const auto now = Clock::now();
  const auto interval = std::chrono::duration_cast<Clock::duration>(m_config.interval);
  std::uniform_real_distribution<double> jitter(0.0, 0.1);
  const auto next_cycle =
      now + interval + std::chrono::duration_cast<Clock::duration>(interval * jitter(m_rng));
  const bool failed = result.outcome == Outcome::down || result.outcome == Outcome::failed ||
                      (result.outcome == Outcome::ran && result.bad_parents > 0);
  db.failures = failed ? db.failures + 1 : 0;
  if (failed) {
    db.due = now + backoff(db.failures);
    spdlog::warn("{}: {}; next try in {:.1f} s", db.label,
                 result.error.empty() ? std::to_string(result.bad_parents) + " parents failed" : result.error,
                 std::chrono::duration<double>(db.due - now).count());
  } else if (result.outcome == Outcome::follower) {
    db.due = now + std::chrono::duration_cast<Clock::duration>(m_config.leader_check);
  } else {
    db.due = next_cycle;
  }
  if (db.again)
    db.due = now;
}

void Worker::collect_results()
{
  std::vector<std::pair<std::string, JobResult>> results;
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    results.swap(m_results);
  }
  for (auto& [key, result] : results) {
    --m_running;
    auto it = m_fleet.find(key);
    if (it == m_fleet.end())
      continue;
    Database& db = it->second;
    db.running = false;
    const bool was_leader = db.stats.last == Outcome::ran;
    if (result.outcome == Outcome::ran && !was_leader)
      spdlog::info("{}: leads this database now", db.label);
    else if (was_leader && result.outcome != Outcome::ran)
      spdlog::warn("{}: no longer leads this database ({})", db.label, to_string(result.outcome));
    m_changed = m_changed || !db.stats.seen || db.stats.last != result.outcome;
    record_turn(db.stats, result);
    schedule_after(db, result);
    db.control = std::move(result.control);
    // A new known catalog is copied here, away from the pool thread's arena where the run's garbage
    // surrounded it: kept for hours, it would pin that garbage's pages.
    db.known = result.known && !result.quiet ? std::make_unique<run::KnownCatalog>(*result.known)
                                             : std::move(result.known);
    if (!db.wanted)
      m_fleet.erase(it);
  }
}

void Worker::publish()
{
  // The text grows with the fleet (about 5 KB a database): rendered once a second, not at every turn's
  // end, or at once when a turn ended otherwise than the one before (a new leader, a database down); kept
  // gzip-compressed (about 20 times smaller), never whole as text.
  const auto now = Clock::now();
  const bool render =
      (m_changed || now - m_rendered >= std::chrono::seconds(1)) && (m_http || !m_config.textfile.empty());
  m_changed = false;
  std::string gz;
  if (render) {
    m_rendered = now;
    m_facts.window_open = !m_config.window.zone || m_config.window.open_at(now_micros());
    m_facts.has_window = m_config.window.zone != nullptr;
    std::optional<AtomicFile> file;
    try {
      if (!m_config.textfile.empty())
        file.emplace(m_config.textfile);
    } catch (const std::exception& e) {
      spdlog::warn("textfile: {}", e.what());
    }
    GzipWriter writer;
    render_metrics(m_fleet, m_facts, [&](std::string_view piece) {
      writer.write(piece);
      if (file)
        file->write(piece);
    });
    gz = writer.finish();
    try {
      if (file)
        file->commit();
    } catch (const std::exception& e) {
      spdlog::warn("textfile: {}", e.what());
    }
    ::malloc_trim(0); // hands back what the pool threads' turns freed, rather than keep it in their arenas
  }
  std::string unready;
  if (m_fleet.empty())
    unready = "no database found yet";
  for (const auto& [key, db] : m_fleet) {
    if (!db.stats.seen)
      unready = db.label + " has not had its first turn yet";
  }
  std::lock_guard<std::mutex> lock(m_mutex);
  if (render)
    m_metrics = std::move(gz);
  m_unready = std::move(unready);
  m_heartbeat = Clock::now();
}

void Worker::pool_loop()
{
  for (;;) {
    Task task;
    {
      std::unique_lock<std::mutex> lock(m_mutex);
      m_tasks_cv.wait(lock, [this] { return m_quit_pool || !m_tasks.empty(); });
      if (m_tasks.empty())
        return;
      task = std::move(m_tasks.front());
      m_tasks.pop_front();
    }
    JobResult result = run_job(std::move(task.input));
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_results.emplace_back(task.key, std::move(result));
    }
    wake();
  }
}

bool Worker::shut_down()
{
  const auto deadline = Clock::now() + m_config.shutdown_timeout;
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_running -= m_tasks.size(); // not started: nothing to wait for
    for (const auto& t : m_tasks)
      m_fleet[t.key].running = false;
    m_tasks.clear();
    m_quit_pool = true;
  }
  m_tasks_cv.notify_all();
  notify_stopping("stopping: " + std::to_string(m_running) + " runs in flight");
  if (m_running > 0)
    spdlog::info("stopping: waiting up to {} for {} runs in flight",
                 core::duration_text(m_config.shutdown_timeout), m_running);
  while (m_running > 0 && Clock::now() < deadline) {
    pollfd fd{m_wake[0], POLLIN, 0};
    ::poll(&fd, 1, 200);
    char buf[64];
    while (::read(m_wake[0], buf, sizeof buf) > 0) {
    }
    collect_results();
  }
  for (auto& [key, db] : m_fleet)
    db.control.reset(); // releases the leader locks of the databases not in flight
  return m_running == 0;
}

int Worker::run()
{
  // Every database keeps a libpq session, and libpq gives each two 16 KB buffers that the control
  // session's short answers barely use. From the heap they come as memory earlier turns dirtied; mapped
  // on their own, only the pages written count (at 1,000 databases, RSS 59 MiB instead of 66 MiB).
  ::mallopt(M_MMAP_THRESHOLD, 16 * 1024);
  sigset_t signals;
  sigemptyset(&signals);
  for (const int s : {SIGTERM, SIGINT, SIGHUP})
    sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr); // every thread started from here on blocks them too
  std::atomic<bool> quit_signals{false};
  std::thread signal_thread([&] {
    const timespec tick{0, 200'000'000};
    while (!quit_signals) {
      const int s = sigtimedwait(&signals, nullptr, &tick);
      if (s == SIGHUP)
        reload();
      else if (s == SIGTERM || s == SIGINT)
        stop();
    }
  });
  const auto finish_signals = [&] {
    quit_signals = true;
    signal_thread.join();
  };
  m_facts.start_time = static_cast<double>(now_micros()) / 1e6;
  if (!m_config.listen.empty()) {
    try {
      m_http = std::make_unique<HttpEndpoint>(
          m_config.listen, HttpHandlers{[this] {
                                          std::lock_guard<std::mutex> lock(m_mutex);
                                          return m_metrics;
                                        },
                                        [this] {
                                          std::lock_guard<std::mutex> lock(m_mutex);
                                          return Clock::now() - m_heartbeat > std::chrono::seconds(30)
                                                     ? std::string("the scheduler has not run for 30 s")
                                                     : std::string();
                                        },
                                        [this] {
                                          std::lock_guard<std::mutex> lock(m_mutex);
                                          return m_unready;
                                        }});
    } catch (const UsageError&) {
      finish_signals();
      throw;
    }
  }
  for (int i = 0; i < m_config.max_connections; ++i)
    m_pool.emplace_back([this] { pool_loop(); });
  reconcile(m_configured, false);
  spdlog::info(
      "worker started: {} databases configured, {} servers to discover, interval {}, {} connections{}",
      m_configured.size(), m_config.discover.size(), core::duration_text(m_config.interval),
      m_config.max_connections, m_http ? ", metrics on " + m_config.listen : "");
  notify_ready(status_line(m_fleet));
  while (!m_stop) {
    if (m_reload)
      apply_reload();
    discover();
    dispatch_due();
    wait_for_events();
    collect_results();
    ++m_facts.cycles;
    publish();
    notify_watchdog();
    notify_status(status_line(m_fleet));
  }
  const bool clean = shut_down();
  publish();
  finish_signals();
  if (!clean) {
    spdlog::warn("stopped with {} runs still in flight after {}: their sessions close now, so the server "
                 "cancels their statements and rolls back; the next start resumes them",
                 m_running, core::duration_text(m_config.shutdown_timeout));
    spdlog::default_logger()->flush();
    std::_Exit(0);
  }
  for (auto& t : m_pool)
    t.join();
  m_pool.clear();
  spdlog::info("worker stopped");
  return 0;
}

} // namespace partman::worker
