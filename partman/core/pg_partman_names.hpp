// Partition names as pg_partman 4.7 makes them: <parent>_p<suffix>, the suffix being the partition's start
// written with the set's datetime_string (a to_char pattern) or an integer range's lower bound, and the
// default partition <parent>_default; a long parent name is cut so that the whole suffix fits.
#pragma once

#include <string>
#include <vector>

#include "partman/core/interval.hpp"
#include "partman/core/policy.hpp"
#include "partman/core/result.hpp"

namespace partman::core {

// A datetime_string read once: what follows "_p" in the names of a time or epoch set's partitions.
class NameFormat
{
public:
  // Reads `pattern`: YYYY, IYYY, Q, MM, IW, DD, HH24, MI and SS, text in double quotes, and digits and
  // punctuation as they stand; the error names what partman cannot write.
  static Result<NameFormat> parse(const std::string& pattern);
  // Returns what to_char(start, pattern) writes for the partition that starts at wall-clock `local`.
  std::string suffix(Micros local) const;
  // Returns how many bytes every suffix has.
  std::size_t width() const { return m_width; }
  // Returns why two partitions of `iv` would get the same name, or "" when each gets its own.
  std::string conflict(const Interval& iv) const;

private:
  // What one part of the pattern writes.
  enum class Field
  {
    text,
    year,
    iso_year,
    quarter,
    month,
    iso_week,
    day,
    hour,
    minute,
    second
  };
  // One part of the pattern.
  struct Part
  {
    Field field = Field::text;
    std::string text; // Field::text: what it writes
  };

  // Returns true when the pattern writes `field`.
  bool has(Field field) const;

  std::vector<Part> m_parts;
  std::string m_pattern;
  std::size_t m_width = 0;
};

// The longest name suffix of pg_partman's integer sets ("-9223372036854775808").
constexpr std::size_t k_pg_partman_integer_suffix_bytes = 20;

// Returns the datetime_string pg_partman 4.7's create_parent picks for interval `iv` given to it as
// `word` ("weekly" and "quarterly" have their own; any other word: by the interval's length).
std::string pg_partman_datetime_string(const Interval& iv, const std::string& word);
// Returns the datetime_string that names the partitions of a time or epoch `policy`: its own, or the one
// create_parent picks for its interval (1 week as "weekly", 3 months as "quarterly").
std::string policy_name_format(const Policy& policy);
// Returns the name pg_partman gives the partition of `parent` with `suffix`: `parent`_p`suffix`, the parent
// cut (at 61 characters less the suffix, as pg_partman cuts it, and further where multibyte characters
// would make the name longer than 63 bytes) so that the whole suffix stays.
std::string pg_partman_child_name(const std::string& parent, const std::string& suffix);
// Returns the name pg_partman gives the default partition of `parent`: `parent`_default, cut likewise.
std::string pg_partman_default_name(const std::string& parent);
// Returns what every name above of `parent` starts with, for suffixes of up to `max_suffix` bytes: the
// parent and '_' where no name cuts it, else its shortest cut.
std::string pg_partman_name_prefix(const std::string& parent, std::size_t max_suffix);

} // namespace partman::core
