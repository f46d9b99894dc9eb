#include "partman/core/policy.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <stdexcept>

#include "partman/core/names.hpp"
#include "partman/core/pg_partman_names.hpp"
#include "partman/core/timepoint.hpp"

namespace partman::core {

std::string Policy::parent_sql() const
{
  return quote_qualified(schema, table);
}

const char* to_string(RetentionAction action)
{
  switch (action) {
  case RetentionAction::drop:
    return "drop";
  case RetentionAction::detach:
    return "detach";
  case RetentionAction::archive:
    return "archive";
  }
  return "?";
}

Result<RetentionAction> parse_retention_action(const std::string& text)
{
  if (text == "drop")
    return RetentionAction::drop;
  if (text == "detach")
    return RetentionAction::detach;
  if (text == "archive")
    return RetentionAction::archive;
  return Error{"invalid retention action '" + text + "'; HINT: use 'drop', 'detach' or 'archive'"};
}

const char* to_string(Shape shape)
{
  switch (shape) {
  case Shape::time:
    return "time";
  case Shape::integer:
    return "integer";
  case Shape::epoch:
    return "epoch";
  case Shape::list:
    return "list";
  }
  return "?";
}

Result<Shape> parse_shape(const std::string& text)
{
  for (Shape s : {Shape::time, Shape::integer, Shape::epoch, Shape::list}) {
    if (text == to_string(s))
      return s;
  }
  return Error{"invalid shape '" + text + "'; HINT: one of time, integer, epoch, list"};
}

const char* to_string(EpochUnit unit)
{
  switch (unit) {
  case EpochUnit::seconds:
    return "seconds";
  case EpochUnit::milliseconds:
    return "milliseconds";
  }
  return "?";
}

Result<EpochUnit> parse_epoch_unit(const std::string& text)
{
  if (text == "seconds" || text == "s")
    return EpochUnit::seconds;
  if (text == "milliseconds" || text == "ms")
    return EpochUnit::milliseconds;
  return Error{"invalid epoch unit '" + text + "'; HINT: use 'seconds' or 'milliseconds' (or 'none')"};
}

const char* to_string(ListRetention retention)
{
  switch (retention) {
  case ListRetention::keep:
    return "keep";
  case ListRetention::detach:
    return "detach";
  case ListRetention::drop:
    return "drop";
  case ListRetention::archive:
    return "archive";
  }
  return "?";
}

Result<ListRetention> parse_list_retention(const std::string& text)
{
  for (ListRetention r :
       {ListRetention::keep, ListRetention::detach, ListRetention::drop, ListRetention::archive}) {
    if (text == to_string(r))
      return r;
  }
  return Error{"invalid list retention '" + text + "'; HINT: use 'keep', 'detach', 'drop' or 'archive'"};
}

const char* to_string(PartitionNames names)
{
  switch (names) {
  case PartitionNames::partman:
    return "partman";
  case PartitionNames::pg_partman:
    return "pg_partman";
  }
  return "?";
}

std::string partition_names_text(const Policy& policy)
{
  const std::string names = to_string(policy.partition_names);
  return policy.name_format.empty() ? names : names + ":" + policy.name_format;
}

Result<std::pair<PartitionNames, std::string>> parse_partition_names(const std::string& text)
{
  if (text == "partman")
    return std::pair{PartitionNames::partman, std::string()};
  if (text == "pg_partman")
    return std::pair{PartitionNames::pg_partman, std::string()};
  const std::string head = "pg_partman:";
  if (text.size() > head.size() && text.compare(0, head.size(), head) == 0)
    return std::pair{PartitionNames::pg_partman, text.substr(head.size())};
  return Error{
      "invalid partition names '" + text +
      "'; HINT: use 'partman', 'pg_partman', or 'pg_partman:FORMAT' with pg_partman's datetime_string "
      "(pg_partman:YYYY_MM_DD)"};
}

Result<std::int64_t> parse_integer(const std::string& text, const char* what)
{
  std::size_t i = text[0] == '-' ? 1 : 0;
  bool digits = i < text.size();
  for (std::size_t k = i; k < text.size(); ++k)
    digits = digits && std::isdigit(static_cast<unsigned char>(text[k]));
  if (text.empty() || !digits)
    return Error{std::string("invalid ") + what + " '" + text + "': not a whole number"};
  try {
    return static_cast<std::int64_t>(std::stoll(text));
  } catch (const std::out_of_range&) {
    return Error{std::string("invalid ") + what + " '" + text + "': out of the range of bigint"};
  }
}

Result<std::int64_t> parse_positive(const std::string& text, const char* what)
{
  auto n = parse_integer(text, what);
  if (n && *n < 1)
    return Error{std::string("invalid ") + what + " '" + text + "': it must be at least 1"};
  return n;
}

namespace {

// The column types partman plans, as format_type() prints them (the first of each KeyType is its name).
const std::pair<const char*, KeyType> k_key_types[] = {{"timestamp with time zone", KeyType::timestamptz},
                                                       {"timestamp without time zone", KeyType::timestamp},
                                                       {"date", KeyType::date},
                                                       {"smallint", KeyType::smallint},
                                                       {"integer", KeyType::integer},
                                                       {"bigint", KeyType::bigint},
                                                       {"text", KeyType::text},
                                                       {"character varying", KeyType::text},
                                                       {"uuid", KeyType::uuid}};

// Returns the name of a key type, for messages that have no column type name at hand.
std::string key_type_text(KeyType key_type)
{
  for (const auto& [name, type] : k_key_types) {
    if (type == key_type)
      return name;
  }
  return "a type partman does not plan";
}

} // namespace

KeyType key_type_from_sql(const std::string& type_name)
{
  for (const auto& [name, type] : k_key_types) {
    if (type_name == name)
      return type;
  }
  if (type_name.rfind("character varying(", 0) == 0)
    return KeyType::text;
  return KeyType::unsupported;
}

bool is_integer_key(KeyType type)
{
  return type == KeyType::smallint || type == KeyType::integer || type == KeyType::bigint;
}

bool is_time_key(KeyType type)
{
  return type == KeyType::timestamptz || type == KeyType::timestamp || type == KeyType::date;
}

std::pair<std::int64_t, std::int64_t> integer_key_range(KeyType type)
{
  if (type == KeyType::smallint)
    return {std::numeric_limits<std::int16_t>::min(), std::numeric_limits<std::int16_t>::max()};
  if (type == KeyType::integer)
    return {std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max()};
  return {std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()};
}

namespace {

// Returns what removal does, "drop", "detach to schema "s"" or "archive to URI".
std::string removal_words(const Policy& policy, const char* action)
{
  std::string s = action;
  if (s == "detach" && !policy.retention_schema.empty())
    s += " to schema " + quote_ident(policy.retention_schema);
  if (s == "archive")
    s += " to " + policy.archive_to;
  return s;
}

} // namespace

namespace {

// Returns how the policy cuts its parent, in a few words.
std::string shape_summary(const Policy& policy)
{
  std::string s;
  switch (policy.shape) {
  case Shape::time:
  case Shape::epoch:
    s = policy.interval.text();
    if (policy.shape == Shape::epoch)
      s += std::string(" on epoch ") + to_string(policy.epoch_unit);
    s += ", premake " + std::to_string(policy.premake);
    if (policy.retention)
      s += ", retention " + policy.retention->text() + " (" +
           removal_words(policy, to_string(policy.retention_action)) + ")";
    return s + ", " + policy.timezone.name();
  case Shape::integer:
    s = "width " + std::to_string(policy.width) + ", premake " + std::to_string(policy.premake);
    if (policy.keep_last)
      s += ", retention " + std::to_string(*policy.keep_last) + " (" +
           removal_words(policy, to_string(policy.retention_action)) + ")";
    if (policy.start_value)
      s += ", start " + std::to_string(*policy.start_value);
    return s;
  case Shape::list:
    s = policy.values_query.empty() ? "list of " + std::to_string(policy.values.size()) + " value(s)"
                                    : "list from a query";
    return s + ", unlisted values: " + removal_words(policy, to_string(policy.list_retention));
  }
  return s;
}

} // namespace

Removal removal_of(const Policy& policy)
{
  Removal out{policy.retention_action, policy.retention_schema, policy.archive_to};
  if (policy.shape == Shape::list)
    out.action = policy.list_retention == ListRetention::drop      ? RetentionAction::drop
                 : policy.list_retention == ListRetention::archive ? RetentionAction::archive
                                                                   : RetentionAction::detach;
  return out;
}

std::string policy_summary(const Policy& policy)
{
  std::string s = shape_summary(policy);
  if (policy.default_partition)
    s += ", default partition";
  if (!policy.template_table.empty())
    s += ", template " + quote_qualified(policy.template_schema, policy.template_table);
  if (!policy.inherit_privileges)
    s += ", privileges not inherited";
  if (policy.partition_names == PartitionNames::pg_partman)
    s += ", pg_partman's names" +
         (policy.shape == Shape::integer ? std::string() : " (" + policy_name_format(policy) + ")");
  if (policy.sub)
    s += "; partitions sub-partitioned BY " + sub_partition_clause(*policy.sub) + ": " +
         policy_summary(*policy.sub);
  return s;
}

std::string sub_partition_clause(const Policy& sub)
{
  return std::string(sub.shape == Shape::list ? "LIST (" : "RANGE (") + quote_ident(sub.partition_key) + ")";
}

Policy sub_policy_for(const Policy& outer, const std::string& schema, const std::string& name)
{
  Policy p = *outer.sub;
  p.schema = schema;
  p.table = name;
  // The leaves are where the unique indexes of the parent's template table can live.
  p.template_schema = outer.template_schema;
  p.template_table = outer.template_table;
  return p;
}

std::string check_values_query(const std::string& query)
{
  // Skips white space, comments and opening parentheses: the first word is the statement's kind.
  std::size_t i = 0;
  while (i < query.size()) {
    if (std::isspace(static_cast<unsigned char>(query[i])) || query[i] == '(')
      ++i;
    else if (query.compare(i, 2, "--") == 0)
      i = std::min(query.find('\n', i), query.size());
    else if (query.compare(i, 2, "/*") == 0)
      i = std::min(query.find("*/", i + 2), query.size() - 2) + 2;
    else
      break;
  }
  std::size_t end = i;
  while (end < query.size() && std::isalpha(static_cast<unsigned char>(query[end])))
    ++end;
  std::string word = query.substr(i, end - i);
  for (auto& c : word)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (word != "SELECT" && word != "WITH" && word != "VALUES" && word != "TABLE")
    return "--values-query must be one SELECT (or WITH, VALUES, TABLE) statement, not '" +
           query.substr(0, std::min<std::size_t>(query.size(), 40)) +
           "'; HINT: for example --values-query 'SELECT code FROM regions'";
  return {};
}

std::string check_policy_fits(const Policy& policy, Strategy strategy, KeyType key_type,
                              const std::string& key_type_name)
{
  if (policy.shape == Shape::list && strategy != Strategy::list)
    return policy.parent_sql() + " is not partitioned BY LIST; HINT: its policy is a LIST policy; 'partman "
                                 "manage' it again";
  if (policy.shape != Shape::list && strategy != Strategy::range)
    return policy.parent_sql() + " is not partitioned BY RANGE";
  return validate_policy(policy, key_type, key_type_name);
}

namespace {

// Returns why the policy's partition names cannot be made, or "".
std::string check_partition_names(const Policy& policy)
{
  if (policy.partition_names == PartitionNames::partman)
    return policy.name_format.empty()
               ? ""
               : "a name format is for pg_partman's names (--partition-names pg_partman)";
  switch (policy.shape) {
  case Shape::time:
  case Shape::epoch:
    break;
  case Shape::integer:
    return policy.name_format.empty()
               ? ""
               : "pg_partman names integer ranges by their lower bound, without a name format; HINT: "
                 "give partition_names 'pg_partman' (--partition-names pg_partman)";
  case Shape::list:
    return "pg_partman's partition names are for RANGE parents, and " + policy.parent_sql() +
           " is partitioned BY LIST; HINT: give partition_names 'partman' (--partition-names partman)";
  }
  const auto format = NameFormat::parse(policy_name_format(policy));
  return !format ? format.error() : format->conflict(policy.interval);
}

} // namespace

std::string validate_policy(const Policy& policy, KeyType key_type, const std::string& key_type_name)
{
  const std::string parent = policy.parent_sql();
  const std::string type = key_type_name.empty() ? key_type_text(key_type) : key_type_name;
  if (key_type == KeyType::unsupported)
    return "the partition key of " + parent + " is of type " + type +
           ", which partman does not plan; HINT: RANGE keys of type timestamptz, timestamp, date, "
           "smallint, integer or bigint, and LIST keys of type text, varchar, smallint, integer, bigint, "
           "uuid or date";
  switch (policy.shape) {
  case Shape::time:
    if (!is_time_key(key_type))
      return "the policy of " + parent + " plans time ranges, but its key is of type " + type +
             ", not timestamptz, timestamp or date; HINT: " +
             (is_integer_key(key_type)
                  ? "for an integer key give a width (--interval 1000) or --epoch "
                    "seconds|milliseconds"
                  : "partman plans RANGE partitions on time and integer keys; a " + type +
                        " key can be partitioned BY LIST, one partition per value");
    if (key_type == KeyType::date && policy.interval.sub_day())
      return "interval '" + policy.interval.text() + "' is shorter than a day, but the key of " + parent +
             " is a date; HINT: use '1 day' or longer";
    break;
  case Shape::epoch:
    if (key_type == KeyType::smallint || !is_integer_key(key_type))
      return "--epoch needs an integer or bigint key, but the key of " + parent + " is of type " + type +
             "; HINT: epoch seconds fit integer (until 2038) or bigint";
    if (policy.epoch_unit == EpochUnit::milliseconds && key_type != KeyType::bigint)
      return "--epoch milliseconds needs a bigint key, but the key of " + parent +
             " is an integer; HINT: use --epoch seconds, or make the column bigint";
    break;
  case Shape::integer:
    if (!is_integer_key(key_type))
      return "the policy of " + parent + " plans integer ranges, but its key is of type " + type +
             ", not smallint, integer or bigint; HINT: " +
             (is_time_key(key_type) ? "give a time interval such as --interval daily"
                                    : "partman plans RANGE partitions on time and integer keys; a " + type +
                                          " key can be partitioned BY LIST, one partition per value");
    if (policy.width < 1)
      return "invalid width " + std::to_string(policy.width) + " for " + parent + ": it must be at least 1";
    if (policy.keep_last && *policy.keep_last < policy.width)
      return "retention " + std::to_string(*policy.keep_last) + " is smaller than the width " +
             std::to_string(policy.width) + "; HINT: keep at least one whole partition";
    break;
  case Shape::list:
    if (!is_integer_key(key_type) && key_type != KeyType::text && key_type != KeyType::uuid &&
        key_type != KeyType::date)
      return "partman plans LIST keys of type text, varchar, smallint, integer, bigint, uuid or date, and "
             "the key of " +
             parent + " is of type " + type;
    if (policy.values.empty() && policy.values_query.empty())
      return "the LIST policy of " + parent +
             " names no values; HINT: pass --values a,b,c, --value X (repeatable) or --values-query 'SELECT "
             "...'";
    if (!policy.values.empty() && !policy.values_query.empty())
      return "the LIST policy of " + parent + " has both values and a values query; HINT: keep one of them";
    if (!policy.values_query.empty())
      if (auto problem = check_values_query(policy.values_query); !problem.empty())
        return problem;
    if (policy.list_retention == ListRetention::archive && policy.archive_to.empty())
      return "list retention 'archive' needs a storage location; HINT: pass --archive-to "
             "file:///backup/partman or --archive-to s3://bucket/prefix";
    break;
  }
  if (policy.shape != Shape::list && (policy.premake < 1 || policy.premake > k_max_premake))
    return "invalid premake " + std::to_string(policy.premake) + ": it must be between 1 and " +
           std::to_string(k_max_premake);
  if (policy.shape != Shape::integer && policy.shape != Shape::list && policy.retention &&
      policy.retention->approx_micros() < policy.interval.approx_micros())
    return "retention '" + policy.retention->text() + "' is shorter than one interval ('" +
           policy.interval.text() + "'); HINT: keep at least one whole partition";
  if (policy.retention_action == RetentionAction::archive && policy.archive_to.empty())
    return "retention action 'archive' needs a storage location; HINT: pass --archive-to "
           "file:///backup/partman or --archive-to s3://bucket/prefix";
  if (auto problem = check_partition_names(policy); !problem.empty())
    return problem;
  if (!policy.timezone.rules())
    return unknown_zone_error(policy.timezone.name());
  return {};
}

} // namespace partman::core
