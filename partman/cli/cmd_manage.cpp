// partman manage / unmanage: register, update or remove the policy of a parent.
#include <cctype>
#include <iostream>
#include <optional>
#include <pqxx/pqxx>

#include "partman/archive/storage.hpp"
#include "partman/cli/common.hpp"
#include "partman/core/errors.hpp"
#include "partman/core/names.hpp"
#include "partman/core/planner.hpp"
#include "partman/core/render.hpp"
#include "partman/core/subpartitions.hpp"
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
  std::string epoch;                      // seconds, milliseconds or none
  std::string values;                     // a,b,c
  std::vector<std::string> value;         // --value, repeated, each taken as it stands
  std::string values_query;               // SELECT ...
  std::string list_retention;             // keep, detach, drop or archive
  std::optional<bool> default_partition;  // --default-partition / --no-default-partition
  std::optional<bool> inherit_privileges; // --inherit-privileges / --no-inherit-privileges
  std::string template_table;             // a table, or none
  std::string subpartition_by;            // RANGE (column) or LIST (column): the level-2 policy; or none
  int level = 1;                          // 2: the options are for the level-2 policy
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

// Returns the values of --values (split at commas, spaces around each trimmed) and --value (as given).
std::vector<std::string> listed_values(const ManageArgs& a)
{
  std::vector<std::string> out;
  if (!a.values.empty()) {
    std::size_t from = 0;
    for (;;) {
      const std::size_t comma = std::min(a.values.find(',', from), a.values.size());
      std::string item = a.values.substr(from, comma - from);
      item.erase(0, item.find_first_not_of(' '));
      item.erase(item.find_last_not_of(' ') + 1);
      if (item.empty())
        throw UsageError("--values: an empty value in '" + a.values +
                         "'; HINT: pass --value '' for the empty string, and --value 'a,b' for a value that "
                         "holds a comma");
      out.push_back(item);
      if (comma == a.values.size())
        break;
      from = comma + 1;
    }
  }
  out.insert(out.end(), a.value.begin(), a.value.end());
  return out;
}

// Applies the options that mean the same for every shape on top of `p` (the current policy or the
// defaults); they are checked before anything connects.
void apply_common_args(const ManageArgs& a, core::Policy& p)
{
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
  value_or_usage(core::find_zone(p.timezone), "--timezone");
  if (!a.epoch.empty() && !is_none(a.epoch))
    p.epoch_unit = value_or_usage(core::parse_epoch_unit(a.epoch), "--epoch");
  if (!a.list_retention.empty())
    p.list_retention = value_or_usage(core::parse_list_retention(a.list_retention), "--list-retention");
  if (!a.values_query.empty() && (!a.values.empty() || !a.value.empty()))
    throw UsageError("--values-query: give the values or a query that produces them, not both");
  listed_values(a);
  if (!a.interval.empty() && !core::parse_partition_interval(a.interval) &&
      !core::parse_positive(a.interval, "interval"))
    throw UsageError("--interval: " + core::parse_partition_interval(a.interval).error() +
                     "; for an integer key, a whole number of at least 1 (the width of a partition)");
}

// Returns the shape the policy of `parent` takes: LIST for a LIST parent; for a RANGE parent, time on a
// time key, and on an integer key epoch (--epoch, or the policy was one) or integer ranges.
core::Shape choose_shape(const ManageArgs& a, const core::Policy& current, bool found,
                         const core::ParentSnapshot& parent)
{
  const std::string key =
      core::quote_ident(parent.key_column) + " of " + core::quote_qualified(parent.schema, parent.table);
  if (parent.strategy == 'l') {
    for (const auto& [option, given] : {std::pair<const char*, const std::string*>{"--interval", &a.interval},
                                        {"--premake", &a.premake},
                                        {"--retention", &a.retention},
                                        {"--retention-action", &a.retention_action},
                                        {"--start", &a.start},
                                        {"--epoch", &a.epoch}}) {
      if (!given->empty())
        throw UsageError(
            std::string(option) + ": " + core::quote_qualified(parent.schema, parent.table) +
            " is partitioned BY LIST, and " + option +
            " applies to parents partitioned BY RANGE; HINT: give its values with --values, --value or "
            "--values-query, and what happens to a value no longer listed with --list-retention");
    }
    return core::Shape::list;
  }
  for (const auto& [option, given] : {std::pair<const char*, bool>{"--values", !a.values.empty()},
                                      {"--value", !a.value.empty()},
                                      {"--values-query", !a.values_query.empty()},
                                      {"--list-retention", !a.list_retention.empty()}}) {
    if (given)
      throw UsageError(std::string(option) + ": " + core::quote_qualified(parent.schema, parent.table) +
                       " is partitioned BY RANGE, and " + option + " applies to parents partitioned BY LIST");
  }
  if (!core::is_integer_key(parent.key_type)) {
    if (!a.epoch.empty() && !is_none(a.epoch))
      throw UsageError("--epoch: the key " + key + " is " + parent.key_type_name +
                       ", not an integer; HINT: --epoch is for integer columns that hold epoch time");
    if (!a.interval.empty() && core::parse_positive(a.interval, "interval"))
      throw UsageError("--interval: '" + a.interval + "' is a plain number, but the key " + key + " is " +
                       parent.key_type_name + "; HINT: give a time interval such as '1 day' or 'monthly'");
    return core::Shape::time;
  }
  if (is_none(a.epoch))
    return core::Shape::integer;
  if (!a.epoch.empty())
    return core::Shape::epoch;
  return found && current.shape == core::Shape::epoch ? core::Shape::epoch : core::Shape::integer;
}

// Applies the options whose meaning depends on the shape on top of `p` (already of shape `shape`; `changed`
// when it had another shape, whose interval, retention and start do not carry over).
void apply_shape_args(const ManageArgs& a, core::Policy& p, bool changed, const core::ParentSnapshot& parent)
{
  const std::string key = core::quote_ident(parent.key_column) + " of " + p.parent_sql();
  const auto zone = *core::find_zone(p.timezone);
  switch (p.shape) {
  case core::Shape::time:
  case core::Shape::epoch:
    if (changed) {
      p.retention.reset();
      p.start.reset();
    }
    if (!a.interval.empty() && core::parse_positive(a.interval, "interval") &&
        !core::parse_partition_interval(a.interval))
      throw UsageError("--interval: '" + a.interval + "' is a plain number, but --epoch plans " + key +
                       " with time intervals; HINT: give one such as '1 day', or --epoch none for ranges of "
                       "integer width");
    if (!a.interval.empty())
      p.interval = value_or_usage(core::parse_partition_interval(a.interval), "--interval");
    if (is_none(a.retention))
      p.retention.reset();
    else if (!a.retention.empty())
      p.retention = value_or_usage(core::parse_period(a.retention), "--retention");
    if (is_none(a.start))
      p.start.reset();
    else if (!a.start.empty())
      p.start = value_or_usage(core::parse_instant(a.start, zone), "--start");
    break;
  case core::Shape::integer:
    if (changed) {
      p.keep_last.reset();
      p.start_value.reset();
    }
    if (!a.interval.empty() && !core::parse_positive(a.interval, "interval"))
      throw UsageError(
          "--interval: '" + a.interval + "' is not a whole number, but the key " + key + " is " +
          parent.key_type_name +
          "; HINT: give a width such as --interval 1000000, or --epoch seconds|milliseconds when "
          "the column holds epoch time");
    if (!a.interval.empty())
      p.width = *core::parse_positive(a.interval, "interval");
    if (is_none(a.retention))
      p.keep_last.reset();
    else if (!a.retention.empty())
      p.keep_last = value_or_usage(core::parse_positive(a.retention, "retention"), "--retention");
    if (is_none(a.start))
      p.start_value.reset();
    else if (!a.start.empty())
      p.start_value = value_or_usage(core::parse_integer(a.start, "start"), "--start");
    break;
  case core::Shape::list:
    if (!a.values_query.empty()) {
      p.values_query = a.values_query;
      while (!p.values_query.empty() && (std::isspace(static_cast<unsigned char>(p.values_query.back())) ||
                                         p.values_query.back() == ';'))
        p.values_query.pop_back();
      p.values.clear();
    }
    if (!a.values.empty() || !a.value.empty()) {
      p.values = listed_values(a);
      p.values_query.clear();
    }
    break;
  }
}

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
      ", time zone " + policy.timezone;
  if (policy.start)
    s += ", start " + core::format_instant(*core::find_zone(policy.timezone), *policy.start);
  return s;
}

// Applies the options about the default partition and what new children copy from their parent; the
// template table must be a plain table other than the parent.
void apply_children_args(pqxx::connection& conn, const ManageArgs& a, core::Policy& p)
{
  if (a.default_partition)
    p.default_partition = *a.default_partition;
  if (a.inherit_privileges)
    p.inherit_privileges = *a.inherit_privileges;
  if (is_none(a.template_table)) {
    p.template_schema.clear();
    p.template_table.clear();
  } else if (!a.template_table.empty()) {
    const auto t = db::resolve_tables(conn, {a.template_table}).front();
    pqxx::read_transaction tx(conn);
    const auto kind = tx.exec_params("SELECT relkind::text FROM pg_class WHERE oid = to_regclass($1)",
                                     core::quote_qualified(t.first, t.second));
    if (kind.empty() || kind[0][0].as<std::string>() != "r" || t == db::TableName{p.schema, p.table})
      throw UsageError("--template-table: " + core::quote_qualified(t.first, t.second) +
                       " is not a plain table; HINT: create one with the unique indexes new partitions need "
                       "(CREATE TABLE t (LIKE parent); CREATE UNIQUE INDEX ON t (...))");
    p.template_schema = t.first;
    p.template_table = t.second;
  }
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
  return s;
}

// A level-2 policy as --subpartition-by gives it: BY LIST or BY RANGE, on a column of the parent.
struct SubSpec
{
  bool list = false;
  std::string column; // as written, for the server's parse_ident()
};

// Parses "RANGE (column)" or "LIST (column)" (any case; a quoted column keeps its case).
SubSpec parse_sub_spec(const std::string& text)
{
  std::string upper;
  for (char c : text)
    upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const auto open = text.find('(');
  const auto close = text.rfind(')');
  std::string word = upper.substr(0, open == std::string::npos ? 0 : open);
  word.erase(word.find_last_not_of(' ') + 1);
  word.erase(0, word.find_first_not_of(' '));
  if (open == std::string::npos || close == std::string::npos || close < open ||
      text.find_first_not_of(' ', close + 1) != std::string::npos || (word != "RANGE" && word != "LIST"))
    throw UsageError("--subpartition-by: '" + text +
                     "' is not RANGE (column) or LIST (column); HINT: for example --subpartition-by 'RANGE "
                     "(created_at)', or 'none' to stop sub-partitioning new partitions");
  return {word == "LIST", text.substr(open + 1, close - open - 1)};
}

// Returns the names of the unique indexes of `parent` that lack its column number `attnum`: a partition
// partitioned on that column cannot have them.
std::vector<std::string> unique_without(pqxx::transaction_base& tx, const std::string& parent, int attnum)
{
  std::vector<std::string> out;
  for (const auto& row : tx.exec_params("SELECT i.indexrelid::regclass::text FROM pg_index i WHERE "
                                        "i.indrelid = to_regclass($1) AND i.indisunique AND NOT $2 = ANY "
                                        "(i.indkey::int2[]) ORDER BY 1",
                                        parent, attnum))
    out.push_back(row[0].as<std::string>());
  return out;
}

// Returns the snapshot that a level-2 policy of `outer` (read from the catalog) sees, as of a new partition
// partitioned BY `spec`, after checking that the parent can be sub-partitioned that way: the column exists,
// every unique index includes it, and partitions already partitioned are partitioned the same way.
core::ParentSnapshot sub_parent_snapshot(pqxx::transaction_base& tx, const core::ParentSnapshot& outer,
                                         const core::Policy& outer_policy, const SubSpec& spec,
                                         const db::CatalogOptions& catalog, core::Policy& sub)
{
  const std::string parent = outer_policy.parent_sql();
  pqxx::result col;
  try {
    col = tx.exec_params(
        "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnum::int FROM "
        "pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attname = (parse_ident($2))[1] "
        "AND a.attnum > 0 AND NOT a.attisdropped AND array_length(parse_ident($2), 1) = 1",
        parent, spec.column);
  } catch (const pqxx::sql_error&) {
    col.clear();
  }
  if (col.empty())
    throw UsageError("--subpartition-by: " + parent + " has no column " + spec.column +
                     "; HINT: name one of its columns, as SQL writes it");
  sub.partition_key = col[0][0].as<std::string>();
  const std::string key = core::quote_ident(sub.partition_key);
  if (sub.partition_key == outer.key_column && (spec.list || outer.strategy != 'r'))
    throw UsageError("--subpartition-by: " + parent + " is already partitioned on " + key +
                     "; HINT: partitions can be partitioned again on the same column only BY RANGE, inside a "
                     "parent partitioned BY RANGE (months into days)");
  if (const auto lacking = unique_without(tx, parent, col[0][2].as<int>()); !lacking.empty())
    throw UsageError("--subpartition-by: unique index " + lacking.front() + " of " + parent +
                     " does not include " + key +
                     ", so partitions partitioned on it could not have it; HINT: add " + key +
                     " to that index (or primary key), or sub-partition on a column it includes");
  core::Policy outer_with_sub = outer_policy;
  outer_with_sub.sub = std::make_shared<const core::Policy>(sub);
  core::ParentSnapshot with_type = outer;
  with_type.sub_key_type_name = col[0][1].as<std::string>();
  with_type.sub_key_type = core::key_type_from_sql(with_type.sub_key_type_name);
  // Partitions partitioned already: partitioned the same way, or the policy could not apply to them.
  const auto existing = core::sub_parents({outer}, {outer_with_sub});
  std::vector<core::Policy> existing_policies;
  for (const auto& e : existing)
    existing_policies.push_back(e.policy);
  const auto inner = db::read_catalog(tx, existing_policies, catalog);
  for (const auto& ps : inner) {
    if (const auto other = core::partitioned_otherwise(ps, sub.partition_key, spec.list ? 'l' : 'r');
        !other.empty())
      throw UsageError("--subpartition-by: partition " + core::quote_qualified(ps.schema, ps.table) + " of " +
                       parent + " is " + other + ", not BY " + core::sub_partition_clause(sub) +
                       "; HINT: the level-2 policy must match the partitions partitioned already");
  }
  core::ParentSnapshot out = core::new_sub_parent(with_type, sub, outer.table, std::nullopt, std::nullopt);
  out.strategy = spec.list ? 'l' : 'r'; // the shape follows from it (choose_shape)
  return out;
}

int remove_sub_policy(const Globals& globals, pqxx::connection& conn, const core::Policy& outer);

int run_manage(const Globals& globals, const ManageArgs& args)
{
  core::Policy probe;
  apply_common_args(args, probe); // rejects malformed options before connecting
  auto conn = open_primary(single_dsn(globals, "manage"), {}, "manage");
  db::require_schema(*conn, globals.schema);
  const auto name = db::resolve_tables(*conn, {args.parent}).front();
  core::Policy policy;
  policy.schema = name.first;
  policy.table = name.second;
  const auto existing = db::load_policies(*conn, globals.schema, {});
  bool found = false;
  std::size_t query_rows = 0;
  for (const auto& p : existing) {
    if (p.schema == policy.schema && p.table == policy.table) {
      policy = p;
      found = true;
    }
  }
  const bool sub_level = args.level == 2 || !args.subpartition_by.empty();
  const core::Policy outer_policy = policy;
  if (sub_level) {
    if (!found)
      throw UsageError(
          policy.parent_sql() + " is not managed yet; HINT: give it a policy first ('partman manage " +
          policy.parent_sql() + " --interval ...'), then its partitions' with --subpartition-by");
    if (is_none(args.subpartition_by))
      return remove_sub_policy(globals, *conn, outer_policy);
    if (!args.template_table.empty())
      throw UsageError("--template-table: a level-2 policy uses its parent's template table, whose unique "
                       "indexes go to the partitions' own partitions; HINT: 'partman manage " +
                       policy.parent_sql() + " --template-table T' without --subpartition-by or --level 2");
    found = outer_policy.sub != nullptr;
    if (!found && args.subpartition_by.empty())
      throw UsageError("--level 2: " + policy.parent_sql() +
                       " has no level-2 policy; HINT: create one with --subpartition-by 'RANGE (column)' or "
                       "'LIST (column)'");
    if (found) {
      policy = *outer_policy.sub;
    } else {
      policy = core::Policy{};
      policy.schema = outer_policy.schema;
      policy.table = outer_policy.table;
      policy.level = 2;
    }
  }
  apply_common_args(args, policy);
  apply_children_args(*conn, args, policy);

  std::vector<core::ParentSnapshot> snap;
  {
    pqxx::read_transaction tx(*conn);
    db::CatalogOptions catalog;
    catalog.partman_schema = globals.schema;
    core::Policy as_is = outer_policy; // the catalog as it stands; a values query is run below
    as_is.values_query.clear();
    as_is.sub.reset();
    snap = db::read_catalog(tx, {as_is}, catalog);
    if (auto problem = core::check_parent_shape(snap.front()); !problem.empty())
      throw UsageError(problem);
    if (sub_level) {
      const SubSpec spec = args.subpartition_by.empty() ? SubSpec{policy.shape == core::Shape::list,
                                                                  core::quote_ident(policy.partition_key)}
                                                        : parse_sub_spec(args.subpartition_by);
      snap.front() = sub_parent_snapshot(tx, snap.front(), outer_policy, spec, catalog, policy);
    }
    const core::ParentSnapshot& parent = snap.front();
    const core::Shape shape = choose_shape(args, policy, found, parent);
    const bool changed = found && shape != policy.shape;
    policy.shape = shape;
    if ((!found || changed) && shape != core::Shape::list && args.interval.empty())
      throw UsageError(policy.parent_sql() + (found ? " changes shape" : " is not managed yet") +
                       ", so --interval is required; HINT: for example " +
                       (shape == core::Shape::integer ? "--interval 1000000 (the width of a partition)"
                                                      : "--interval daily"));
    if ((!found || changed) && shape == core::Shape::list && args.values.empty() && args.value.empty() &&
        args.values_query.empty())
      throw UsageError(policy.parent_sql() +
                       " is partitioned BY LIST, so its values are required; HINT: --values a,b,c, --value X "
                       "(repeatable, for values with commas) or --values-query 'SELECT code FROM regions'");
    apply_shape_args(args, policy, changed, parent);
    if (shape == core::Shape::list && policy.values_query.empty()) {
      const auto values = db::canonical_list_values(tx, policy.values, parent.key_type_name);
      if (!values)
        throw UsageError(values.error());
      policy.values = *values;
    } else if (shape == core::Shape::list) {
      if (auto problem = db::values_query_problem(tx, policy.values_query); !problem.empty())
        throw UsageError(problem);
      const auto values =
          db::query_list_values(tx, policy.values_query, parent.key_type_name, policy.parent_sql());
      if (!values)
        throw UsageError("--values-query: " + values.error());
      query_rows = values->size();
    }
    if (auto problem = db::check_policy(tx, snap.front(), policy); !problem.empty())
      throw UsageError(problem);
    if (auto problem = core::check_time_window(snap.front(), policy, resolve_now("")); !problem.empty())
      throw UsageError(problem);
  }
  if (policy.retention_action == core::RetentionAction::archive ||
      (policy.shape == core::Shape::list && policy.list_retention == core::ListRetention::archive))
    check_storage_writable(policy.archive_to);
  const bool inserted = db::save_policy(*conn, globals.schema, policy);
  std::string said = (inserted ? "managing " : "updated the policy of ") + policy.parent_sql();
  if (sub_level)
    said += "'s partitions, partitioned BY " + core::sub_partition_clause(policy);
  said += ": " + describe(policy, snap.front()) + describe_children(policy);
  if (!policy.values_query.empty())
    said += " (it gives " + std::to_string(query_rows) + " value(s) now)";
  print_line(std::cout, said);
  print_line(std::cout,
             "next: 'partman plan " + policy.parent_sql() + "' shows what 'partman apply' will do");
  return k_exit_ok;
}

// Removes the level-2 policy of `outer`: new partitions are no longer created partitioned, and partitions
// partitioned already keep what they have.
int remove_sub_policy(const Globals& globals, pqxx::connection& conn, const core::Policy& outer)
{
  if (!db::delete_policy(conn, globals.schema, {outer.schema, outer.table}, 2))
    throw UsageError("--subpartition-by none: " + outer.parent_sql() + " has no level-2 policy");
  print_line(std::cout,
             "no longer sub-partitioning the new partitions of " + outer.parent_sql() +
                 " (partitions partitioned already keep their own partitions, no longer maintained)");
  return k_exit_ok;
}

int run_unmanage(const Globals& globals, const std::string& parent)
{
  auto conn = open_primary(single_dsn(globals, "unmanage"), {}, "unmanage");
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
  print_line(std::cout, "no longer managing " + core::quote_qualified(name.first, name.second) +
                            " (its tables were not changed)");
  return k_exit_ok;
}

} // namespace

void add_manage_commands(CLI::App& app, const Globals& globals, int& exit_code)
{
  auto args = std::make_shared<ManageArgs>();
  auto* cmd = app.add_subcommand(
      "manage",
      "Register a partitioned parent, or update its policy (options not given keep their value).\n"
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
      "Keep a default partition (PARENT_default), created when missing, for rows no partition takes;\n"
      "apply moves a new partition's rows out of it before attaching it");
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
