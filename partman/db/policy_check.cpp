#include "partman/db/policy_check.hpp"

#include <pqxx/pqxx>

#include "partman/core/names.hpp"

namespace partman::db {

std::string check_policy(pqxx::transaction_base& tx, const core::ParentSnapshot& parent,
                         const core::Policy& policy)
{
  if (auto problem = core::check_parent_shape(parent); !problem.empty())
    return problem;
  // The policy's shape against the parent's strategy and key, then the policy itself (validate_policy).
  if (auto problem = core::check_policy_fits(policy, parent.strategy, parent.key_type, parent.key_type_name);
      !problem.empty())
    return problem;
  if (!policy.retention_schema.empty() &&
      tx.exec_params("SELECT 1 FROM pg_namespace WHERE nspname = $1", policy.retention_schema).empty())
    return "--retention-schema: schema '" + policy.retention_schema +
           "' does not exist; HINT: CREATE SCHEMA " + core::quote_ident(policy.retention_schema);
  return {};
}

} // namespace partman::db
