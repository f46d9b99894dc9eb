#include "partman/core/pg_partman_map.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <utility>

#include "partman/core/names.hpp"
#include "partman/core/pg_partman_names.hpp"

namespace partman::core {

namespace {

// Returns the value of part_config's `column` as text, or "" when it is NULL or absent.
std::string value(const PgPartmanParent& p, const std::string& column)
{
  const auto it = p.values.find(column);
  return it == p.values.end() ? std::string() : it->second;
}

// Returns true when the boolean `column` is set to true.
bool is_true(const PgPartmanParent& p, const std::string& column)
{
  return value(p, column) == "t" || value(p, column) == "true";
}

// Returns true when the boolean `column` is set to false (absent or NULL is neither).
bool is_false(const PgPartmanParent& p, const std::string& column)
{
  return value(p, column) == "f" || value(p, column) == "false";
}

std::string plural(std::int64_t n, const char* unit)
{
  return std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
}

// Returns an interval that counts one unit as "N unit(s)", or why it does not count one.
Result<std::string> interval_words(const PgInterval& iv, const std::string& raw)
{
  const int units = (iv.months != 0) + (iv.days != 0) + (iv.micros != 0);
  if (iv.months < 0 || iv.days < 0 || iv.micros < 0 || units != 1)
    return Error{"'" + raw +
                 "' is not a whole number of one unit; partman counts minutes, hours, days, weeks, months "
                 "or years"};
  if (iv.months != 0)
    return iv.months % 12 == 0 ? plural(iv.months / 12, "year") : plural(iv.months, "month");
  if (iv.days != 0)
    return plural(iv.days, "day");
  if (iv.micros % k_micros_per_minute != 0)
    return Error{"'" + raw + "' is not a whole number of minutes"};
  const std::int64_t minutes = iv.micros / k_micros_per_minute;
  return minutes % 60 == 0 ? plural(minutes / 60, "hour") : plural(minutes, "minute");
}

bool is_time_type(const std::string& type)
{
  return type == "timestamp with time zone" || type == "timestamp without time zone" || type == "date";
}

bool is_integer_type(const std::string& type)
{
  return type == "smallint" || type == "integer" || type == "bigint";
}

// Returns `name` as SQL writes it, quoted only where it must be.
std::string sql_word(const std::string& name)
{
  bool plain = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0]));
  for (char c : name)
    plain = plain && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  return plain ? name : quote_ident(name);
}

// Returns `word` quoted for a POSIX shell where it needs it.
std::string shell_word(const std::string& word)
{
  bool plain = !word.empty();
  for (char c : word)
    plain = plain && (std::isalnum(static_cast<unsigned char>(c)) ||
                      std::string("_./:=+-").find(c) != std::string::npos);
  if (plain)
    return word;
  std::string out = "'";
  for (char c : word)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Returns the policy's template table as the manage command names it.
std::string template_word(const Policy& policy)
{
  return shell_word(sql_word(policy.template_schema) + "." + sql_word(policy.template_table));
}

// Returns how a level-2 policy's partitions are partitioned, as the manage command writes it.
std::string sub_by_word(const Policy& policy)
{
  return shell_word(std::string(policy.shape == Shape::list ? "LIST (" : "RANGE (") +
                    sql_word(policy.partition_key) + ")");
}

// Reports why a parent cannot be imported (the first reason given stands).
using ProblemSink = std::function<void(const std::string&)>;

void map_interval(const PgPartmanParent& p, PgPartmanMapping& m, const ProblemSink& problem)
{
  const std::string raw = value(p, "partition_interval");
  const auto words = interval_words(*p.interval, raw);
  const auto iv = words ? parse_partition_interval(*words) : Result<Interval>(Error{words.error()});
  if (!iv) {
    m.not_mapped.push_back({"partition_interval '" + raw + "'", iv.error()});
    problem("partition_interval '" + raw + "': " + iv.error());
    return;
  }
  m.intervals.push_back(*iv);
  if (iv->unit == Unit::day && iv->count % 7 == 0) {
    // pg_partman's 'weekly' (its datetime_string has IW; part_config_sub keeps the word itself, and
    // date_trunc_interval 'week') starts weeks on Monday, as partman's weeks do;
    // other multiples of 7 days start on the weekday the set was created, which existing partitions show.
    const Interval weeks{Unit::week, iv->count / 7};
    const bool monday = value(p, "datetime_string").find("IW") != std::string::npos ||
                        value(p, "date_trunc_interval") == "week" || raw == "weekly";
    m.intervals.insert(m.intervals.begin(), weeks);
    if (monday)
      m.intervals.pop_back();
  }
  m.policy.interval = m.intervals.front();
  m.mapped.push_back({"partition_interval '" + raw + "'", "--interval '" + m.policy.interval.text() + "'"});
}

void map_retention(const PgPartmanParent& p, PgPartmanMapping& m, const ProblemSink& problem)
{
  const std::string raw = value(p, "retention");
  if (raw.empty()) {
    m.mapped.push_back({"retention none", "--retention none (every partition is kept)"});
    return;
  }
  if (!p.retention && m.policy.shape != Shape::integer) {
    m.not_mapped.push_back({"retention '" + raw + "'", "not a time period"});
    return; // not a time key, which is the problem reported
  }
  std::string setting = "retention '" + raw + "'";
  std::string outcome = "--retention ";
  if (m.policy.shape == Shape::integer) {
    // pg_partman drops an id partition whose range lies below the largest id minus the retention.
    const auto keep = parse_positive(raw, "retention");
    if (!keep) {
      m.not_mapped.push_back({setting, keep.error()});
      problem(keep.error());
      return;
    }
    m.policy.keep_last = *keep;
    outcome += std::to_string(*keep);
  } else {
    auto words = interval_words(*p.retention, raw);
    auto period = words ? parse_period(*words) : Result<Interval>(Error{words.error()});
    if (!period) {
      m.not_mapped.push_back({setting, period.error()});
      problem("retention '" + raw + "': " + period.error());
      return;
    }
    m.policy.retention = *period;
    outcome += "'" + period->text() + "'";
  }
  outcome += " --retention-action ";
  const std::string schema = value(p, "retention_schema");
  if (!schema.empty()) {
    setting += ", retention_schema '" + schema + "'";
    m.policy.retention_action = RetentionAction::detach;
    m.policy.retention_schema = schema;
    outcome += "detach --retention-schema " + shell_word(schema);
  } else {
    const bool keep = !is_false(p, "retention_keep_table");
    setting += std::string(", retention_keep_table ") + (keep ? "true" : "false");
    m.policy.retention_action = keep ? RetentionAction::detach : RetentionAction::drop;
    outcome += keep ? "detach" : "drop";
  }
  m.mapped.push_back(
      {setting, outcome + (m.policy.shape == Shape::integer
                               ? " (expiry as in pg_partman: the whole range below the largest "
                                 "value minus the retention)"
                               : " (expiry as in pg_partman: the whole range older than now minus "
                                 "the retention)")});
  if (is_false(p, "retention_keep_index") && m.policy.retention_action == RetentionAction::detach)
    m.not_mapped.push_back(
        {"retention_keep_index false", "partman keeps the indexes of a detached partition"});
}

// Maps what new partitions get besides the parent's definition: its owner and grants, a template's indexes.
void map_children(const PgPartmanParent& p, PgPartmanMapping& m)
{
  // pg_partman's default (false, or NULL) gives new partitions no grants, owned by its maintenance's role.
  m.policy.inherit_privileges = is_true(p, "inherit_privileges");
  if (m.policy.inherit_privileges)
    m.mapped.push_back({"inherit_privileges true",
                        "--inherit-privileges (new partitions get the parent's owner and grants)"});
  else
    m.mapped.push_back({"inherit_privileges false", "--no-inherit-privileges (new partitions get no grants "
                                                    "and keep the owner partman runs as)"});
  if (p.template_table.empty())
    return; // none, or no such table (listed as not mapped)
  m.policy.template_schema = p.template_schema;
  m.policy.template_table = p.template_table;
  m.mapped.push_back(
      {"template_table " + value(p, "template_table"),
       "--template-table " + template_word(m.policy) +
           " (new partitions get its unique indexes; not its other indexes or storage options, "
           "which pg_partman also copies)"});
}

// Maps how pg_partman names partitions: kept (`names` pg_partman: its datetime_string, or for a level-2
// row, which has none, the one create_parent picks for its interval), or partman's own names instead.
void map_names(const PgPartmanParent& p, PgPartmanMapping& m, PartitionNames names,
               const ProblemSink& problem)
{
  const bool integer = m.policy.shape == Shape::integer;
  std::string format = value(p, "datetime_string");
  const std::string setting = integer ? std::string("partition names (") + p.table + "_p<lower bound>)"
                              : format.empty() ? "partition names (part_config_sub has no datetime_string)"
                                               : "datetime_string '" + format + "' (partition names)";
  if (names == PartitionNames::partman) {
    m.not_mapped.push_back(
        {setting, "--partman-names: partman names new partitions its own way (" + p.table + "_p20261125, " +
                      p.table + "_p1000); existing ones are adopted by their bounds, not their names"});
    return;
  }
  m.policy.partition_names = PartitionNames::pg_partman;
  if (integer) {
    m.mapped.push_back({setting, names_option(m.policy) +
                                     " (new partitions named as pg_partman names them, by their lower bound, "
                                     "such as " +
                                     pg_partman_child_name(p.table, "1000") + ")"});
    return;
  }
  if (format.empty() && m.problem.empty())
    format = pg_partman_datetime_string(m.policy.interval, value(p, "partition_interval"));
  const auto parsed = NameFormat::parse(format);
  if (!parsed) {
    problem(parsed.error() + "; HINT: import-pg-partman --partman-names imports it with partman's names");
    m.not_mapped.push_back({setting, parsed.error()});
    return;
  }
  m.policy.name_format = format;
  const Micros example = 20800 * k_micros_per_day; // 2026-12-13 00:00
  m.mapped.push_back({setting, names_option(m.policy) +
                                   " (new partitions named as pg_partman names them, such as " +
                                   pg_partman_child_name(p.table, parsed->suffix(example)) + ")"});
}

// Lists the settings that have no partman equivalent, or none yet.
void list_not_mapped(const PgPartmanParent& p, PgPartmanMapping& m)
{
  const auto note = [&](const std::string& column, const std::string& setting, const std::string& reason) {
    if (!value(p, column).empty())
      m.not_mapped.push_back({setting, reason});
  };
  if (p.template_table.empty())
    note("template_table", "template_table " + value(p, "template_table"),
         "there is no such table: new partitions get no indexes from a template");
  const bool time = m.policy.shape != Shape::integer; // infinite_time_partitions concerns time only
  if (time && is_false(p, "infinite_time_partitions"))
    m.not_mapped.push_back(
        {"infinite_time_partitions false", "partman premakes from the clock even when no new data arrives"});
  else if (time && is_true(p, "infinite_time_partitions"))
    m.mapped.push_back({"infinite_time_partitions true", "partman always premakes from the clock"});
  if (value(p, "automatic_maintenance") == "off")
    m.not_mapped.push_back(
        {"automatic_maintenance off",
         "partman has no per-parent switch: 'partman apply' maintains every policy (name parents on apply "
         "to limit a run, or 'partman unmanage' this one)"});
  note("constraint_cols",
       "constraint_cols " + value(p, "constraint_cols") + ", optimize_constraint " +
           value(p, "optimize_constraint"),
       "partman adds no constraints on other columns to older partitions");
  note("publications", "publications " + value(p, "publications"),
       "partman adds new partitions to no publication (one that includes the parent covers its partitions)");
  if (is_true(p, "drop_cascade_fk"))
    m.not_mapped.push_back({"drop_cascade_fk true", "partman never drops with CASCADE"});
  note(
      "date_trunc_interval", "date_trunc_interval '" + value(p, "date_trunc_interval") + "'",
      "partman aligns partitions on its own boundaries (midnight, Monday, the first of the month, quarter or "
      "year); the check of existing partitions shows whether they line up");
  note("subscription_refresh", "subscription_refresh " + value(p, "subscription_refresh"),
       "partman refreshes no subscription");
  note("maintenance_order", "maintenance_order " + value(p, "maintenance_order"),
       "partman works on parents in parallel, in no set order");
}

// Maps the part_config_sub row of `p` onto its level-2 policy, as part_config's rows are mapped; its lines
// and its problem are marked as level 2.
void map_sub(const PgPartmanParent& p, PgPartmanMapping& m, const NamedZone& timezone, PartitionNames names,
             const ProblemSink& problem)
{
  PgPartmanMapping sub = map_pg_partman(*p.sub, timezone, names);
  const std::string key = value(*p.sub, "control");
  sub.policy.level = 2;
  sub.policy.partition_key = key;
  // pg_partman gives the partitions' own partitions its level-2 template's indexes (the parent's partitions,
  // partitioned, get none); partman gives them the parent's template's: the level-2 one becomes the parent's.
  const auto own = std::find_if(m.mapped.begin(), m.mapped.end(), [](const MappedOption& o) {
    return o.setting.rfind("template_table", 0) == 0;
  });
  if (own != m.mapped.end() && (sub.policy.template_schema != m.policy.template_schema ||
                                sub.policy.template_table != m.policy.template_table)) {
    m.not_mapped.push_back({own->setting,
                            "pg_partman gives its indexes to no partition (they are partitioned); "
                            "the level-2 template_table is partman's --template-table"});
    m.mapped.erase(own);
  }
  m.policy.template_schema = std::exchange(sub.policy.template_schema, "");
  m.policy.template_table = std::exchange(sub.policy.template_table, "");
  const std::string mark = "level 2: ";
  m.mapped.push_back(
      {mark + "control " + key, "--subpartition-by " + sub_by_word(sub.policy) +
                                    " (new partitions are created partitioned, with their own partitions)"});
  for (auto& line : sub.mapped) {
    if (key == value(p, "control") && line.setting.rfind("start", 0) == 0)
      line.outcome = "none: on the parent's own key each partition's partitions cover its whole range "
                     "(pg_partman makes only those its premake reaches; the first apply adds the others)";
    if (line.setting.rfind("template_table", 0) == 0)
      line.outcome = "the parent's --template-table " + template_word(m.policy) +
                     " (partman's level 2 uses it: its unique indexes go to the partitions' own partitions)";
    m.mapped.push_back({mark + line.setting, line.outcome});
  }
  for (const auto& line : sub.not_mapped)
    m.not_mapped.push_back({mark + line.setting, line.outcome});
  if (!sub.problem.empty())
    problem("level 2 (part_config_sub): " + sub.problem);
  m.sub_intervals = sub.intervals;
  m.policy.sub = std::make_shared<const Policy>(std::move(sub.policy));
}

} // namespace

PgPartmanMapping map_pg_partman(const PgPartmanParent& p, const NamedZone& timezone, PartitionNames names)
{
  PgPartmanMapping m;
  m.policy.schema = p.schema;
  m.policy.table = p.table;
  m.policy.timezone = timezone;
  m.policy.retention_action = RetentionAction::detach;
  const std::string type = value(p, "partition_type");
  const std::string epoch = value(p, "epoch").empty() ? "none" : value(p, "epoch");
  const std::string control = value(p, "control");

  // The first reason stands: later ones are often its consequences.
  const auto problem = [&m](const std::string& text) {
    if (m.problem.empty())
      m.problem = text;
  };
  if (p.schema.empty())
    problem("pg_partman's part_config names " + p.parent_table + ", but there is no such table");
  if (is_true(p, "undo_in_progress"))
    problem("pg_partman is undoing this partition set (undo_in_progress); HINT: let undo_partition finish "
            "first");
  if (type == "partman")
    problem("trigger-based (non-native) partitioning: partman manages declarative partitioning only; HINT: "
            "move the set to native partitioning first");
  else if (type == "list")
    problem("LIST partitioning: not yet supported by this partman");
  if (!p.sub_partition_of.empty())
    problem("a sub-partition set of " + p.sub_partition_of + " (part_config_sub): the level-2 policy of " +
            p.sub_partition_of + " keeps it, not a policy of its own; HINT: import " + p.sub_partition_of);
  if (epoch != "none") {
    const auto unit = parse_epoch_unit(epoch);
    if (!unit)
      problem("epoch '" + epoch + "': partman reads epoch seconds and milliseconds only");
    else if (!p.control_type.empty() && !is_integer_type(p.control_type))
      problem("epoch '" + epoch + "' on a " + p.control_type +
              " key: partman reads epoch time from integer keys");
    m.policy.shape = Shape::epoch;
    m.policy.epoch_unit = unit ? *unit : EpochUnit::seconds;
  } else if (is_integer_type(p.control_type)) {
    m.policy.shape = Shape::integer;
  } else if (!p.schema.empty() && p.control_type.empty()) {
    problem("the control column '" + control + "' is not a column of " + p.parent_table);
  } else if (!p.schema.empty() && !is_time_type(p.control_type)) {
    problem("the control column '" + control + "' has type " + p.control_type +
            "; HINT: partman plans timestamptz, timestamp, date, smallint, integer and bigint keys");
  }

  const std::string raw_interval = value(p, "partition_interval");
  if (m.policy.shape == Shape::integer) {
    const auto width = parse_positive(raw_interval, "width");
    if (width) {
      m.policy.width = *width;
      m.mapped.push_back({"partition_interval '" + raw_interval + "'", "--interval " + raw_interval});
    } else {
      m.not_mapped.push_back({"partition_interval '" + raw_interval + "'", width.error()});
      problem("partition_interval: " + width.error());
    }
  } else if (p.interval) {
    map_interval(p, m, problem);
  } else {
    m.not_mapped.push_back(
        {"partition_interval '" + raw_interval + "'", m.problem.empty() ? "not a time interval" : m.problem});
  }
  const std::string premake = value(p, "premake");
  if (!premake.empty()) {
    m.policy.premake = std::stoi(premake);
    m.mapped.push_back({"premake " + premake, "--premake " + premake});
  }
  map_retention(p, m, problem);
  if (m.policy.shape == Shape::epoch)
    m.mapped.push_back({"epoch '" + epoch + "'",
                        "--epoch " + epoch + " (the key " + sql_word(control) + " holds epoch time)"});
  else if (!p.control_type.empty())
    m.mapped.push_back(
        {"epoch none", "the key " + sql_word(control) + " holds " + p.control_type + " values"});
  if (m.policy.shape == Shape::integer) {
    m.policy.timezone = NamedZone(); // UTC: no time in integer ranges
    m.mapped.push_back({"start (no such setting)", "none: existing partitions are kept; premake counts "
                                                   "from the largest value present, as in pg_partman"});
  } else {
    m.mapped.push_back({"time zone (the session's TimeZone)",
                        "--timezone " + timezone.name() + " (the database's TimeZone)"});
    m.mapped.push_back(
        {"start (no such setting)", "none: existing partitions are kept, none is made before now"});
  }
  map_children(p, m);
  if (m.policy.shape != Shape::list && (p.interval || m.policy.shape == Shape::integer))
    map_names(p, m, names, problem);
  list_not_mapped(p, m);
  if (p.sub)
    map_sub(p, m, timezone, names, problem);
  return m;
}

void choose_interval(PgPartmanMapping& m, std::size_t index, int level)
{
  const std::string setting = level == 2 ? "level 2: partition_interval" : "partition_interval";
  Interval chosen;
  if (level == 2) {
    auto sub = std::make_shared<Policy>(*m.policy.sub);
    chosen = sub->interval = m.sub_intervals.at(index);
    m.policy.sub = std::move(sub);
  } else {
    chosen = m.policy.interval = m.intervals.at(index);
  }
  for (auto& line : m.mapped) {
    if (line.setting.rfind(setting, 0) == 0)
      line.outcome = "--interval '" + chosen.text() + "'";
  }
}

std::string names_option(const Policy& policy)
{
  return "--partition-names " + shell_word(partition_names_text(policy));
}

std::string manage_command(const Policy& policy)
{
  const bool integer = policy.shape == Shape::integer;
  std::string out = "manage " + shell_word(sql_word(policy.schema) + "." + sql_word(policy.table));
  if (policy.level == 2)
    out += " --subpartition-by " + sub_by_word(policy);
  if (policy.shape == Shape::epoch)
    out += std::string(" --epoch ") + to_string(policy.epoch_unit);
  out += " --interval " + shell_word(integer ? std::to_string(policy.width) : policy.interval.text()) +
         " --premake " + std::to_string(policy.premake);
  if (policy.retention || (integer && policy.keep_last)) {
    out += " --retention " +
           shell_word(integer ? std::to_string(*policy.keep_last) : policy.retention->text()) +
           " --retention-action " + to_string(policy.retention_action);
    if (!policy.retention_schema.empty())
      out += " --retention-schema " + shell_word(policy.retention_schema);
  }
  if (!integer)
    out += " --timezone " + shell_word(policy.timezone.name());
  if (!policy.inherit_privileges)
    out += " --no-inherit-privileges";
  if (!policy.template_table.empty())
    out += " --template-table " + template_word(policy);
  if (policy.default_partition)
    out += " --default-partition";
  if (policy.partition_names != PartitionNames::partman)
    out += " " + names_option(policy);
  return out;
}

} // namespace partman::core
