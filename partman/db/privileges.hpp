// What the role partman connects as lacks, told in GRANTs, when the server refuses it something.
#pragma once

#include <pqxx/connection>
#include <string>

namespace partman::db {

// The use of partman's own schema a command makes.
enum class Access
{
  read, // plan, status, archive list: USAGE on the schema, SELECT on its tables
  write // apply, manage, unmanage, restore: also INSERT, UPDATE, DELETE, and its sequences
};

// Returns what the role of `conn` lacks on partman's schema `schema` for `need`, as an error with a HINT
// of the GRANTs that give it; empty when it lacks nothing there (or the schema does not exist).
std::string missing_privileges(pqxx::connection& conn, const std::string& schema, Access need);
// Throws UsageError with what missing_privileges says, when it says something; returns otherwise. Called
// when the server refused a privilege (SQLSTATE 42501), so that only that path pays for the query.
void require_privileges(pqxx::connection& conn, const std::string& schema, Access need);
// Returns the server's refusal `e` (SQLSTATE 42501 or 25006) as a configuration error: its first line and
// a HINT of what to check; empty for any other error.
std::string explain_refusal(const pqxx::sql_error& e);
// Returns the first line of a server error without its "ERROR:" label.
std::string first_line(const std::string& message);
// Returns a server error as libpq writes it ("ERROR:  m\nDETAIL: ...\nHINT:  h\nCONTEXT: ...") as partman
// writes errors: "m; HINT: h" (or "m" without a hint).
std::string message_and_hint(const std::string& error);

} // namespace partman::db
