// The words of a progress report (an export, a verify, a restore): bytes, rate, share done, time left.
#pragma once

#include <cstdint>
#include <string>

namespace partman::core {

// How far a piece of work has come.
struct ProgressFigures
{
  std::uint64_t done = 0;  // bytes through so far
  std::uint64_t total = 0; // bytes expected, an estimate (0: unknown)
  double seconds = 0;      // since the work started
  bool finished = false;   // the work is over: it is 100% whatever the estimate said
};

// Returns the share done in percent: 100 once finished, at most 99 before (the total is an estimate);
// -1 when the total is unknown.
int progress_percent(const ProgressFigures& f);
// Returns "1.2 MB of ~3.4 MB  45.0 MB/s  ETA 52s" (the estimate and ETA only when the total is known, the
// ETA only while running and before the estimate is reached; "in 3s" once finished).
std::string progress_text(const ProgressFigures& f);
// Returns "[##########..............] 42% " for a bar on a terminal ("" when the total is unknown).
std::string progress_bar(const ProgressFigures& f);
// Returns a duration for people: "7s", "4m05s", "2h03m".
std::string duration_text(double seconds);

} // namespace partman::core
