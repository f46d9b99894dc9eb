// Shared fixtures of the tests of pg_partman's map: a part_config row, and the map's lines as one text.
#pragma once

#include <string>
#include <vector>

#include "partman/core/pg_partman_map.hpp"

namespace partman::test {

// Returns a part_config row of pg_partman 4.7 for a native daily parent public.ev on a timestamptz key.
inline core::PgPartmanParent daily_row()
{
  core::PgPartmanParent p;
  p.parent_table = "public.ev";
  p.schema = "public";
  p.table = "ev";
  p.control_type = "timestamp with time zone";
  p.values = {{"parent_table", "public.ev"},
              {"control", "at"},
              {"partition_type", "native"},
              {"partition_interval", "1 day"},
              {"premake", "4"},
              {"epoch", "none"},
              {"retention_keep_table", "true"},
              {"retention_keep_index", "true"},
              {"infinite_time_partitions", "false"},
              {"datetime_string", "YYYY_MM_DD"},
              {"automatic_maintenance", "on"},
              {"template_table", "partman.template_public_ev"},
              {"inherit_privileges", "false"},
              {"undo_in_progress", "false"}};
  p.interval = core::PgInterval{0, 1, 0};
  p.template_schema = "partman";
  p.template_table = "template_public_ev";
  return p;
}

// Sets a time retention as part_config holds it (`text`) and as the server casts it (`iv`).
inline void set_retention(core::PgPartmanParent& row, const std::string& text, core::PgInterval iv)
{
  row.values["retention"] = text;
  row.retention = iv;
}

// Returns whether `text` holds `part`.
inline bool contains(const std::string& text, const std::string& part)
{
  return text.find(part) != std::string::npos;
}

// Returns the map's lines, one "SETTING => OUTCOME" a line.
inline std::string settings(const std::vector<core::MappedOption>& options)
{
  std::string out;
  for (const auto& o : options)
    out += o.setting + " => " + o.outcome + "\n";
  return out;
}

} // namespace partman::test
