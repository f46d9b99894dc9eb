// The ends of `--help`: what every command shares (PARENT, connection, exit codes), then its examples.
#pragma once

#include <CLI/CLI.hpp>

namespace partman::cli {

// Gives `app` and every command under it its footer: the note about PARENT on the commands that take a
// PARENT, the connection and exit codes, and last the examples each command set as its own footer.
void set_help_footers(CLI::App& app);

} // namespace partman::cli
