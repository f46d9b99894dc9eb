// partman install: create or upgrade the partman schema.
#include <iostream>

#include "partman/cli/common.hpp"
#include "partman/core/errors.hpp"
#include "partman/db/installer.hpp"

namespace partman::cli {

void add_install_command(CLI::App& app, const Globals& globals, int& exit_code)
{
  auto* cmd = app.add_subcommand(
      "install", "Create, or upgrade in place, partman's schema (policy and history tables); safe to rerun.\n"
                 "Pick the schema with --schema (default partman); it must not be one holding an extension\n"
                 "such as pg_partman.");
  cmd->callback([&globals, &exit_code] {
    auto conn = connect(globals, {});
    if (db::is_standby(*conn))
      throw UsageError("the server is a standby (in recovery); HINT: install on the primary");
    const auto r = db::install_schema(*conn, globals.schema);
    if (r.from_version == 0)
      std::cout << "installed partman schema '" << globals.schema << "' at version " << r.to_version << "\n";
    else if (r.from_version == r.to_version)
      std::cout << "partman schema '" << globals.schema << "' is already at version " << r.to_version << "\n";
    else
      std::cout << "upgraded partman schema '" << globals.schema << "' from version " << r.from_version << " to "
                << r.to_version << "\n";
    exit_code = k_exit_ok;
  });
}

} // namespace partman::cli
