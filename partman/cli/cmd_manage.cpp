// partman manage / unmanage: parse the options, call run::manage or run::unmanage, print what they did.
#include <iostream>

#include "partman/cli/common.hpp"
#include "partman/core/errors.hpp"
#include "partman/core/names.hpp"
#include "partman/core/pg_partman_names.hpp"
#include "partman/core/planner.hpp"
#include "partman/core/render.hpp"
#include "partman/core/subpartitions.hpp"
#include "partman/core/timepoint.hpp"
#include "partman/run/manage.hpp"

namespace partman::cli {

namespace {

// Returns what the policy holds, in the words manage prints.
std::string describe(const core::Policy& policy, const core::ParentSnapshot& parent)
{
  const std::string on = " on " + core::quote_ident(parent.key_column) + " (" + parent.key_type_name;
  switch (policy.shape) {
  case core::Shape::time:
    break;
  case core::Shape::epoch:
    break;
  case core::Shape::integer:
    return "integer ranges" + on + "), " + core::policy_summary(policy);
  case core::Shape::list: {
    std::string s = "LIST" + on + "), ";
    if (!policy.values_query.empty())
      s += "values from the query " + core::quote_literal(policy.values_query);
    else
      s += std::to_string(policy.values.size()) +
           " value(s): " + core::values_text(parent.key_type, policy.values);
    return s + "; unlisted values: " + core::to_string(policy.list_retention) +
           (policy.list_retention == core::ListRetention::archive ? " to " + policy.archive_to : "");
  }
  }
  const std::string epoch =
      policy.shape == core::Shape::epoch ? std::string(", epoch ") + core::to_string(policy.epoch_unit) : "";
  std::string s =
      policy.interval.text() + on + epoch + "), premake " + std::to_string(policy.premake) + ", retention " +
      (policy.retention
           ? policy.retention->text() + " (" + core::to_string(policy.retention_action) +
                 (policy.retention_action == core::RetentionAction::archive ? " to " + policy.archive_to
                                                                            : std::string()) +
                 ")"
           : std::string("none")) +
      ", time zone " + policy.timezone.name();
  if (policy.start)
    s += ", start " + core::format_instant(policy.timezone.rules(), *policy.start);
  return s;
}

// Returns the policy's choices about the default partition and children, as manage prints them.
std::string describe_children(const core::Policy& policy)
{
  std::string s = policy.default_partition ? "; a default partition" : "";
  if (!policy.template_table.empty())
    s += "; unique indexes of " + core::quote_qualified(policy.template_schema, policy.template_table) +
         " on new partitions";
  if (!policy.inherit_privileges)
    s += "; new partitions keep partman's owner and no grants";
  if (policy.partition_names == core::PartitionNames::pg_partman)
    s += "; pg_partman's partition names" + (policy.shape == core::Shape::integer
                                                 ? std::string()
                                                 : " (" + core::policy_name_format(policy) + ")");
  return s;
}

// Prints what manage did.
void print_manage(const run::ManageReport& r)
{
  const core::Policy& policy = r.policy;
  if (r.change == run::ManageReport::Change::sub_removed) {
    print_line(std::cout,
               "no longer sub-partitioning the new partitions of " + policy.parent_sql() +
                   " (partitions partitioned already keep their own partitions, no longer maintained)");
    return;
  }
  std::string said =
      (r.change == run::ManageReport::Change::inserted ? "managing " : "updated the policy of ") +
      policy.parent_sql();
  if (r.sub_level)
    said += "'s partitions, partitioned BY " + core::sub_partition_clause(policy);
  said += ": " + describe(policy, r.parent) + describe_children(policy);
  if (!policy.values_query.empty())
    said += " (it gives " + std::to_string(r.query_rows) + " value(s) now)";
  print_line(std::cout, said);
  print_line(std::cout,
             "next: 'partman plan " + policy.parent_sql() + "' shows what 'partman apply' will do");
}

int run_manage(const Globals& globals, const run::ManageOptions& options)
{
  auto request = request_for<run::ManageRequest>(globals, "manage");
  request.options = options;
  print_manage(run::manage(request));
  return k_exit_ok;
}

int run_unmanage(const Globals& globals, const std::string& parent)
{
  auto request = request_for<run::UnmanageRequest>(globals, "unmanage");
  request.parent = parent;
  const run::UnmanageReport r = run::unmanage(request);
  print_line(std::cout, "no longer managing " + core::quote_qualified(r.schema, r.table) +
                            " (its tables were not changed)");
  return k_exit_ok;
}

} // namespace

void add_manage_commands(CLI::App& app, const Globals& globals, int& exit_code)
{
  auto args = std::make_shared<run::ManageOptions>();
  auto* cmd = app.add_subcommand(
      "manage",
      "Register a partitioned parent, or update its policy (options not given keep their value);\n"
      "the same as SELECT partman.manage(...) in SQL, which it calls.\n"
      "The parent is partitioned BY RANGE on one timestamptz, timestamp, date or integer column, or\n"
      "BY LIST on one text, varchar, integer, uuid or date column.");
  cmd->add_option("PARENT", args->parent, "The partitioned table")->required();
  cmd->footer("Examples:\n"
              "  partman manage app.events --interval daily --premake 7 --retention '90 days' "
              "--retention-action drop\n"
              "  partman manage app.orders --values-query 'SELECT code FROM tenants'");
  cmd->add_option(
      "-i,--interval", args->interval,
      "Partition width: '15 minutes' (multiples of 15), '1 hour', '1 day', '1 week' (ISO), '1 month',\n"
      "'3 months', '1 year', any whole multiple, or hourly, daily, weekly, monthly, quarterly, yearly;\n"
      "for an integer key a whole number (slot k covers [k*N, (k+1)*N))");
  cmd->add_option("-p,--premake", args->premake,
                  "Partitions to keep ahead of now, besides the current one (at least 1; default 4)");
  cmd->add_option("-r,--retention", args->retention,
                  "Partitions whose whole range is older than now minus this period expire ('30 days',\n"
                  "'6 months'); at least one interval; 'none' keeps everything (the default); for integer\n"
                  "ranges a whole number R: partitions whose upper bound is not above max - R expire");
  cmd->add_option("--retention-action", args->retention_action,
                  "What happens to an expired partition: detach (the default; nothing is destroyed), drop,\n"
                  "or archive (detach, export to --archive-to, verify the copy, then drop)");
  cmd->add_option("--archive-to", args->archive_to,
                  "Where archive keeps expired partitions: file:///abs/folder or s3://bucket/prefix (S3\n"
                  "endpoint, region and keys from AWS_* variables or ~/.aws; 'none' clears it)");
  cmd->add_option("--retention-schema", args->retention_schema,
                  "Move detached partitions to this existing schema ('none': leave them in place)");
  cmd->add_option(
      "--timezone", args->timezone,
      "IANA time zone that boundaries follow (default UTC); for timestamp and date keys it decides\n"
      "what 'now' is on the wall clock");
  cmd->add_option(
      "--start", args->start,
      "Also keep partitions from this time onwards ('2026-01-01'; read in --timezone unless it has\n"
      "an offset; 'none' clears it); for integer ranges a value, also where premake counts from in\n"
      "an empty table (else 0)");
  cmd->add_option("--epoch", args->epoch,
                  "The integer key holds epoch time: seconds or milliseconds; it is then planned with time\n"
                  "intervals, zones and names, its bounds written as integers ('none': integer ranges)");
  cmd->add_option(
      "--values", args->values,
      "LIST parents: the values, one partition each, separated by commas ('eu,us,apac'); replaces\n"
      "the list or query");
  cmd->add_option(
         "--value", args->value,
         "LIST parents: one value as it stands (repeatable; for values with commas or spaces at the\n"
         "ends, and '' for the empty string); with --values, added to them")
      ->allow_extra_args(false);
  cmd->add_option("--values-query", args->values_query,
                  "LIST parents: a query whose first column gives the values, run read-only at plan time\n"
                  "('SELECT code FROM regions'); replaces the list");
  cmd->add_option("--list-retention", args->list_retention,
                  "LIST parents: what happens to the partition of a value no longer listed: keep (the\n"
                  "default), detach, drop, or archive (to --archive-to)");
  cmd->add_flag_callback(
      "--default-partition", [args] { args->default_partition = true; },
      "Keep a default partition (PARENT_default) for rows no partition takes, created at once when\n"
      "missing (and by apply if it goes missing); apply moves a new partition's rows out of it before\n"
      "attaching it");
  cmd->add_flag_callback(
      "--no-default-partition", [args] { args->default_partition = false; },
      "Do not create a default partition (one that exists is left alone, never dropped)");
  cmd->add_flag_callback(
      "--inherit-privileges", [args] { args->inherit_privileges = true; },
      "New partitions get the parent's owner and grants (the default)");
  cmd->add_flag_callback(
      "--no-inherit-privileges", [args] { args->inherit_privileges = false; },
      "New partitions keep the owner partman runs as, and get no grants");
  cmd->add_option("--template-table", args->template_table,
                  "A table whose unique indexes every new partition gets (unique keys without the partition\n"
                  "key cannot live on the parent); 'none' clears it");
  cmd->add_option("--partition-names", args->partition_names,
                  "How new partitions and the default partition are named: partman (the default:\n"
                  "events_p20261213, events_p202612, ids_p5000), or pg_partman, as pg_partman names them\n"
                  "(events_p2026_12_13, events_p2026_12, ids_p5000; a long parent name cut as it cuts it),\n"
                  "the suffix as its create_parent picks it for the interval; 'pg_partman:FORMAT' gives its\n"
                  "datetime_string ('pg_partman:YYYY\"q\"Q'). Existing partitions are known by their bounds")
      ->type_name("partman|pg_partman[:FORMAT]");
  cmd->add_option(
      "--subpartition-by", args->subpartition_by,
      "Sub-partitioning: the options given are the level-2 policy, which keeps the partitions of\n"
      "each partition; new partitions are created partitioned 'RANGE (column)' or 'LIST (column)',\n"
      "with their own partitions ('none' removes the level-2 policy; run after the parent's own)");
  cmd->add_option("--level", args->level,
                  "2: the options given update the level-2 policy (set with --subpartition-by)")
      ->check([](const std::string& v) { return v == "1" || v == "2" ? "" : "'" + v + "' is not 1 or 2"; })
      ->type_name("1|2");
  cmd->callback([&globals, &exit_code, args] {
    exit_code = run_guarded([&] { return run_manage(globals, *args); }, std::cerr);
  });

  auto parent = std::make_shared<std::string>();
  auto* un = app.add_subcommand("unmanage", "Remove the policy of a parent; no table is changed.");
  un->add_option("PARENT", *parent, "The partitioned table")->required();
  un->footer("Examples:\n"
             "  partman unmanage app.events");
  un->callback([&globals, &exit_code, parent] {
    exit_code = run_guarded([&] { return run_unmanage(globals, *parent); }, std::cerr);
  });
}

} // namespace partman::cli
