#include "partman/db/list_values.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <pqxx/pqxx>
#include <tuple>

#include "partman/core/names.hpp"
#include "partman/core/planner.hpp"
#include "partman/db/session.hpp"

namespace partman::db {

namespace {

// Returns the values `rows` hold ((raw text, as the key type prints it) pairs, in order) once checked: NULL
// is refused, and so is a text value that the key's type would change (cut to a varchar's length);
// duplicates are dropped, or refused when `unique`. `what` names where the values come from.
core::Result<std::vector<std::string>> checked_values(const pqxx::result& rows,
                                                      const std::string& key_type_name,
                                                      const std::string& what, bool unique)
{
  std::vector<std::string> out;
  std::map<std::string, std::string> seen; // as printed -> as given
  for (const auto& row : rows) {
    if (row[0].is_null())
      return core::Error{what +
                         " gives NULL; HINT: partman makes partitions for values, not NULL; rows with a "
                         "NULL key go to a default partition (add WHERE ... IS NOT NULL to a query)"};
    const std::string given = row[0].as<std::string>();
    const std::string printed = row[1].as<std::string>();
    if (core::key_type_from_sql(key_type_name) == core::KeyType::text && printed != given)
      return core::Error{what + ": value " + core::quote_literal(given) + " does not fit the key's type " +
                         key_type_name + "; HINT: it would be stored as " + core::quote_literal(printed)};
    if (auto it = seen.find(printed); it != seen.end()) {
      if (unique)
        return core::Error{
            what + ": value " + core::quote_literal(given) + " is given twice" +
            (it->second == given ? std::string() : " (also as " + core::quote_literal(it->second) + ")") +
            "; HINT: list each value once"};
      continue;
    }
    seen.emplace(printed, given);
    out.push_back(printed);
  }
  return out;
}

// Returns the first line of the server's message of `e`, without its "ERROR:" prefix.
std::string server_message(const pqxx::sql_error& e)
{
  std::string message = e.what();
  if (message.rfind("ERROR:", 0) == 0)
    message.erase(0, message.find_first_not_of(' ', 6));
  return message.substr(0, message.find('\n')); // not the LINE and caret lines that follow
}

} // namespace

bool parse_list_bound(const std::string& bound, std::vector<std::string>& values, bool& null_value)
{
  const std::string head = "FOR VALUES IN (";
  if (bound.compare(0, head.size(), head) != 0 || bound.back() != ')')
    return false;
  const std::size_t end = bound.size() - 1;
  for (std::size_t i = head.size(); i < end;) {
    if (bound[i] == '\'') {
      std::string value; // a literal: '' stands for ' (standard_conforming_strings is on)
      for (++i;; ++i) {
        if (i >= end)
          return false;
        if (bound[i] == '\'' && i + 1 < end && bound[i + 1] == '\'') {
          value.push_back('\'');
          ++i;
        } else if (bound[i] == '\'') {
          ++i;
          break;
        } else {
          value.push_back(bound[i]);
        }
      }
      values.push_back(std::move(value));
    } else {
      std::size_t stop = bound.find(", ", i); // a number or NULL
      stop = std::min(stop, end);
      const std::string token = bound.substr(i, stop - i);
      if (token == "NULL")
        null_value = true;
      else
        values.push_back(token);
      i = stop;
    }
    if (i == end)
      break;
    if (bound.compare(i, 2, ", ") != 0)
      return false;
    i += 2;
  }
  return true;
}

std::string values_query_sql(const std::string& query, const std::string& key_type_name)
{
  std::string q = query;
  while (!q.empty() && (std::isspace(static_cast<unsigned char>(q.back())) || q.back() == ';'))
    q.pop_back();
  return "SELECT d.v, d.v::" + key_type_name + "::text FROM (SELECT DISTINCT q.x::text AS v FROM (" + q +
         "\n) AS q(x)) d ORDER BY d.v::" + key_type_name;
}

std::string cap_statement_timeout(pqxx::transaction_base& tx, const char* most)
{
  const std::string limit = tx.quote(most);
  return tx
      .exec("SELECT current_setting('statement_timeout'), set_config('statement_timeout', CASE WHEN "
            "current_setting('statement_timeout')::interval IN (interval '0', interval '0 ms') OR "
            "current_setting('statement_timeout')::interval > " +
            limit + "::interval THEN " + limit +
            " ELSE current_setting('statement_timeout') END, true)")[0][0]
      .as<std::string>();
}

core::Result<std::vector<std::string>> query_list_values(pqxx::transaction_base& tx, const std::string& query,
                                                         const std::string& key_type_name,
                                                         const std::string& parent_sql,
                                                         const std::string& table)
{
  const std::string what = "the values query of " + parent_sql;
  pqxx::result rows;
  try {
    if (auto* db_tx = dynamic_cast<pqxx::dbtransaction*>(&tx)) {
      pqxx::subtransaction sub(*db_tx, "partman_values");
      // A query that waits (on a lock, say) must not hold the run: at most k_values_timeout, or the
      // session's shorter timeout; set back afterwards (a failure rolls it back with the savepoint).
      const std::string previous = cap_statement_timeout(sub, k_values_timeout);
      // It runs with the rights of the table's owner, who may write its policy (partman.manage()), where
      // this role is a member of that role: the query can read nothing more than its author can.
      const std::string role =
          sub.exec_params(
                 "SELECT current_setting('role'), (SELECT set_config('role', r.rolname, true) FROM "
                 "pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE c.oid = to_regclass($1) AND "
                 "r.rolname <> current_user AND pg_has_role(c.relowner, 'MEMBER'))",
                 table)[0][0]
              .as<std::string>();
      // The extended protocol (exec_params) takes exactly one statement: the query cannot end the
      // read-only transaction it runs in.
      rows = sub.exec_params(values_query_sql(query, key_type_name));
      sub.exec_params("SELECT set_config('statement_timeout', $1, true), set_config('role', $2, true)",
                      previous, role);
      sub.commit();
    } else {
      rows = tx.exec_params(values_query_sql(query, key_type_name));
    }
  } catch (const pqxx::sql_error& e) {
    if (server_message(e).find("multiple commands") != std::string::npos)
      return core::Error{what + " holds more than one statement, which partman never runs; HINT: give one "
                                "SELECT whose first column is the values"};
    return core::Error{what + " failed: " + server_message(e) +
                       "; HINT: it runs read-only at plan time, for at most " + k_values_timeout +
                       ", and its first column gives the values"};
  }
  return checked_values(rows, key_type_name, what, false);
}

void read_queried_values(pqxx::transaction_base& tx, const std::vector<core::Policy>& policies,
                         std::vector<core::ParentSnapshot>& out)
{
  // Each query once per key type and parent (a level-2 policy's once for all the partitions it applies to),
  // as the owner of the level-1 parent (`table`).
  std::map<std::tuple<std::string, std::string, std::string>, core::Result<std::vector<std::string>>> done;
  const auto run = [&](const std::string& query, const std::string& type_name, const std::string& table,
                       const std::string& owner, std::vector<std::string>& values, std::string& error) {
    auto it = done.find({query, type_name, table});
    if (it == done.end())
      it = done.emplace(std::make_tuple(query, type_name, table),
                        query_list_values(tx, query, type_name, owner, table))
               .first;
    if (it->second)
      values = *it->second;
    else
      error = it->second.error();
  };
  for (std::size_t i = 0; i < policies.size(); ++i) {
    const core::Policy& policy = policies[i];
    core::ParentSnapshot& ps = out[i];
    const core::Policy* sub = policy.sub.get();
    if (sub && sub->shape == core::Shape::list && !sub->values_query.empty() &&
        ps.sub_key_type != core::KeyType::unsupported)
      run(sub->values_query, ps.sub_key_type_name, policy.parent_sql(),
          "the level-2 policy of " + policy.parent_sql(), ps.sub_queried_values, ps.sub_values_error);
    if (policy.shape != core::Shape::list || policy.values_query.empty() || !ps.exists ||
        ps.strategy != core::Strategy::list || ps.key_type == core::KeyType::unsupported ||
        !core::check_policy_fits(policy, core::Strategy::list, ps.key_type).empty())
      continue; // the plan says what is wrong with the parent
    const std::string top =
        policy.level == 2 ? core::quote_qualified(ps.outer_schema, ps.outer_table) : policy.parent_sql();
    run(policy.values_query, ps.key_type_name, top, policy.level == 2 ? "the level-2 policy of " + top : top,
        ps.queried_values, ps.values_error);
  }
}

} // namespace partman::db
