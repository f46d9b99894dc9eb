#include "partman/archive/progress.hpp"

#include "partman/core/printable.hpp"
#include "partman/core/progress_line.hpp"
#include "partman/core/status.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
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

bool takes_escape_codes(int fd)
{
  const char* term = std::getenv("TERM");
  return isatty(fd) == 1 && term != nullptr && *term != '\0' && std::strcmp(term, "dumb") != 0;
}

Progress::Progress(std::string what, std::uint64_t total)
    : m_what(std::move(what)), m_total(total), m_terminal(takes_escape_codes(STDERR_FILENO)),
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
  const core::ProgressFigures figures{m_done, m_total, seconds_since(m_started), last};
  const std::string line = m_what + "  " + core::progress_text(figures);
  if (!m_terminal) {
    const int percent = core::progress_percent(figures);
    if (!last)
      spdlog::info("{}{}", line, percent >= 0 ? "  " + std::to_string(percent) + "%" : std::string());
    return;
  }
  const std::lock_guard<std::mutex> lock(g_terminal);
  std::fprintf(stderr, "\r\033[K%s%s", core::progress_bar(figures).c_str(), core::printable(line).c_str());
  if (last)
    std::fputc('\n', stderr);
  std::fflush(stderr);
}

void Progress::finish(const std::string& summary)
{
  if (m_terminal)
    draw(true);
  spdlog::info("{}: {}", m_what, summary);
}

} // namespace partman::archive
