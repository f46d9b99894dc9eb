#include "partman/worker/exposition.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <unistd.h>

namespace partman::worker {

namespace {

constexpr std::size_t k_piece = 64 * 1024;

// Appends `text` escaped for a label value (backslash, double quote, newline) or, with `help`, for HELP
// text (backslash and newline only).
void append_escaped(std::string& out, std::string_view text, bool help)
{
  for (const char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '"' && !help)
      out += "\\\"";
    else
      out += c;
  }
}

void append_number(std::string& out, double value)
{
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[64];
    out.append(buf, static_cast<std::size_t>(std::snprintf(buf, sizeof buf, "%.17g", value)));
  }
}

} // namespace

Exposition::Exposition(Sink sink) : m_sink(std::move(sink))
{
  m_buffer.reserve(k_piece + 4096);
}

void Exposition::family(const std::string& name, const char* type, const std::string& help)
{
  if (!m_done.insert(name).second)
    throw std::logic_error("metric family '" + name + "' was started twice");
  m_name = name;
  m_type = type;
  m_help = help;
  m_started = false;
}

void Exposition::sample(std::string_view name, Labels labels, double value)
{
  // A summary's samples are FAMILY_sum and FAMILY_count.
  const bool ok =
      name == m_name ||
      (m_type == "summary" && name.size() > m_name.size() && name.substr(0, m_name.size()) == m_name &&
       (name.substr(m_name.size()) == "_sum" || name.substr(m_name.size()) == "_count"));
  if (m_name.empty() || !ok)
    throw std::logic_error("metric '" + std::string(name) + "' is not of the family started last ('" +
                           m_name + "')");
  if (!m_started) {
    m_buffer += "# HELP " + m_name + ' ';
    append_escaped(m_buffer, m_help, true);
    m_buffer += "\n# TYPE " + m_name + ' ' + m_type + '\n';
    m_started = true;
  }
  m_buffer += name;
  if (labels.size() > 0) {
    m_buffer += '{';
    bool first = true;
    for (const auto& [key, text] : labels) {
      if (!first)
        m_buffer += ',';
      first = false;
      m_buffer += key;
      m_buffer += "=\"";
      append_escaped(m_buffer, text, false);
      m_buffer += '"';
    }
    m_buffer += '}';
  }
  m_buffer += ' ';
  append_number(m_buffer, value);
  m_buffer += '\n';
  flush(false);
}

void Exposition::finish()
{
  flush(true);
}

void Exposition::flush(bool all)
{
  if (m_buffer.size() >= k_piece || (all && !m_buffer.empty())) {
    m_sink(m_buffer);
    m_buffer.clear();
  }
}

AtomicFile::AtomicFile(std::string path) : m_path(std::move(path))
{
  m_tmp = m_path + ".tmp." + std::to_string(::getpid());
  m_file = std::fopen(m_tmp.c_str(), "wb");
  if (!m_file)
    throw std::runtime_error("cannot write the metrics file '" + m_tmp + "'");
}

AtomicFile::~AtomicFile()
{
  if (m_file) {
    std::fclose(m_file);
    std::remove(m_tmp.c_str());
  }
}

void AtomicFile::write(std::string_view piece)
{
  if (!m_failed && std::fwrite(piece.data(), 1, piece.size(), m_file) != piece.size())
    m_failed = true;
}

void AtomicFile::commit()
{
  const bool closed = std::fclose(m_file) == 0;
  m_file = nullptr;
  if (m_failed || !closed) {
    std::remove(m_tmp.c_str());
    throw std::runtime_error("cannot write the metrics file '" + m_tmp + "'");
  }
  if (std::rename(m_tmp.c_str(), m_path.c_str()) != 0) {
    std::remove(m_tmp.c_str());
    throw std::runtime_error("cannot rename '" + m_tmp + "' to '" + m_path + "'");
  }
}

} // namespace partman::worker
