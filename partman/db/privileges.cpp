#include "partman/db/privileges.hpp"

#include <algorithm>
#include <pqxx/pqxx>

#include "partman/core/errors.hpp"
#include "partman/core/names.hpp"

namespace partman::db {

namespace {

// Joins the names of a text[] field with ", " (quoted as identifiers).
std::string name_list(const pqxx::field& array)
{
  std::string out;
  auto parser = array.as_array();
  for (auto item = parser.get_next(); item.first != pqxx::array_parser::done; item = parser.get_next()) {
    if (item.first == pqxx::array_parser::string_value)
      out += (out.empty() ? "" : ", ") + core::quote_ident(item.second);
  }
  return out;
}

} // namespace

std::string missing_privileges(pqxx::connection& conn, const std::string& schema, Access need)
{
  // Catalog reads check no privileges, so this works where the schema's tables cannot be read. The meta
  // table is only ever read; partman writes the others. CASE keeps the privilege functions to the kinds of
  // relation they take, whatever order the server's planner evaluates the conditions in.
  const char* table_rights = need == Access::read
                                 ? "has_table_privilege(c.oid, 'SELECT')"
                                 : "(c.relname = 'meta' AND has_table_privilege(c.oid, 'SELECT')) OR "
                                   "(has_table_privilege(c.oid, 'SELECT') AND has_table_privilege(c.oid, "
                                   "'INSERT') AND has_table_privilege(c.oid, 'UPDATE') AND "
                                   "has_table_privilege(c.oid, 'DELETE'))";
  pqxx::nontransaction tx(conn);
  const auto r = tx.exec_params(
      std::string("SELECT current_user::text, has_schema_privilege(n.oid, 'USAGE'), "
                  "array(SELECT c.relname::text FROM pg_class c WHERE c.relnamespace = n.oid AND CASE WHEN "
                  "c.relkind = 'r' THEN NOT (") +
          table_rights +
          ") END ORDER BY 1), "
          "array(SELECT c.relname::text FROM pg_class c WHERE c.relnamespace = n.oid AND $2 AND CASE WHEN "
          "c.relkind = 'S' THEN NOT has_sequence_privilege(c.oid, 'USAGE') END ORDER BY 1) "
          "FROM pg_namespace n WHERE n.nspname = $1",
      schema, need == Access::write);
  if (r.empty())
    return {};
  const std::string role = core::quote_ident(r[0][0].as<std::string>());
  const std::string q = core::quote_ident(schema);
  const bool usage = r[0][1].as<bool>();
  const std::string tables = name_list(r[0][2]);
  const std::string sequences = name_list(r[0][3]);
  if (usage && tables.empty() && sequences.empty())
    return {};
  const char* table_grant = need == Access::read ? "SELECT" : "SELECT, INSERT, UPDATE, DELETE";
  std::string lacks;
  std::string grants;
  const auto add = [&](const std::string& what, const std::string& grant) {
    lacks += (lacks.empty() ? "" : "; ") + what;
    grants += (grants.empty() ? "" : "; ") + grant + " TO " + role;
  };
  if (!usage)
    add("USAGE on the schema", "GRANT USAGE ON SCHEMA " + q);
  if (!tables.empty())
    add(std::string(table_grant) + " on table(s) " + tables,
        std::string("GRANT ") + table_grant + " ON ALL TABLES IN SCHEMA " + q);
  if (!sequences.empty())
    add("USAGE on sequence(s) " + sequences, "GRANT USAGE ON ALL SEQUENCES IN SCHEMA " + q);
  return "role " + role + " lacks privileges on partman's schema " + q + ": " + lacks +
         "; HINT: as the schema's owner or a superuser: " + grants;
}

void require_privileges(pqxx::connection& conn, const std::string& schema, Access need)
{
  std::string problem;
  try {
    problem = missing_privileges(conn, schema, need);
  } catch (const pqxx::sql_error&) {
    return; // the caller rethrows the server's own refusal
  }
  if (!problem.empty())
    throw UsageError(problem);
}

std::string first_line(const std::string& message)
{
  std::string line = message.substr(0, message.find('\n'));
  const std::string label = "ERROR:";
  if (line.rfind(label, 0) == 0)
    line.erase(0, line.find_first_not_of(' ', label.size()));
  return line;
}

std::string message_and_hint(const std::string& error)
{
  std::string text = error;
  const std::string label = "ERROR:";
  if (text.rfind(label, 0) == 0)
    text.erase(0, text.find_first_not_of(' ', label.size()));
  const auto field = [&text](const char* name) { return text.find("\n" + std::string(name) + ":  "); };
  std::string message =
      text.substr(0, std::min({field("DETAIL"), field("HINT"), field("CONTEXT"), text.size()}));
  while (!message.empty() && message.back() == '\n')
    message.pop_back();
  const std::size_t hint = field("HINT");
  if (hint == std::string::npos)
    return message;
  const std::size_t from = hint + std::string("\nHINT:  ").size();
  return message + "; HINT: " + text.substr(from, text.find('\n', from) - from);
}

std::string explain_refusal(const pqxx::sql_error& e)
{
  const std::string state = e.sqlstate(); // libpqxx 6.4 leaves it empty in the classes of its own
  if (state == "42501" || dynamic_cast<const pqxx::insufficient_privilege*>(&e))
    return "the server refused a privilege: " + first_line(e.what()) +
           "; HINT: the role partman connects as needs the GRANTs that README's \"A separate maintenance "
           "role\" lists, and to be a member of the role that owns the parents";
  if (state == "25006")
    return "the server refused a write: " + first_line(e.what()) +
           "; HINT: connect to the primary; a standby, or a session forced read-only, writes nothing";
  return {};
}

} // namespace partman::db
