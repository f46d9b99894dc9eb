// Progress of a long export or restore: a bar redrawn in place on a terminal that takes escape codes, plain
// log lines otherwise (cron, systemd, pipes, TERM=dumb), so logs stay readable.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace partman::archive {

// Returns true when `fd` is a terminal that takes escape codes (TERM set, and not "dumb").
bool takes_escape_codes(int fd);

// Shows how far one export, verify or restore has come; the bar ends at 100% with the time it took.
class Progress
{
public:
  // `what` names the work ("export public.events_p20261101"); `total` is the expected byte count, 0 when
  // unknown (then no percentage is shown).
  Progress(std::string what, std::uint64_t total);
  // Records that `done` bytes are through; cheap to call often.
  void update(std::uint64_t done);
  // Ends the bar (or logs the last line) with a summary.
  void finish(const std::string& summary);

private:
  void draw(bool last);

  std::string m_what;
  std::uint64_t m_total;
  std::uint64_t m_done = 0;
  bool m_terminal;
  std::chrono::steady_clock::time_point m_started;
  std::chrono::steady_clock::time_point m_last_draw;
};

} // namespace partman::archive
