// Log lines on standard error: plain on a terminal, with a UTC timestamp otherwise (cron, journald, files),
// or one JSON object a line; always after what standard output has so far, so the two stay in order when
// they go to one file or pipe.
#pragma once

#include <string>

namespace partman::cli {

// How log lines are written.
enum class LogFormat
{
  text,
  json
};

// Sets up the default logger: text, info level (called once at start).
void set_up_logging();
// Switches log lines to `format`; UsageError for a name other than "text" or "json".
void set_log_format(const std::string& format);
// Names the database whose work this thread does now ("" for none): log lines of this thread carry it.
void set_log_database(const std::string& database);

} // namespace partman::cli
