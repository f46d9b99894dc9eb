// partman import-pg-partman: parse the options, call run::import_pg_partman, print per parent what maps
// and what does not. pg_partman's configuration and every table stay as they are.
#include <algorithm>
#include <iostream>

#include "partman/cli/common.hpp"
#include "partman/core/errors.hpp"
#include "partman/core/names.hpp"
#include "partman/core/pg_partman_map.hpp"
#include "partman/run/import_pg_partman.hpp"

namespace partman::cli {

namespace {

struct ImportArgs
{
  std::vector<std::string> parents;
  std::string from_schema;
  bool dry_run = false;
  bool replace = false;
  bool partman_names = false;
};

void print_candidate(const run::ImportCandidate& c, bool dry_run, const std::string& schema_option)
{
  const core::Policy& policy = c.mapping.policy;
  const bool set = !c.config.sub_partition_of.empty();
  std::string head = c.config.parent_table + ": ";
  switch (c.outcome) {
  case run::ImportOutcome::import:
    head += dry_run ? "would be imported" : "imported";
    break;
  case run::ImportOutcome::replace:
    head += dry_run ? "would replace partman's policy" : "replaced partman's policy";
    break;
  case run::ImportOutcome::managed:
    head += set ? "a sub-partition set of " + c.config.sub_partition_of +
                      ", which partman manages already: left unchanged"
                : std::string("already managed by partman: left unchanged (--replace overwrites its policy)");
    break;
  case run::ImportOutcome::kept:
    head += (dry_run ? "would be kept" : "kept") + std::string(" by the level-2 policy of ") +
            c.config.sub_partition_of;
    break;
  case run::ImportOutcome::unmapped:
    head += "not imported: " + c.mapping.problem;
    break;
  }
  std::cout << "\n";
  print_line(std::cout, head);
  std::size_t width = 0;
  for (const auto& m : c.mapping.mapped)
    width = std::max(width, m.setting.size());
  width = std::min<std::size_t>(width, 44);
  if (!set) { // a sub-partition set's settings are its parent's part_config_sub
    for (const auto& m : c.mapping.mapped)
      print_line(std::cout, "  maps:       " + m.setting +
                                std::string(width - std::min(width, m.setting.size()), ' ') + " -> " +
                                m.outcome);
    for (const auto& m : c.mapping.not_mapped)
      print_line(std::cout, "  not mapped: " + m.setting + ": " + m.outcome);
  }
  if (!c.adoption.empty())
    print_line(std::cout, "  existing partitions: " + c.adoption);
  if (!c.preview.empty() && c.outcome != run::ImportOutcome::managed &&
      c.outcome != run::ImportOutcome::unmapped)
    print_line(std::cout, "  first apply: " + c.preview);
  if (c.outcome == run::ImportOutcome::import || c.outcome == run::ImportOutcome::replace) {
    print_line(std::cout, "  equivalent: partman" + schema_option + " " + core::manage_command(policy));
    if (policy.sub)
      print_line(std::cout,
                 "              partman" + schema_option + " " + core::manage_command(*policy.sub));
  }
}

// Prints the report: the source, each parent, the counts, and how to stop pg_partman's maintenance.
void print_import(const run::ImportReport& report, const std::string& schema)
{
  const bool dry_run = report.dry_run;
  print_line(std::cout, "pg_partman" + (report.source_version.empty() ? "" : " " + report.source_version) +
                            " configuration in " + core::quote_ident(report.source_schema) +
                            ".part_config: " + std::to_string(report.candidates.size()) + " parent(s)" +
                            (dry_run ? "; dry run: nothing is written" : ""));
  print_line(std::cout, "time zone: " + report.timezone +
                            " (the database's current TimeZone): pg_partman computes boundaries in the "
                            "TimeZone of the session that runs its maintenance, which is this one unless "
                            "that session or its role sets another");
  const std::string schema_option = schema == "partman" ? "" : " --schema " + schema;
  for (const auto& c : report.candidates)
    print_candidate(c, dry_run, schema_option);
  const int replaced = report.count(run::ImportOutcome::replace);
  const int kept = report.count(run::ImportOutcome::kept);
  std::cout << "\n"
            << report.count(run::ImportOutcome::import) + replaced << (dry_run ? " to import" : " imported")
            << (replaced > 0 ? " (" + std::to_string(replaced) + " replacing partman's policy)"
                             : std::string())
            << (kept > 0 ? ", " + std::to_string(kept) + " sub-partition set(s)" +
                               (dry_run ? " to be kept" : " kept") + " by level-2 policies"
                         : std::string())
            << ", " << report.count(run::ImportOutcome::managed) << " already managed and left unchanged, "
            << report.count(run::ImportOutcome::unmapped) << " not imported\n";
  if (!report.stop_sql.empty()) {
    std::cout << "pg_partman still maintains " << (dry_run ? "these parents" : "the imported parents")
              << "; once 'partman" << schema_option
              << " plan' looks right, stop it (partman does not change pg_partman's configuration):\n";
    print_line(std::cout, "  " + report.stop_sql);
  }
}

int run_import(const Globals& globals, const ImportArgs& args)
{
  const core::Micros now = resolve_now("");
  auto request = request_for<run::ImportRequest>(globals, "import-pg-partman");
  request.now = now;
  request.parents = args.parents;
  request.from_schema = args.from_schema;
  request.dry_run = args.dry_run;
  request.replace = args.replace;
  request.names = args.partman_names ? core::PartitionNames::partman : core::PartitionNames::pg_partman;
  const run::ImportReport report = run::import_pg_partman(request);
  print_import(report, globals.schema);
  return exit_code_of(report);
}

} // namespace

void add_import_command(CLI::App& app, const Globals& globals, int& exit_code)
{
  auto args = std::make_shared<ImportArgs>();
  auto* cmd = app.add_subcommand(
      "import-pg-partman",
      "Create partman policies equivalent to pg_partman's configuration (its part_config table), and print\n"
      "per parent what maps and what does not. pg_partman's configuration and every table stay as they are.\n"
      "Exit 0: all imported (or already managed); 3: some parents could not be mapped.");
  cmd->add_option("PARENT", args->parents, "Only these parents (default: every parent in part_config)");
  cmd->footer("Examples:\n"
              "  partman import-pg-partman --dry-run\n"
              "  partman import-pg-partman app.events");
  cmd->add_option("--from-schema", args->from_schema,
                  "Schema that holds pg_partman's part_config (default: the pg_partman extension's schema)");
  cmd->add_flag("--dry-run", args->dry_run, "Only print what would be imported; nothing is written");
  cmd->add_flag("--replace", args->replace,
                "Overwrite the policy of a parent partman manages already (default: leave it unchanged)");
  cmd->add_flag("--partman-names", args->partman_names,
                "Name new partitions partman's way (events_p20261213) instead of as pg_partman named them\n"
                "(events_p2026_12_13, its datetime_string; the default); existing partitions are adopted by\n"
                "their bounds either way, and keep their names");
  cmd->callback([&globals, &exit_code, args] {
    exit_code = run_guarded([&] { return run_import(globals, *args); }, std::cerr);
  });
}

} // namespace partman::cli
