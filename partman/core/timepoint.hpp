// Instants and wall-clock times: time zones, parsing user input, and SQL literals that no session can shift.
#pragma once

#include <string>
#include <utility>

#include "partman/core/interval.hpp"
#include "partman/core/result.hpp"

namespace partman::core {

// A time zone's rules: the tz database's transitions, and after the last of them the POSIX rule that the
// zone file ends with (slim zone files stop listing transitions in 2037).
class ZoneRules;
using Zone = const ZoneRules*;

// Returns the zone named `name` from the system tz database, or an error that names it (thread-safe; zones
// are loaded once and live as long as the program).
Result<Zone> find_zone(const std::string& name);
// Returns UTC, which needs no look-up in the tz database.
Zone utc_zone();
// Returns the error of a zone name the tz database does not know.
std::string unknown_zone_error(const std::string& name);

// A named time zone whose rules were looked up once, when the policy that holds it was read or built: the tz
// database is files, and planning reads none.
class NamedZone
{
public:
  // Makes UTC.
  NamedZone() = default;
  // Looks `name` up in the system tz database; a name it does not know gets no rules.
  explicit NamedZone(std::string name);

  // Returns the name as given.
  const std::string& name() const { return m_name; }
  // Returns the zone's rules, or nullptr when the tz database does not know the name.
  Zone rules() const { return m_rules; }

private:
  std::string m_name = "UTC";
  Zone m_rules = utc_zone();
};
// Returns the wall-clock time in `zone` of the instant `utc`.
Micros to_local(Zone zone, Micros utc);
// Returns the instant of the wall-clock time `local` in `zone`: an ambiguous time takes the later offset
// (as PostgreSQL does), a time skipped by a DST change maps to the instant of the change.
Micros to_utc(Zone zone, Micros local);

// Returns "YYYY-MM-DD HH:MM:SS" (with ".ffffff" when needed) for a wall-clock time.
std::string format_local(Micros local);
// Returns "YYYY-MM-DD" for a wall-clock time.
std::string format_date(Micros local);
// Returns the instant as wall-clock time in `zone` with its explicit offset, e.g. "2026-11-25
// 00:00:00+01:00".
std::string format_instant(Zone zone, Micros utc);

// Parses "YYYY-MM-DD[( |T)HH:MM[:SS[.ffffff]]][Z|±HH[:MM]]"; without an offset the time is read in `zone`.
Result<Micros> parse_instant(const std::string& text, Zone zone);

} // namespace partman::core
