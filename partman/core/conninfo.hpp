// Where a connection string writes a password, so that it can be hidden from ps.
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

namespace partman::core {

// Returns the byte ranges [begin, end) of the passwords written in `dsn`, in order: the value of a
// conninfo's password keyword (quoted or not), the password of a URI's user:password@ and its password=
// parameters; none for a plain database name. (libpq reads a dbname inside a conninfo as a name, not as a
// connection string of its own.)
std::vector<std::pair<std::size_t, std::size_t>> password_spans(std::string_view dsn);
// Overwrites, in place, each password of the NUL-terminated `dsn` with "***" (fewer stars for a shorter
// one), moving the rest of the text up and filling the bytes freed at the end with NULs; the string never
// grows.
void hide_passwords(char* dsn);

} // namespace partman::core
