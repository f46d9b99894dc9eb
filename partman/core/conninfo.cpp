#include "partman/core/conninfo.hpp"

#include <cstring>
#include <string>

namespace partman::core {

namespace {

using Spans = std::vector<std::pair<std::size_t, std::size_t>>;

bool is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool is_uri(std::string_view text)
{
  return text.rfind("postgresql://", 0) == 0 || text.rfind("postgres://", 0) == 0;
}

// Adds the password spans of a URI: its user:password@ part and its password= parameters.
void add_uri_spans(std::string_view uri, Spans& out)
{
  std::size_t p = uri.find("://") + 3;
  // As libpq reads it: the credentials end at the first '@' that comes before any '/'.
  const std::size_t end = uri.find_first_of("@/", p);
  if (end != std::string_view::npos && uri[end] == '@') {
    const std::size_t colon = uri.find(':', p);
    if (colon < end)
      out.emplace_back(colon + 1, end);
    p = end + 1;
  }
  const std::size_t query = uri.find('?', p);
  if (query == std::string_view::npos)
    return;
  for (std::size_t from = query + 1; from <= uri.size();) {
    std::size_t amp = uri.find('&', from);
    if (amp == std::string_view::npos)
      amp = uri.size();
    const std::string_view param = uri.substr(from, amp - from);
    if (param.rfind("password=", 0) == 0)
      out.emplace_back(from + 9, amp);
    from = amp + 1;
  }
}

// Adds the password spans of a conninfo string ("host=db password='s e' dbname=app"), read as libpq
// reads it: keyword, '=', and a value that is quoted or ends at white space, with backslash escapes.
void add_conninfo_spans(std::string_view text, Spans& out)
{
  std::size_t p = 0;
  const std::size_t n = text.size();
  while (p < n) {
    while (p < n && is_space(text[p]))
      ++p;
    const std::size_t key_from = p;
    while (p < n && text[p] != '=' && !is_space(text[p]))
      ++p;
    const std::string_view key = text.substr(key_from, p - key_from);
    while (p < n && is_space(text[p]))
      ++p;
    if (p >= n || text[p] != '=')
      return; // not a conninfo libpq accepts; it names no password partman can find
    ++p;
    while (p < n && is_space(text[p]))
      ++p;
    const bool quoted = p < n && text[p] == '\'';
    const std::size_t value_from = quoted ? p + 1 : p;
    p = value_from;
    while (p < n && (quoted ? text[p] != '\'' : !is_space(text[p])))
      p += text[p] == '\\' && p + 1 < n ? 2 : 1;
    const std::size_t value_to = std::min(p, n);
    if (quoted && p < n)
      ++p; // the closing quote
    if (key == "password")
      out.emplace_back(value_from, value_to);
  }
}

} // namespace

Spans password_spans(std::string_view dsn)
{
  Spans out;
  if (is_uri(dsn))
    add_uri_spans(dsn, out);
  else if (dsn.find('=') != std::string_view::npos)
    add_conninfo_spans(dsn, out);
  return out;
}

void hide_passwords(char* dsn)
{
  const std::size_t size = std::strlen(dsn);
  const Spans spans = password_spans(std::string_view(dsn, size));
  if (spans.empty())
    return;
  std::string hidden;
  std::size_t from = 0;
  for (const auto& [begin, end] : spans) {
    hidden.append(dsn + from, begin - from);
    hidden.append(std::min<std::size_t>(end - begin, 3), '*');
    from = end;
  }
  hidden.append(dsn + from, size - from);
  std::memcpy(dsn, hidden.data(), hidden.size());
  std::memset(dsn + hidden.size(), 0, size - hidden.size());
}

} // namespace partman::core
