#include "partman/cli/help.hpp"

#include <string>

namespace partman::cli {

namespace {

const char* const k_parent_note =
    R"(PARENT is a table name as SQL writes it: schema.table, with double quotes for mixed case or odd
characters ('"Sales"."Order Lines"'); an unqualified name follows the search_path.

)";

const char* const k_common = R"(Connection: libpq's conventions apply: PGHOST, PGPORT, PGDATABASE, PGUSER,
PGPASSWORD, PGSERVICE, ~/.pgpass; or -d/--dsn with a conninfo ('host=db dbname=app') or a URI.
A password is never printed. Keep it out of -d (ps shows command lines to every user; partman hides it
there once it has read it): use ~/.pgpass, a service file (PGSERVICE) or PGPASSWORD.

Exit codes:
  0  success, or nothing to do (also on a standby, where nothing is changed)
  1  unexpected error
  2  invalid input or configuration; nothing was changed
  3  partial failure: some parents failed or were deferred; the others were done
  4  the database could not be reached; nothing was changed
  5  archive storage failed or a copy did not verify (restore, archive list); nothing was dropped
'partman check' is a Nagios plugin and exits as one: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
)";

// Sets the footer of `cmd`: the shared text before the examples it already holds.
void set_footer(CLI::App& cmd)
{
  const bool takes_parent = cmd.get_option_no_throw("PARENT") != nullptr;
  // CLI11 prints the callback's text, a newline, then the footer string (the examples).
  cmd.footer([takes_parent] { return std::string(takes_parent ? k_parent_note : "") + k_common; });
  for (CLI::App* sub : cmd.get_subcommands([](CLI::App*) { return true; }))
    set_footer(*sub);
}

} // namespace

void set_help_footers(CLI::App& app)
{
  set_footer(app);
}

} // namespace partman::cli
