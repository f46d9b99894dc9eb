#include "partman/run/manage_options.hpp"

#include <algorithm>
#include <cctype>

#include "partman/archive/storage.hpp"
#include "partman/core/errors.hpp"
#include "partman/core/names.hpp"
#include "partman/core/pg_partman_names.hpp"
#include "partman/core/planner.hpp"
#include "partman/core/timepoint.hpp"

namespace partman::run {

namespace {

template <typename T> T value_or_usage(const core::Result<T>& r, const std::string& option)
{
  if (!r)
    throw UsageError(option + ": " + r.error());
  return *r;
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

// Returns the values of --values (split at commas, spaces around each trimmed) and --value (as given).
std::vector<std::string> listed_values(const ManageOptions& a)
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

} // namespace

bool is_none(const std::string& text)
{
  return text == "none" || text == "NONE";
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

// Applies the options that mean the same for every shape on top of `p` (the current policy or the
// defaults); they are checked before anything connects.
void apply_common_options(const ManageOptions& a, core::Policy& p)
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
    p.timezone = core::NamedZone(a.timezone);
  value_or_usage(core::find_zone(p.timezone.name()), "--timezone");
  if (!a.epoch.empty() && !is_none(a.epoch))
    p.epoch_unit = value_or_usage(core::parse_epoch_unit(a.epoch), "--epoch");
  if (!a.list_retention.empty())
    p.list_retention = value_or_usage(core::parse_list_retention(a.list_retention), "--list-retention");
  if (!a.partition_names.empty()) {
    const auto [names, format] =
        value_or_usage(core::parse_partition_names(a.partition_names), "--partition-names");
    if (!format.empty())
      value_or_usage(core::NameFormat::parse(format), "--partition-names");
    p.partition_names = names;
    p.name_format = format;
  }
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
core::Shape choose_shape(const ManageOptions& a, const core::Policy& current, bool found,
                         const core::ParentSnapshot& parent)
{
  const std::string key =
      core::quote_ident(parent.key_column) + " of " + core::quote_qualified(parent.schema, parent.table);
  if (parent.strategy == core::Strategy::list) {
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
void apply_shape_options(const ManageOptions& a, core::Policy& p, bool changed,
                         const core::ParentSnapshot& parent)
{
  const std::string key = core::quote_ident(parent.key_column) + " of " + p.parent_sql();
  const auto zone = p.timezone.rules();
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
      if (a.partition_names.empty())
        p.name_format.clear(); // pg_partman names integer ranges by their lower bound
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

} // namespace partman::run
