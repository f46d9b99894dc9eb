// partman install: create or upgrade the partman schema.
#include <iostream>

#include "partman/cli/common.hpp"
#include "partman/core/errors.hpp"
#include "partman/db/installer.hpp"

namespace partman::cli {

namespace {

int install_one(const Globals& globals, const std::string& dsn, std::ostream& out)
{
  auto conn = open_primary(dsn, {}, "install");
  const std::string& schema = globals.schema;
  const auto r = db::install_schema(*conn, schema);
  if (r.extension && r.from_version == r.to_version)
    out << "partman schema '" << schema << "' is the extension partman, already at version " << r.to_version
        << "\n";
  else if (r.extension)
    out << "updated the extension partman from version " << r.from_version << " to " << r.to_version
        << " (ALTER EXTENSION partman UPDATE)\n";
  else if (r.from_version == 0)
    out << "installed partman schema '" << schema << "' at version " << r.to_version << "\n";
  else if (r.from_version == r.to_version)
    out << "partman schema '" << schema << "' is already at version " << r.to_version << "\n";
  else
    out << "upgraded partman schema '" << schema << "' from version " << r.from_version << " to "
        << r.to_version << "\n";
  return k_exit_ok;
}

} // namespace

void add_install_command(CLI::App& app, const Globals& globals, int& exit_code)
{
  auto* cmd = app.add_subcommand(
      "install",
      "Create, or upgrade in place, partman's schema (policy and history tables); safe to rerun.\n"
      "Pick the schema with --schema (default partman); it must not be one holding an extension\n"
      "such as pg_partman. Where CREATE EXTENSION partman made the schema, this updates the extension\n"
      "(ALTER EXTENSION partman UPDATE) to this partman's version.");
  cmd->footer("Examples:\n"
              "  partman install\n"
              "  partman -d 'host=db dbname=app' --schema partman_policy install");
  cmd->callback([&globals, &exit_code] {
    const DatabaseJob job = [&](const std::string& dsn, std::ostream& out) {
      return install_one(globals, dsn, out);
    };
    exit_code = run_guarded([&] { return for_each_database(globals, job); }, std::cerr);
  });
}

} // namespace partman::cli
