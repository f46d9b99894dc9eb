// SQL quoting and partition names that fit PostgreSQL's 63-byte identifiers and stay unique.
#pragma once

#include <string>

#include "partman/core/interval.hpp"

namespace partman::core {

// PostgreSQL truncates identifiers longer than this many bytes.
constexpr std::size_t k_max_identifier_bytes = 63;

// Returns `name` as a double-quoted SQL identifier.
std::string quote_ident(const std::string& name);
// Returns "schema"."name".
std::string quote_qualified(const std::string& schema, const std::string& name);
// Returns `text` as a single-quoted SQL literal (standard_conforming_strings on).
std::string quote_literal(const std::string& text);

// Returns the name suffix of the partition starting at wall-clock `local`: p2026, p202611, p2026w48,
// p20261125 or p20261125_0415, depending on the interval's unit.
std::string partition_suffix(const Interval& iv, Micros local);
// Returns the prefix every child name of `parent` starts with (ends in '_'); a long parent name is cut
// and given a hash of the full name so that two long parents never share a prefix.
std::string child_prefix(const std::string& parent, std::size_t suffix_bytes);
// Returns the name of the child of `parent` with `suffix`, at most 63 bytes long.
std::string child_name(const std::string& parent, const std::string& suffix);

} // namespace partman::core
