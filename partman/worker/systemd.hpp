// Tells systemd how the worker is (Type=notify): ready, reloading, stopping, a status line, the watchdog.
// Nothing happens when the worker does not run under systemd (no NOTIFY_SOCKET).
#pragma once

#include <chrono>
#include <string>

namespace partman::worker {

// Sends READY=1 with a STATUS line.
void notify_ready(const std::string& status);
// Sends RELOADING=1.
void notify_reloading();
// Sends STOPPING=1 with a STATUS line.
void notify_stopping(const std::string& status);
// Sends a STATUS line.
void notify_status(const std::string& status);
// Sends WATCHDOG=1 when systemd asked for it (WatchdogSec=), at most once per half of its period.
void notify_watchdog();

} // namespace partman::worker
