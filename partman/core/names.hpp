// SQL quoting and partition names that fit PostgreSQL's 63-byte identifiers and stay unique.
#pragma once

#include <string>

#include "partman/core/interval.hpp"
#include "partman/core/policy.hpp"

namespace partman::core {

// PostgreSQL truncates identifiers longer than this many bytes.
constexpr std::size_t k_max_identifier_bytes = 63;

// Returns `name` as a double-quoted SQL identifier.
std::string quote_ident(const std::string& name);
// Returns "schema"."name".
std::string quote_qualified(const std::string& schema, const std::string& name);
// Returns `text` as a single-quoted SQL literal (standard_conforming_strings on).
std::string quote_literal(const std::string& text);

// Returns the longest prefix of `text` of at most `bytes` bytes that does not split a UTF-8 character.
std::string utf8_prefix(const std::string& text, std::size_t bytes);
// Returns how many UTF-8 characters `text` holds.
std::size_t utf8_length(const std::string& text);
// Returns the first `chars` UTF-8 characters of `text` (all of it when it has fewer).
std::string utf8_head(const std::string& text, std::size_t chars);

// Returns the name suffix of the partition starting at wall-clock `local`: p2026, p202611, p2026w48,
// p20261125 or p20261125_0415, depending on the interval's unit.
std::string partition_suffix(const Interval& iv, Micros local);
// Returns the prefix every child name of `parent` starts with (ends in '_'); a long parent name is cut
// and given a hash of the full name so that two long parents never share a prefix.
std::string child_prefix(const std::string& parent, std::size_t suffix_bytes);
// Returns the name of the child of `parent` with `suffix`, at most 63 bytes long.
std::string child_name(const std::string& parent, const std::string& suffix);

// The longest suffix of an integer range partition ("pm9223372036854775808").
constexpr std::size_t k_integer_suffix_bytes = 21;
// The longest suffix of a LIST partition.
constexpr std::size_t k_value_suffix_bytes = 32;

// Returns the name suffix of the integer range partition that starts at `lower`: p1000000, or pm1000 for
// negative values.
std::string integer_suffix(std::int64_t lower);
// Returns the name suffix of the LIST partition of `value` (of a key of `type`), at most
// k_value_suffix_bytes long: the value itself when it is a plain lowercase word (digits for integers and
// dates, hex for uuids), otherwise a readable form of it followed by '_' and a hash of the value.
// `hash_digits` 8 or 16 forces a hash of that width (for a name that would collide); 0 adds one only
// where needed.
std::string value_suffix(KeyType type, const std::string& value, int hash_digits = 0);

} // namespace partman::core
