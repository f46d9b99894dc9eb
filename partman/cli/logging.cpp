#include "partman/cli/logging.hpp"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include "partman/core/errors.hpp"
#include "partman/core/printable.hpp"

namespace partman::cli {

namespace {

thread_local std::string t_database;

// Returns a log message's time as RFC 3339 in UTC with milliseconds.
std::string utc_time(const spdlog::details::log_msg& msg)
{
  const auto since = msg.time.time_since_epoch();
  const std::time_t seconds = std::chrono::duration_cast<std::chrono::seconds>(since).count();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(since).count() % 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char out[80];
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return out;
}

// Returns true when standard error is a stream to journald (systemd sets JOURNAL_STREAM to its device and
// inode), whose lines may start with their syslog priority ("<3>").
bool stderr_is_journal()
{
  const char* stream = std::getenv("JOURNAL_STREAM");
  struct stat st
  {
  };
  if (!stream || fstat(STDERR_FILENO, &st) != 0)
    return false;
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) == stream;
}

// Returns the syslog priority of `level` as journald reads it at the start of a line.
const char* journal_priority(spdlog::level::level_enum level)
{
  switch (level) {
  case spdlog::level::critical:
    return "<2>";
  case spdlog::level::err:
    return "<3>";
  case spdlog::level::warn:
    return "<4>";
  case spdlog::level::info:
    return "<6>";
  default:
    return "<7>";
  }
}

// Writes each log line to standard error after flushing standard output, as text or JSON.
class StderrSink : public spdlog::sinks::base_sink<std::mutex>
{
public:
  // Sets how lines are written.
  void set_format(LogFormat format)
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    m_format = format;
  }

protected:
  void sink_it_(const spdlog::details::log_msg& msg) override
  {
    const std::string message(msg.payload.data(), msg.payload.size());
    const std::string level(spdlog::level::to_string_view(msg.level).data(),
                            spdlog::level::to_string_view(msg.level).size());
    // The thread's own database (a fleet's worker) or the process's one.
    const std::string& database = t_database;
    std::string line;
    if (m_format == LogFormat::json) {
      nlohmann::json doc = {{"time", utc_time(msg)}, {"level", level}, {"message", message}};
      if (!database.empty())
        doc["database"] = database;
      line = doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    } else {
      line = (m_terminal || m_journal ? "" : utc_time(msg) + " ") + "partman: " + level + ": " +
             (database.empty() ? "" : "database " + database + ": ") + core::printable(message) + "\n";
    }
    if (m_journal)
      line = journal_priority(msg.level) + line;
    std::cout.flush();
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
  }
  void flush_() override { std::fflush(stderr); }

private:
  LogFormat m_format = LogFormat::text;
  bool m_terminal = isatty(STDERR_FILENO) != 0;
  bool m_journal = stderr_is_journal();
};

std::shared_ptr<StderrSink> g_sink;

} // namespace

void set_up_logging()
{
  g_sink = std::make_shared<StderrSink>();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("partman", g_sink));
  spdlog::set_level(spdlog::level::info);
}

void set_log_format(const std::string& format)
{
  if (format != "text" && format != "json")
    throw UsageError("--log-format: invalid format '" + format + "'; HINT: text or json");
  g_sink->set_format(format == "json" ? LogFormat::json : LogFormat::text);
}

void set_log_database(const std::string& database)
{
  t_database = database;
}

} // namespace partman::cli
