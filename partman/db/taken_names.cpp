#include "partman/db/taken_names.hpp"

#include <algorithm>
#include <map>
#include <pqxx/pqxx>

#include "partman/core/names.hpp"
#include "partman/core/planner.hpp"
#include "partman/db/session.hpp"

namespace partman::db {

namespace {

// The relations that are not partitions in the schemas of parents ($1), whose names new children must
// avoid: an index range scan per parent, names from its child prefix ($2) up to (not including) the
// prefix with its final '_' raised to '`' ($3; names compare byte by byte).
const char* const k_taken_names_sql = R"sql(
SELECT n.nspname::text, x.relname::text
FROM unnest($1::text[], $2::text[], $3::text[]) AS p(sch, lo, hi)
JOIN pg_namespace n ON n.nspname = p.sch
CROSS JOIN LATERAL (SELECT c.relname FROM pg_class c
                    WHERE c.relname >= p.lo::name AND c.relname < p.hi::name AND c.relnamespace = n.oid
                      AND NOT c.relispartition) x
)sql";

// Returns the names in `sorted` that start with `prefix`.
std::vector<std::string> with_prefix(const std::vector<std::string>& sorted, const std::string& prefix)
{
  std::vector<std::string> out;
  for (auto it = std::lower_bound(sorted.begin(), sorted.end(), prefix);
       it != sorted.end() && it->compare(0, prefix.size(), prefix) == 0; ++it)
    out.push_back(*it);
  return out;
}

} // namespace

void read_taken_names(pqxx::transaction_base& tx, const std::vector<core::Policy>& policies,
                      const std::vector<std::size_t>& which, std::vector<core::ParentSnapshot>& out)
{
  if (which.empty())
    return;
  std::vector<std::string> schemas, prefixes, prefix_ends;
  for (const std::size_t i : which) {
    schemas.push_back(policies[i].schema);
    prefixes.push_back(core::policy_child_prefix(policies[i])); // always ends in '_'
    prefix_ends.push_back(prefixes.back().substr(0, prefixes.back().size() - 1) + "`");
  }
  const auto rows =
      tx.exec_params(k_taken_names_sql, text_array(schemas), text_array(prefixes), text_array(prefix_ends));
  std::map<std::string, std::vector<std::string>> names; // schema -> relation names that are not partitions
  for (const auto& row : rows)
    names[row[0].as<std::string>()].push_back(row[1].as<std::string>());
  for (auto& [schema, list] : names)
    std::sort(list.begin(), list.end());
  for (std::size_t k = 0; k < which.size(); ++k) {
    if (auto it = names.find(schemas[k]); it != names.end())
      out[which[k]].taken_names = with_prefix(it->second, prefixes[k]);
  }
}

} // namespace partman::db
