#include "partman/worker/exposition.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

namespace partman::worker {

namespace {

// Escapes `text` for a label value (backslash, double quote, newline) or, with `help`, for HELP text
// (backslash and newline only).
std::string escaped(const std::string& text, bool help)
{
  std::string out;
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
  return out;
}

std::string number(double value)
{
  if (std::isnan(value))
    return "NaN";
  if (std::isinf(value))
    return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", value);
  return buf;
}

} // namespace

void Exposition::family(const std::string& name, const char* type, const std::string& help)
{
  if (m_index.count(name) == 0) {
    m_index[name] = m_families.size();
    m_families.push_back({name, type, help, {}});
  }
}

void Exposition::sample(const std::string& name, const Labels& labels, double value)
{
  auto it = m_index.find(name);
  for (const std::string suffix : {"_sum", "_count"}) {
    // A summary's samples are FAMILY_sum and FAMILY_count.
    if (it == m_index.end() && name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      it = m_index.find(name.substr(0, name.size() - suffix.size()));
      if (it != m_index.end() && m_families[it->second].type != "summary")
        it = m_index.end();
    }
  }
  if (it == m_index.end())
    throw std::logic_error("metric family '" + name + "' was not declared");
  // Appended to the family's text at once: a fleet's samples run to thousands of lines.
  std::string& out = m_families[it->second].samples;
  out += name;
  if (!labels.empty()) {
    out += '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (i)
        out += ',';
      out += labels[i].first;
      out += "=\"";
      out += escaped(labels[i].second, false);
      out += '"';
    }
    out += '}';
  }
  out += ' ';
  out += number(value);
  out += '\n';
}

std::string Exposition::text() const
{
  std::size_t size = 0;
  for (const auto& f : m_families)
    size += f.samples.size() + f.name.size() * 2 + f.help.size() + 32;
  std::string out;
  out.reserve(size);
  for (const auto& f : m_families) {
    if (f.samples.empty())
      continue;
    out += "# HELP " + f.name + ' ' + escaped(f.help, true) + "\n# TYPE " + f.name + ' ' + f.type + '\n';
    out += f.samples;
  }
  return out;
}

void write_atomically(const std::string& path, const std::string& text)
{
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    f.flush();
    if (!f) {
      std::remove(tmp.c_str());
      throw std::runtime_error("cannot write the metrics file '" + tmp + "'");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw std::runtime_error("cannot rename '" + tmp + "' to '" + path + "'");
  }
}

} // namespace partman::worker
