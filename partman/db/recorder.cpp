#include "partman/db/recorder.hpp"

#include "partman/core/archive_state.hpp"
#include "partman/core/names.hpp"

namespace partman::db {

std::string join_sql(const core::Action& a)
{
  std::string out;
  for (const auto& s : a.sql)
    out += s + ";\n";
  return out;
}

std::string clean_message(std::string message)
{
  while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
    message.pop_back();
  return message;
}

double ms_since(std::chrono::steady_clock::time_point started)
{
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
}

Recorder::Recorder(std::string schema, std::string run_id)
    : m_schema(core::quote_ident(schema)), m_run_id(std::move(run_id))
{
}

std::string Recorder::insert_sql(const core::ParentPlan& parent, const ActionOutcome& out,
                                 const std::string& duration_sql) const
{
  const core::Action& a = *out.action;
  const auto lit = [](const std::string& text) { return core::quote_literal(text); };
  return "INSERT INTO " + m_schema +
         ".history (run_id, parent_schema, parent_table, action, partition_schema, partition_name, sql, "
         "duration_ms, outcome, error) VALUES (" +
         lit(m_run_id) + ", " + lit(parent.schema) + ", " + lit(parent.table) + ", " +
         lit(core::to_string(a.kind)) + ", " + lit(a.schema) + ", " + lit(a.name) + ", " + lit(join_sql(a)) +
         ", " + duration_sql + ", " + lit(to_string(out.status)) + ", " +
         (out.error.empty() ? "NULL" : lit(out.error)) + ")";
}

std::string Recorder::update_sql(const ActionOutcome& out, const std::string& duration_sql) const
{
  return "UPDATE " + m_schema + ".history SET outcome = " + core::quote_literal(to_string(out.status)) +
         ", duration_ms = " + duration_sql +
         ", error = " + (out.error.empty() ? "NULL" : core::quote_literal(out.error)) +
         " WHERE id = " + std::to_string(out.history_id);
}

std::string Recorder::archive_row_sql(const core::ParentPlan& parent, const core::Action& a,
                                      const std::string& storage) const
{
  const auto lit = [](const std::string& text) { return core::quote_literal(text); };
  return "INSERT INTO " + m_schema +
         ".archive AS a (parent_schema, parent_table, partition_schema, partition_name, bound_from, "
         "bound_to, bound, storage) VALUES (" +
         lit(parent.schema) + ", " + lit(parent.table) + ", " + lit(a.schema) + ", " + lit(a.name) + ", " +
         (a.from.empty() ? "NULL" : lit(a.from)) + ", " + (a.to.empty() ? "NULL" : lit(a.to)) +
         // the bound as the server deparses it, while the table is still a partition
         ", (SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_class c WHERE c.oid = to_regclass(" +
         lit(core::quote_qualified(a.schema, a.name)) + ") AND c.relispartition), " + lit(storage) +
         ") ON CONFLICT (partition_schema, partition_name) WHERE state <> " +
         core::archive_state_sql(core::ArchiveState::dropped) +
         " DO UPDATE SET "
         "bound_from = coalesce(a.bound_from, EXCLUDED.bound_from), bound_to = coalesce(a.bound_to, "
         "EXCLUDED.bound_to), bound = coalesce(a.bound, EXCLUDED.bound), updated_at = now() RETURNING id";
}

std::string Recorder::archive_detached_sql(long long id) const
{
  return "UPDATE " + m_schema +
         ".archive SET state = " + core::archive_state_sql(core::ArchiveState::detached) +
         ", updated_at = now() WHERE id = " + std::to_string(id) +
         " AND state = " + core::archive_state_sql(core::ArchiveState::detaching);
}

} // namespace partman::db
