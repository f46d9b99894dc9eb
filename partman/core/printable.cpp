#include "partman/core/printable.hpp"

namespace partman::core {

namespace {

// Appends "\x1b" (with `prefix` "\\x") or "\u009b" (with "\\u00") for byte value `value`.
void append_hex(std::string& out, const char* prefix, unsigned value)
{
  const char* digits = "0123456789abcdef";
  out += prefix;
  out += digits[(value >> 4) & 0xf];
  out += digits[value & 0xf];
}

} // namespace

std::string printable(std::string_view text)
{
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0u;
    if (byte == '\n')
      out += "\\n";
    else if (byte == '\r')
      out += "\\r";
    else if (byte == '\t')
      out += "\\t";
    else if (byte < 0x20 || byte == 0x7f)
      append_hex(out, "\\x", byte);
    else if (byte == 0xc2 && next >= 0x80 && next <= 0x9f) { // U+0080..U+009F in UTF-8
      append_hex(out, "\\u00", next);
      ++i;
    } else
      out += text[i];
  }
  return out;
}

void append_line(std::string& out, std::string_view line)
{
  out += printable(line);
  out += '\n';
}

} // namespace partman::core
