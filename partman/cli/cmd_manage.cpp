// partman manage / unmanage: register, update or remove the policy of a parent.
#include <iostream>
#include <pqxx/pqxx>

#include "partman/archive/storage.hpp"
#include "partman/cli/common.hpp"
#include "partman/core/errors.hpp"
#include "partman/core/names.hpp"
#include "partman/core/timepoint.hpp"
#include "partman/db/catalog.hpp"
#include "partman/db/installer.hpp"
#include "partman/db/policy_check.hpp"
#include "partman/db/policy_store.hpp"

namespace partman::cli {

namespace {

// The manage options as typed; empty strings mean "not given" (keep the current value, or the default).
struct ManageArgs
{
  std::string parent;
  std::string interval;
  std::string premake;
  std::string retention;
  std::string retention_action;
  std::string retention_schema;
  std::string archive_to;
  std::string timezone;
  std::string start;
};

template <typename T> T value_or_usage(const core::Result<T>& r, const std::string& option)
{
  if (!r)
    throw UsageError(option + ": " + r.error());
  return *r;
}

bool is_none(const std::string& text)
{
  return text == "none" || text == "NONE";
}

// Rejects a malformed --archive-to before anything connects.
void check_storage_uri(const std::string& uri)
{
  try {
    archive::parse_storage_uri(uri);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--archive-to: ") + e.what());
  }
}

// Writes and removes a small object where archives will go, so a policy never names storage that partman
// cannot write (missing credentials, unreachable endpoint, no permission).
void check_storage_writable(const std::string& uri)
{
  try {
    auto storage = archive::open_storage(uri);
    const std::string key = ".partman-write-check";
    storage->put(key, "partman checks that it can write here\n");
    storage->remove(key);
  } catch (const archive::StorageError& e) {
    throw UsageError(std::string("--archive-to: cannot write to ") + uri + ": " + e.what() +
                     "; HINT: check the path or bucket, and for s3 the AWS_* variables or ~/.aws files");
  }
}

// Applies the given options on top of `p` (the current policy or the defaults).
void apply_args(const ManageArgs& a, core::Policy& p)
{
  if (!a.interval.empty())
    p.interval = value_or_usage(core::parse_partition_interval(a.interval), "--interval");
  if (!a.premake.empty()) {
    try {
      std::size_t used = 0;
      p.premake = std::stoi(a.premake, &used);
      if (used != a.premake.size())
        throw std::invalid_argument(a.premake);
    } catch (const std::exception&) {
      throw UsageError("--premake: invalid number '" + a.premake + "'");
    }
  }
  if (is_none(a.retention))
    p.retention.reset();
  else if (!a.retention.empty())
    p.retention = value_or_usage(core::parse_period(a.retention), "--retention");
  if (!a.retention_action.empty())
    p.retention_action =
        value_or_usage(core::parse_retention_action(a.retention_action), "--retention-action");
  if (is_none(a.retention_schema))
    p.retention_schema.clear();
  else if (!a.retention_schema.empty())
    p.retention_schema = a.retention_schema;
  if (is_none(a.archive_to))
    p.archive_to.clear();
  else if (!a.archive_to.empty())
    p.archive_to = a.archive_to;
  if (!p.archive_to.empty())
    check_storage_uri(p.archive_to);
  if (!a.timezone.empty())
    p.timezone = a.timezone;
  const auto zone = value_or_usage(core::find_zone(p.timezone), "--timezone");
  if (is_none(a.start))
    p.start.reset();
  else if (!a.start.empty())
    p.start = value_or_usage(core::parse_instant(a.start, zone), "--start");
}

int run_manage(const Globals& globals, const ManageArgs& args)
{
  core::Policy probe;
  apply_args(args, probe); // rejects malformed options before connecting
  auto conn = db::open_session(single_dsn(globals, "manage"), {});
  db::require_schema(*conn, globals.schema);
  const auto name = db::resolve_tables(*conn, {args.parent}).front();
  core::Policy policy;
  policy.schema = name.first;
  policy.table = name.second;
  const auto existing = db::load_policies(*conn, globals.schema, {});
  bool found = false;
  for (const auto& p : existing) {
    if (p.schema == policy.schema && p.table == policy.table) {
      policy = p;
      found = true;
    }
  }
  if (!found && args.interval.empty())
    throw UsageError(policy.parent_sql() +
                     " is not managed yet, so --interval is required; HINT: for example "
                     "--interval daily");
  apply_args(args, policy);

  std::vector<core::ParentSnapshot> snap;
  {
    pqxx::read_transaction tx(*conn);
    snap = db::read_catalog(tx, {policy});
    if (auto problem = db::check_policy(tx, snap.front(), policy); !problem.empty())
      throw UsageError(problem);
  }
  if (policy.retention_action == core::RetentionAction::archive)
    check_storage_writable(policy.archive_to);
  const bool inserted = db::save_policy(*conn, globals.schema, policy);
  std::cout << (inserted ? "managing " : "updated the policy of ") << policy.parent_sql() << ": "
            << policy.interval.text() << " on " << core::quote_ident(snap.front().key_column) << " ("
            << snap.front().key_type_name << "), premake " << policy.premake << ", retention "
            << (policy.retention
                    ? policy.retention->text() + " (" + core::to_string(policy.retention_action) +
                          (policy.retention_action == core::RetentionAction::archive
                               ? " to " + policy.archive_to
                               : std::string()) +
                          ")"
                    : std::string("none"))
            << ", time zone " << policy.timezone;
  if (policy.start)
    std::cout << ", start " << core::format_instant(*core::find_zone(policy.timezone), *policy.start);
  std::cout << "\nnext: 'partman plan " << policy.parent_sql() << "' shows what 'partman apply' will do\n";
  return k_exit_ok;
}

int run_unmanage(const Globals& globals, const std::string& parent)
{
  auto conn = db::open_session(single_dsn(globals, "unmanage"), {});
  db::require_schema(*conn, globals.schema);
  db::TableName name;
  try {
    name = db::resolve_tables(*conn, {parent}).front();
  } catch (const UsageError&) {
    // The table may be gone already; then match the policy by its written name.
    for (const auto& p : db::load_policies(*conn, globals.schema, {})) {
      if (parent == p.schema + "." + p.table || parent == p.parent_sql())
        name = {p.schema, p.table};
    }
    if (name.first.empty())
      throw;
  }
  if (!db::delete_policy(*conn, globals.schema, name))
    throw UsageError(core::quote_qualified(name.first, name.second) + " is not managed by partman");
  std::cout << "no longer managing " << core::quote_qualified(name.first, name.second)
            << " (its tables were not changed)\n";
  return k_exit_ok;
}

} // namespace

void add_manage_commands(CLI::App& app, const Globals& globals, int& exit_code)
{
  auto args = std::make_shared<ManageArgs>();
  auto* cmd = app.add_subcommand(
      "manage", "Register a partitioned parent, or update its policy (options not given keep their value).\n"
                "The parent must be partitioned BY RANGE on one timestamptz, timestamp or date column.");
  cmd->add_option("PARENT", args->parent, "The partitioned table")->required();
  cmd->add_option(
      "-i,--interval", args->interval,
      "Partition width: '15 minutes' (multiples of 15), '1 hour', '1 day', '1 week' (ISO), '1 month',\n"
      "'3 months', '1 year', any whole multiple, or hourly, daily, weekly, monthly, quarterly, yearly");
  cmd->add_option("-p,--premake", args->premake,
                  "Partitions to keep ahead of now, besides the current one (at least 1; default 4)");
  cmd->add_option("-r,--retention", args->retention,
                  "Partitions whose whole range is older than now minus this period expire ('30 days',\n"
                  "'6 months'); at least one interval; 'none' keeps everything (the default)");
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
      "an offset; 'none' clears it)");
  cmd->callback([&globals, &exit_code, args] {
    exit_code = run_guarded([&] { return run_manage(globals, *args); }, std::cerr);
  });

  auto parent = std::make_shared<std::string>();
  auto* un = app.add_subcommand("unmanage", "Remove the policy of a parent; no table is changed.");
  un->add_option("PARENT", *parent, "The partitioned table")->required();
  un->callback([&globals, &exit_code, parent] {
    exit_code = run_guarded([&] { return run_unmanage(globals, *parent); }, std::cerr);
  });
}

} // namespace partman::cli
