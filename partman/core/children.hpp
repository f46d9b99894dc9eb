// What a new partition copies from its parent where PostgreSQL does not carry it on attach (owner and
// grants, tablespace, replica identity, the table's comment, unique indexes from a template table), and the
// statements that move a new partition's rows out of the default partition.
#pragma once

#include <string>
#include <vector>

#include "partman/core/policy.hpp"
#include "partman/core/snapshot.hpp"

namespace partman::core {

// The statements that make new child `name` (in the parent's schema) match its parent.
struct ChildSetup
{
  std::string create_suffix;              // follows its CREATE TABLE: " TABLESPACE ..." (or empty)
  std::vector<std::string> before_attach; // on the new, unattached table: comment, indexes, grants
  std::vector<std::string> after_attach;  // its owner (the attach needs partman to own the table)
};

// Returns the statements that give new child `name` of `parent` what its parent has, as `policy` asks; a
// `partitioned` child leaves unique indexes (template, replica identity) to its own partitions.
ChildSetup child_setup(const ParentSnapshot& parent, const Policy& policy, const std::string& name,
                       bool partitioned = false);
// Returns the name of an index of table `table` that ends in `suffix`, at most 63 bytes long.
std::string child_index_name(const std::string& table, const std::string& suffix);
// Returns the rows of a RANGE partition [from, to) of key `column` as a WHERE condition; `from` and `to`
// are SQL values ("'2026-01-01 00:00:00+00:00'", "1000"), or "MINVALUE" / "MAXVALUE".
std::string range_condition(const std::string& column, const std::string& from, const std::string& to);
// Returns the rows of a LIST partition as a WHERE condition; `literals` is "'a', 'b'".
std::string values_condition(const std::string& column, const std::string& literals);
// Returns the statement that moves the rows of default partition `from_sql` that match `condition` into
// table `to_sql`, all of them, or at most `limit` when it is above 0 (picked by ctid, so the DELETE is a TID
// scan); `columns` are the columns written (empty: all, in order).
std::string move_rows_sql(const std::string& from_sql, const std::string& to_sql,
                          const std::vector<std::string>& columns, const std::string& condition, int limit);

} // namespace partman::core
