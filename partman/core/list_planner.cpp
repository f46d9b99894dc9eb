#include "partman/core/list_planner.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "partman/core/action_sql.hpp"
#include "partman/core/children.hpp"
#include "partman/core/names.hpp"
#include "partman/core/planning.hpp"
#include "partman/core/removal_guard.hpp"
#include "partman/core/render.hpp"

namespace partman::core {

bool plan_list(Planning& ctx)
{
  const ParentSnapshot& parent = ctx.parent;
  const Policy& policy = ctx.policy;
  ParentPlan& pp = ctx.pp;
  const std::vector<std::string>* wanted = &policy.values;
  if (!policy.values_query.empty()) {
    if (!parent.values_error.empty()) {
      pp.error = parent.values_error;
      return false;
    }
    wanted = &parent.queried_values;
  }
  std::unordered_map<std::string, const Child*> holder;
  std::unordered_set<std::string> names(parent.taken_names.begin(), parent.taken_names.end());
  std::vector<const Child*> listed;
  for (const auto& c : parent.children) {
    names.insert(c.name);
    if (c.is_default)
      continue;
    listed.push_back(&c);
    for (const auto& v : c.values())
      holder.emplace(v, &c);
  }
  std::sort(listed.begin(), listed.end(), [](const Child* a, const Child* b) { return a->name < b->name; });
  const std::string prefix = policy_child_prefix(policy);
  std::size_t creates = 0;
  for (const auto& v : *wanted) {
    if (holder.count(v))
      continue;
    if (++creates > static_cast<std::size_t>(k_max_creates_per_parent)) {
      pp.error = "the list names more than " + std::to_string(k_max_creates_per_parent) +
                 " values without a partition; HINT: partman creates at most that many per run";
      pp.actions.clear();
      return false;
    }
    std::string name;
    for (int hash : {0, 8, 16}) {
      name = prefix + value_suffix(parent.key_type, v, hash);
      if (!names.count(name) || unfinished_move(parent, name))
        break;
    }
    if (names.count(name) && !unfinished_move(parent, name)) {
      pp.notes.push_back({NoteLevel::warning, "cannot create " + quote_qualified(parent.schema, name) +
                                                  " for value " + quote_literal(v) +
                                                  ": a table of that name exists and is not this partition; "
                                                  "HINT: rename or drop it, or attach it yourself"});
      continue;
    }
    names.insert(name);
    const std::string literal = list_literal(parent.key_type, v);
    Action a = create_action(ctx, name, "FOR VALUES IN (" + literal + ")",
                             values_condition(parent.key_column, literal), "listed value " + literal);
    a.values = {v};
    a.value_type = parent.key_type;
    pp.actions.push_back(std::move(a));
  }
  note_default_rows(ctx);
  const std::unordered_set<std::string> keep(wanted->begin(), wanted->end());
  for (const Child* child : listed) {
    const bool gone =
        !child->values().empty() && std::none_of(child->values().begin(), child->values().end(),
                                                 [&keep](const std::string& v) { return keep.count(v) > 0; });
    const bool remove =
        gone && policy.list_retention != ListRetention::keep && !referenced_removal(ctx, *child);
    if (child->detach_pending) {
      pp.actions.push_back(finalize_action(ctx, *child, remove));
    } else if (remove) {
      pp.actions.push_back(
          removal_action(ctx, *child,
                         "no longer listed: " + values_text(parent.key_type, child->values()) +
                             " (list retention " + to_string(policy.list_retention) + ")"));
    } else {
      if (gone)
        pp.notes.push_back({NoteLevel::info, quote_qualified(child->schema, child->name) +
                                                 " holds values no longer listed (" +
                                                 values_text(parent.key_type, child->values()) +
                                                 "); it stays (list retention keep)"});
      continue;
    }
    pp.actions.back().values = child->values();
    pp.actions.back().value_type = parent.key_type;
  }
  return true;
}

} // namespace partman::core
