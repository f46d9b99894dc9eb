// Reading and writing the policy table, and resolving PARENT arguments the way PostgreSQL does.
#pragma once

#include <pqxx/connection>
#include <pqxx/transaction_base>
#include <string>
#include <utility>
#include <vector>

#include "partman/core/policy.hpp"

namespace partman::db {

// A table name resolved by the server: (schema, table).
using TableName = std::pair<std::string, std::string>;

// Resolves each SQL-written table name (search_path applies) in one query; throws UsageError naming the
// first that does not exist.
std::vector<TableName> resolve_tables(pqxx::connection& conn, const std::vector<std::string>& names);
// Returns the policies in `schema`, all of them or those of `only` (UsageError for one that is unmanaged);
// each level-2 policy is its parent's Policy::sub.
std::vector<core::Policy> load_policies(pqxx::connection& conn, const std::string& schema,
                                        const std::vector<TableName>& only);
// Inserts or replaces the policy of its parent at its level (not its sub); returns true when it was new.
bool save_policy(pqxx::connection& conn, const std::string& schema, const core::Policy& policy);
// The same inside `tx` (several policies in one transaction).
bool save_policy(pqxx::transaction_base& tx, const std::string& schema, const core::Policy& policy);
// Deletes the policies of `parent` from level `from_level` on (1: all of them); returns false when there
// was none.
bool delete_policy(pqxx::connection& conn, const std::string& schema, const TableName& parent,
                   int from_level = 1);
// The same inside `tx`.
bool delete_policy(pqxx::transaction_base& tx, const std::string& schema, const TableName& parent,
                   int from_level = 1);

} // namespace partman::db
