// Saved plans: `plan --out FILE` writes one, `apply --plan FILE` runs it only while it still holds.
#pragma once

#include <string>
#include <vector>

#include "partman/core/plan.hpp"

namespace partman::run {

// A plan saved by `plan --out`: when and for which parents it was made, and from what.
struct SavedPlan
{
  std::string path;                          // where it was read from, for messages
  core::Micros at = 0;                       // the "now" it was made at
  std::vector<std::string> parents;          // as written in the plan ("schema"."table")
  std::string fingerprint;                   // of the catalog and policies it was made from
  std::vector<std::vector<std::string>> sql; // each action's statements, in order
};

// Writes `text` to `path` through a temporary file and a rename, so a reader never sees half a plan.
void write_plan_file(const std::string& path, const std::string& text);
// Reads a plan saved at `path`; UsageError when it cannot be read or is not a partman plan of this version.
SavedPlan read_saved_plan(const std::string& path);
// Throws UsageError unless `plan` is exactly what `saved` promised (same fingerprint, same statements).
void check_saved_plan(const SavedPlan& saved, const core::Plan& plan);

} // namespace partman::run
