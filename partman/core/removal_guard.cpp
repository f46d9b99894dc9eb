#include "partman/core/removal_guard.hpp"

#include <algorithm>

#include "partman/core/names.hpp"
#include "partman/core/planning.hpp"

namespace partman::core {

namespace {

// Counts the partitions a plan removes, and adds its creates to `partitions`.
std::size_t count_removals(const ParentPlan& pp, std::size_t& partitions)
{
  std::size_t removals = 0;
  for (const auto& a : pp.actions) {
    removals += a.kind == ActionKind::drop || a.kind == ActionKind::detach || a.kind == ActionKind::archive;
    partitions += a.kind == ActionKind::create;
  }
  return removals;
}

// Returns why removing `removals` of `partitions` partitions is refused (empty: it is not): too large a
// share, or else the clock (PlanOptions::hold_removals); `of` names them.
std::string refusal(std::size_t removals, std::size_t partitions, const std::string& of,
                    const PlanOptions& options)
{
  const std::size_t percent = static_cast<std::size_t>(std::max(options.max_removal_percent, 0));
  if (options.force || removals == 0)
    return {};
  if (removals < 2 || removals * 100 <= partitions * percent)
    return options.hold_removals; // the clock's reason, when there is one
  return "would drop or detach " + std::to_string(removals) + " of " + std::to_string(partitions) +
         " partitions" + of + ", more than " + std::to_string(options.max_removal_percent) +
         "%, so only its creates are applied; HINT: check the retention and the clock, then rerun with "
         "--force (or raise --max-removal)";
}

} // namespace

bool referenced_removal(Planning& ctx, const Child& child)
{
  if (child.referenced_by().empty() || ctx.removal.action == RetentionAction::detach)
    return false;
  ctx.pp.notes.push_back(
      {NoteLevel::warning, quote_qualified(child.schema, child.name) +
                               " is due for removal but is referenced by foreign key " +
                               child.referenced_by() +
                               ", so it is left in place (its DROP TABLE would fail after the detach); HINT: "
                               "drop or change that constraint, or use --retention-action detach"});
  return true;
}

void guard_removals(std::size_t existing, const PlanOptions& options, ParentPlan& pp)
{
  std::size_t partitions = existing;
  const std::size_t removals = count_removals(pp, partitions);
  pp.refused = refusal(removals, partitions, "", options);
}

std::size_t ranged_count(const ParentSnapshot& parent)
{
  return static_cast<std::size_t>(std::count_if(parent.children.begin(), parent.children.end(),
                                                [](const Child& c) { return !c.is_default; }));
}

void guard_sub_removals(const std::vector<ParentSnapshot>& parents, std::size_t from, std::size_t to,
                        const PlanOptions& options, Plan& plan)
{
  std::size_t removals = 0;
  std::size_t partitions = 0;
  std::vector<std::size_t> removing; // the plans that remove something
  for (std::size_t i = from; i < to; ++i) {
    partitions += ranged_count(parents[i]);
    if (const std::size_t n = count_removals(plan.parents[i], partitions); n > 0) {
      removals += n;
      removing.push_back(i);
    }
  }
  const std::string why =
      refusal(removals, partitions, " of the partitions of " + plan.parents[from].partition_of, options);
  for (const std::size_t i : removing)
    plan.parents[i].refused = why;
}

bool removes(const ParentPlan& outer, const std::string& schema, const std::string& name)
{
  return outer.refused.empty() &&
         std::any_of(outer.actions.begin(), outer.actions.end(), [&](const Action& a) {
           return a.kind != ActionKind::create && a.schema == schema && a.name == name;
         });
}

} // namespace partman::core
