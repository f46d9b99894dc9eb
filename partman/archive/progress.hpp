// Progress of a long export or restore: a bar redrawn in place on a terminal, plain log lines otherwise
// (cron, systemd), so logs stay readable.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace partman::archive {

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
