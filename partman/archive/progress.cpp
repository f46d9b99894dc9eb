#include "partman/archive/progress.hpp"

#include "partman/core/printable.hpp"
#include "partman/core/status.hpp"

#include <cstdio>
#include <mutex>
#include <spdlog/spdlog.h>
#include <unistd.h>

namespace partman::archive {

namespace {

// Terminal output from parallel workers must not interleave inside a line.
std::mutex g_terminal;

double seconds_since(std::chrono::steady_clock::time_point t)
{
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

} // namespace

Progress::Progress(std::string what, std::uint64_t total)
    : m_what(std::move(what)), m_total(total), m_terminal(isatty(STDERR_FILENO) == 1),
      m_started(std::chrono::steady_clock::now()), m_last_draw(m_started)
{
  if (!m_terminal)
    spdlog::info("{}: started{}", m_what,
                 m_total > 0 ? ", about " + core::human_bytes(m_total) : std::string());
}

void Progress::update(std::uint64_t done)
{
  m_done = done;
  const double since = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_last_draw).count();
  if (since >= (m_terminal ? 0.2 : 10.0)) {
    m_last_draw = std::chrono::steady_clock::now();
    draw(false);
  }
}

void Progress::draw(bool last)
{
  const double secs = seconds_since(m_started);
  const double rate = secs > 0 ? static_cast<double>(m_done) / secs : 0;
  std::string line = m_what + "  " + core::human_bytes(m_done);
  int percent = -1;
  if (m_total > 0) {
    percent = static_cast<int>(std::min<std::uint64_t>(100, m_done * 100 / m_total));
    line += " of ~" + core::human_bytes(m_total);
  }
  line += "  " + core::human_bytes(static_cast<std::uint64_t>(rate)) + "/s";
  if (!m_terminal) {
    if (!last)
      spdlog::info("{}{}", line, percent >= 0 ? "  " + std::to_string(percent) + "%" : std::string());
    return;
  }
  std::string bar;
  if (percent >= 0) {
    const int width = 24;
    const int filled = percent * width / 100;
    bar = "[" + std::string(static_cast<std::size_t>(filled), '#') +
          std::string(static_cast<std::size_t>(width - filled), '.') + "] " + std::to_string(percent) + "% ";
  }
  const std::lock_guard<std::mutex> lock(g_terminal);
  std::fprintf(stderr, "\r\033[K%s%s", bar.c_str(), core::printable(line).c_str());
  if (last)
    std::fputc('\n', stderr);
  std::fflush(stderr);
}

void Progress::finish(const std::string& summary)
{
  if (m_terminal) {
    draw(true);
  }
  spdlog::info("{}: {}", m_what, summary);
}

} // namespace partman::archive
