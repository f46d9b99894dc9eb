#include "partman/core/planning.hpp"

#include <algorithm>

#include "partman/core/names.hpp"

namespace partman::core {

const Child* default_partition(const ParentSnapshot& parent)
{
  for (const auto& c : parent.children) {
    if (c.is_default)
      return &c;
  }
  return nullptr;
}

std::vector<const Child*> ranged_children(const ParentSnapshot& parent)
{
  std::vector<const Child*> out;
  for (const auto& child : parent.children) {
    if (!child.is_default)
      out.push_back(&child);
  }
  const auto by_lower = [](const Child* a, const Child* b) {
    if (!a->lower || !b->lower)
      return !a->lower && b->lower;
    return *a->lower < *b->lower;
  };
  if (!std::is_sorted(out.begin(), out.end(), by_lower))
    std::sort(out.begin(), out.end(), by_lower);
  return out;
}

std::vector<const Child*> overlapping(const std::vector<const Child*>& sorted, const Bound& lo,
                                      const Bound& hi)
{
  auto it = std::partition_point(sorted.begin(), sorted.end(),
                                 [&lo](const Child* c) { return lo && c->upper && *c->upper <= *lo; });
  std::vector<const Child*> out;
  for (; it != sorted.end() && (!(*it)->lower || !hi || *(*it)->lower < *hi); ++it)
    out.push_back(*it);
  return out;
}

bool unfinished_move(const ParentSnapshot& parent, const std::string& name)
{
  const auto& names = parent.unfinished_moves;
  return std::find(names.begin(), names.end(), name) != names.end();
}

bool name_taken(const ParentSnapshot& parent, const std::string& name)
{
  return std::find(parent.taken_names.begin(), parent.taken_names.end(), name) != parent.taken_names.end() ||
         std::any_of(parent.children.begin(), parent.children.end(),
                     [&name](const Child& c) { return c.name == name; });
}

std::string default_unmovable(const Planning& ctx)
{
  if (!ctx.def)
    return {};
  if (!ctx.def->referenced_by().empty())
    return "it is referenced by foreign key " + ctx.def->referenced_by();
  if (!ctx.parent.properties.referenced_by.empty())
    return "the parent is referenced by foreign key " + ctx.parent.properties.referenced_by;
  return {};
}

void note_default_rows(Planning& ctx)
{
  const Child* def = ctx.def;
  const std::string unmovable = default_unmovable(ctx);
  if (def && !unmovable.empty() && !ctx.pp.actions.empty())
    ctx.pp.notes.push_back(
        {NoteLevel::warning, "rows cannot be moved out of default partition " +
                                 quote_qualified(def->schema, def->name) + ": " + unmovable +
                                 " (a DELETE would cascade or fail); it holds about " +
                                 std::to_string(std::max<std::int64_t>(def->estimated_count(), 0)) +
                                 " rows, and an attach fails if any of them belong to a new partition"});
}

} // namespace partman::core
