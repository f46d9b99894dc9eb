#include "partman/core/children.hpp"

#include "partman/core/names.hpp"

namespace partman::core {

namespace {

// Returns "GRANT SELECT, INSERT ON TABLE child TO role [WITH GRANT OPTION]" statements, one per grantee and
// grant option, in the order the parent's ACL lists them.
std::vector<std::string> grant_sql(const std::vector<Grant>& grants, const std::string& child_sql)
{
  std::vector<std::pair<const Grant*, std::string>> groups; // first grant of a group, its privileges
  for (const auto& g : grants) {
    auto it = groups.begin();
    while (it != groups.end() && (it->first->grantee != g.grantee || it->first->grantable != g.grantable))
      ++it;
    if (it == groups.end())
      groups.emplace_back(&g, g.privilege);
    else
      it->second += ", " + g.privilege;
  }
  std::vector<std::string> out;
  for (const auto& [g, privileges] : groups)
    out.push_back("GRANT " + privileges + " ON TABLE " + child_sql + " TO " +
                  (g->grantee.empty() ? std::string("PUBLIC") : quote_ident(g->grantee)) +
                  (g->grantable ? " WITH GRANT OPTION" : ""));
  return out;
}

// Returns the suffix of a template index's name on a child: its name without the template table's name in
// front ("events_tpl_email_key" of "events_tpl" gives "email_key").
std::string template_suffix(const std::string& template_table, const std::string& index)
{
  const std::string head = template_table + "_";
  if (index.size() > head.size() && index.compare(0, head.size(), head) == 0)
    return index.substr(head.size());
  return index;
}

} // namespace

std::string child_index_name(const std::string& table, const std::string& suffix)
{
  // A suffix of more than 29 bytes is cut to 20 and given a hash of the whole, so that the table's name
  // keeps room and two long suffixes stay apart.
  std::string cut = child_prefix(suffix, k_max_identifier_bytes - 30);
  cut.pop_back(); // its '_'
  return child_name(table, cut);
}

ChildSetup child_setup(const ParentSnapshot& parent, const Policy& policy, const std::string& name,
                       bool partitioned)
{
  const ParentProperties& p = parent.properties;
  const std::string child = quote_qualified(parent.schema, name);
  ChildSetup out;
  if (!p.tablespace.empty())
    out.create_suffix = " TABLESPACE " + quote_ident(p.tablespace);
  if (p.comment)
    out.before_attach.push_back("COMMENT ON TABLE " + child + " IS " + quote_literal(*p.comment));
  // A sub-partitioned child's unique indexes would need its own partition key: its partitions get them.
  const bool leaf = !partitioned;
  for (const auto& t : leaf ? p.template_indexes : std::vector<TemplateIndex>{})
    out.before_attach.push_back(
        "CREATE UNIQUE INDEX " +
        quote_ident(child_index_name(name, template_suffix(policy.template_table, t.name))) + " ON " + child +
        " " + t.definition);
  switch (p.replica_identity) {
  case 'f':
    out.before_attach.push_back("ALTER TABLE " + child + " REPLICA IDENTITY FULL");
    break;
  case 'n':
    out.before_attach.push_back("ALTER TABLE " + child + " REPLICA IDENTITY NOTHING");
    break;
  case 'i':
    if (leaf && !p.replica_index.empty()) {
      // The attach adopts this index as the child's part of the parent's index, as it matches it.
      const std::string index = child_index_name(name, "replica_identity");
      out.before_attach.push_back("CREATE UNIQUE INDEX " + quote_ident(index) + " ON " + child + " " +
                                  p.replica_index);
      out.before_attach.push_back("ALTER TABLE " + child + " REPLICA IDENTITY USING INDEX " +
                                  quote_ident(index));
    }
    break;
  default:
    break;
  }
  if (policy.inherit_privileges) {
    for (auto& g : grant_sql(p.grants, child))
      out.before_attach.push_back(std::move(g));
    if (!p.owner.empty() && p.owner != p.session_user)
      out.after_attach.push_back("ALTER TABLE " + child + " OWNER TO " + quote_ident(p.owner));
  }
  return out;
}

std::string range_condition(const std::string& column, const std::string& from, const std::string& to)
{
  const std::string key = quote_ident(column);
  std::string out;
  if (from != "MINVALUE")
    out = key + " >= " + from;
  if (to != "MAXVALUE")
    out += (out.empty() ? "" : " AND ") + key + " < " + to;
  return out.empty() ? key + " IS NOT NULL" : out;
}

std::string values_condition(const std::string& column, const std::string& literals)
{
  return quote_ident(column) + " IN (" + literals + ")";
}

std::string move_rows_sql(const std::string& from_sql, const std::string& to_sql,
                          const std::vector<std::string>& columns, const std::string& condition, int limit)
{
  std::string list;
  for (const auto& c : columns)
    list += (list.empty() ? "" : ", ") + quote_ident(c);
  const std::string returning = list.empty() ? "*" : list;
  const std::string where = limit > 0 ? "ctid = ANY (ARRAY(SELECT ctid FROM ONLY " + from_sql + " WHERE " +
                                            condition + " LIMIT " + std::to_string(limit) + "))"
                                      : condition;
  return "WITH moved AS (DELETE FROM ONLY " + from_sql + " WHERE " + where + " RETURNING " + returning +
         ") INSERT INTO " + to_sql + (list.empty() ? "" : " (" + list + ")") + " SELECT " + returning +
         " FROM moved";
}

} // namespace partman::core
