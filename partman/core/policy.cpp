#include "partman/core/policy.hpp"

#include "partman/core/names.hpp"
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

KeyType key_type_from_sql(const std::string& type_name)
{
  if (type_name == "timestamp with time zone")
    return KeyType::timestamptz;
  if (type_name == "timestamp without time zone")
    return KeyType::timestamp;
  if (type_name == "date")
    return KeyType::date;
  return KeyType::unsupported;
}

std::string validate_policy(const Policy& policy, KeyType key_type)
{
  if (key_type == KeyType::unsupported)
    return "the partition key of " + policy.parent_sql() +
           " is not of type timestamptz, timestamp or date; HINT: partman plans time ranges on such keys";
  if (key_type == KeyType::date && policy.interval.sub_day())
    return "interval '" + policy.interval.text() + "' is shorter than a day, but the key of " +
           policy.parent_sql() + " is a date; HINT: use '1 day' or longer";
  if (policy.premake < 1 || policy.premake > k_max_premake)
    return "invalid premake " + std::to_string(policy.premake) + ": it must be between 1 and " +
           std::to_string(k_max_premake);
  if (policy.retention && policy.retention->approx_micros() < policy.interval.approx_micros())
    return "retention '" + policy.retention->text() + "' is shorter than one interval ('" +
           policy.interval.text() + "'); HINT: keep at least one whole partition";
  if (policy.retention_action == RetentionAction::archive && policy.archive_to.empty())
    return "retention action 'archive' needs a storage location; HINT: pass --archive-to "
           "file:///backup/partman or --archive-to s3://bucket/prefix";
  if (auto zone = find_zone(policy.timezone); !zone)
    return zone.error();
  return {};
}

} // namespace partman::core
