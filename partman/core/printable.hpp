// Text for a terminal: control characters in names and values from the catalog are shown, never obeyed.
#pragma once

#include <string>
#include <string_view>

namespace partman::core {

// Returns `text` with each control character written as a visible escape: \n, \r and \t, \xHH for the
// other C0 bytes and DEL, \u00HH for the C1 range encoded in UTF-8 (U+0080..U+009F); every other byte as
// it is.
std::string printable(std::string_view text);
// Appends `line`, made printable, and a newline to `out`: every line of text output passes through here.
void append_line(std::string& out, std::string_view line);

} // namespace partman::core
