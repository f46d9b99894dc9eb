// Reads the bounds of a time or integer range partition from the node tree of its relpartbound, without
// asking the server to deparse it (pg_get_expr costs a catalog lookup per partition).
#pragma once

#include <optional>
#include <string_view>

#include "partman/core/interval.hpp"

namespace partman::db {

// Reads the bounds of a single-column time range partition from its relpartbound node tree; returns false
// when the tree is not one it knows.
bool parse_bound_node(std::string_view node, std::optional<core::Micros>& lower,
                      std::optional<core::Micros>& upper);

} // namespace partman::db
