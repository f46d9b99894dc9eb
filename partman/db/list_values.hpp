// The values of LIST partitions: read from a partition's deparsed bound, from a policy's values query, or
// checked as listed by a user, each as the key's type prints it.
#pragma once

#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "partman/core/policy.hpp"
#include "partman/core/result.hpp"
#include "partman/core/snapshot.hpp"

namespace partman::db {

// Reads the values of a LIST partition from its deparsed bound, "FOR VALUES IN ('a', 7, NULL)"; returns
// false when the text is not of that form.
bool parse_list_bound(const std::string& bound, std::vector<std::string>& values, bool& null_value);
// Returns the query that reads a LIST policy's values from its values query: its first column, each value
// once, as text and as the key's type prints it.
std::string values_query_sql(const std::string& query, const std::string& key_type_name);
// The longest a values query may run.
constexpr const char* k_values_timeout = "60s";
// Sets statement_timeout to `most` for the rest of `tx`, unless the session's is shorter (0 is none);
// returns the setting it had.
std::string cap_statement_timeout(pqxx::transaction_base& tx, const char* most);
// Runs a values query (in its own savepoint of `tx`, for at most k_values_timeout, as the owner of `table`
// where the session's role is a member of it); returns the values as the key's type prints them, or why
// they cannot be used (the query failed, gave NULL, or a value the type would change).
core::Result<std::vector<std::string>> query_list_values(pqxx::transaction_base& tx, const std::string& query,
                                                         const std::string& key_type_name,
                                                         const std::string& parent_sql,
                                                         const std::string& table);
// Runs the values query of each LIST policy that has one (out[i] belongs to policies[i]), in the caller's
// (read-only) transaction and each in its own savepoint, so that one failing query fails its own parent
// only; a level-2 policy's query runs once for all the partitions it applies to.
void read_queried_values(pqxx::transaction_base& tx, const std::vector<core::Policy>& policies,
                         std::vector<core::ParentSnapshot>& out);

} // namespace partman::db
