#include "partman/core/subpartitions.hpp"

#include "partman/core/names.hpp"

#include <algorithm>

namespace partman::core {

bool same_range_key(const ParentSnapshot& outer, const Policy& sub)
{
  return outer.strategy == Strategy::range && sub.shape != Shape::list &&
         sub.partition_key == outer.key_column;
}

std::vector<SubParent> sub_parents(const std::vector<ParentSnapshot>& parents,
                                   const std::vector<Policy>& policies)
{
  std::vector<SubParent> out;
  for (std::size_t i = 0; i < policies.size() && i < parents.size(); ++i) {
    if (!policies[i].sub)
      continue;
    const auto& children = parents[i].children;
    const std::size_t from = out.size();
    for (std::size_t c = 0; c < children.size(); ++c) {
      if (children[c].partitioned && !children[c].is_default)
        out.push_back({sub_policy_for(policies[i], children[c].schema, children[c].name), i, c});
    }
    std::sort(out.begin() + from, out.end(), [&children](const SubParent& a, const SubParent& b) {
      return children[a.child].name < children[b.child].name;
    });
  }
  return out;
}

void set_outer(ParentSnapshot& inner, const ParentSnapshot& outer, const Child& child, const Policy& sub)
{
  inner.outer_schema = outer.schema;
  inner.outer_table = outer.table;
  inner.within = same_range_key(outer, sub);
  inner.within_lower = child.lower;
  inner.within_upper = child.upper;
}

ParentSnapshot new_sub_parent(const ParentSnapshot& outer, const Policy& sub, const std::string& name,
                              const std::optional<Micros>& lower, const std::optional<Micros>& upper)
{
  ParentSnapshot inner;
  inner.schema = outer.schema;
  inner.table = name;
  inner.exists = true;
  inner.partitioned = true;
  inner.strategy = sub.shape == Shape::list ? Strategy::list : Strategy::range;
  inner.key_count = 1;
  inner.key_column = sub.partition_key;
  inner.key_type_name = outer.sub_key_type_name;
  inner.key_type = outer.sub_key_type;
  inner.taken_names = outer.taken_names; // its partitions' names start with its own
  inner.queried_values = outer.sub_queried_values;
  inner.values_error = outer.sub_values_error;
  inner.properties = outer.properties;
  inner.properties.referenced_by.clear();
  Child self;
  self.lower = lower;
  self.upper = upper;
  set_outer(inner, outer, self, sub);
  return inner;
}

std::string partitioned_otherwise(const ParentSnapshot& ps, const std::string& key, Strategy strategy)
{
  if (ps.key_column == key && ps.strategy == strategy)
    return "";
  const char* by = ps.strategy == Strategy::none ? "RANGE" : to_string(ps.strategy);
  return std::string("partitioned BY ") + by + " (" + quote_ident(ps.key_column) + ")";
}

} // namespace partman::core
