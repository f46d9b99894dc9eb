#include "partman/worker/systemd.hpp"

#include <cstdint>
#include <systemd/sd-daemon.h>

namespace partman::worker {

namespace {

void send(const std::string& state)
{
  sd_notify(0, state.c_str());
}

} // namespace

void notify_ready(const std::string& status)
{
  send("READY=1\nSTATUS=" + status);
}

void notify_reloading()
{
  send("RELOADING=1");
}

void notify_stopping(const std::string& status)
{
  send("STOPPING=1\nSTATUS=" + status);
}

void notify_status(const std::string& status)
{
  send("STATUS=" + status);
}

void notify_watchdog()
{
  static std::uint64_t usec = 0;
  static const bool enabled = sd_watchdog_enabled(0, &usec) > 0;
  static auto last = std::chrono::steady_clock::time_point{};
  if (!enabled)
    return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last < std::chrono::microseconds(usec / 2))
    return;
  last = now;
  send("WATCHDOG=1");
}

} // namespace partman::worker
