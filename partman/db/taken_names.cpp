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
// prefix with its last character raised by one ($3; names compare byte by byte, as UTF-8 orders them).
const char* const k_taken_names_sql = R"sql(
SELECT n.nspname::text, x.relname::text
FROM unnest($1::text[], $2::text[], $3::text[]) AS p(sch, lo, hi)
JOIN pg_namespace n ON n.nspname = p.sch
CROSS JOIN LATERAL (SELECT c.relname FROM pg_class c
                    WHERE c.relname >= p.lo::name AND c.relname < p.hi::name AND c.relnamespace = n.oid
                      AND NOT c.relispartition) x
)sql";

// Returns the first text after every text that starts with `prefix` (not empty): its last character raised
// by one ("events_" gives "events`"), dropped where none follows it.
std::string prefix_end(std::string prefix)
{
  std::size_t at = prefix.size() - 1;
  while (at > 0 && (static_cast<unsigned char>(prefix[at]) & 0xC0) == 0x80)
    --at;
  const auto lead = static_cast<unsigned char>(prefix[at]);
  const int bytes = static_cast<int>(prefix.size() - at);
  std::uint32_t cp = bytes == 1 ? lead : lead & (0x7F >> bytes);
  for (std::size_t i = at + 1; i < prefix.size(); ++i)
    cp = (cp << 6) | (static_cast<unsigned char>(prefix[i]) & 0x3F);
  prefix.resize(at);
  cp = cp + 1 == 0xD800 ? 0xE000 : cp + 1; // no surrogates in UTF-8
  if (cp > 0x10FFFF)
    return prefix.empty() ? std::string("\xF4\x8F\xBF\xBF") : prefix_end(prefix);
  if (cp < 0x80)
    return prefix + static_cast<char>(cp);
  const int n = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  prefix += static_cast<char>((0xF00 >> n) | (cp >> (6 * (n - 1))));
  for (int k = n - 2; k >= 0; --k)
    prefix += static_cast<char>(0x80 | ((cp >> (6 * k)) & 0x3F));
  return prefix;
}

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
    prefixes.push_back(core::policy_child_prefix(policies[i])); // never empty
    prefix_ends.push_back(prefix_end(prefixes.back()));
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
