#include "partman/core/interval.hpp"

#include <algorithm>
#include <cctype>
#include <date/date.h>

namespace partman::core {

namespace {

constexpr std::int64_t k_max_count = 100000;
// Years stop sooner: calendar arithmetic holds years -32767 to 32767, and a time partman reads (0001 to
// 9999) moved by up to 10,000 years stays inside them.
constexpr std::int64_t k_max_years = 10000;
// Days from 1970-01-01 (a Thursday) back to the Monday that starts its ISO week.
constexpr std::int64_t k_monday_offset = -3;

std::string normalise(const std::string& text)
{
  std::string out;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!out.empty() && out.back() != ' ')
        out.push_back(' ');
    } else {
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  if (!out.empty() && out.back() == ' ')
    out.pop_back();
  return out;
}

bool unit_from_word(const std::string& word, Unit& unit)
{
  static const std::pair<const char*, Unit> words[] = {
      {"minute", Unit::minute}, {"minutes", Unit::minute}, {"min", Unit::minute},  {"mins", Unit::minute},
      {"hour", Unit::hour},     {"hours", Unit::hour},     {"day", Unit::day},     {"days", Unit::day},
      {"week", Unit::week},     {"weeks", Unit::week},     {"month", Unit::month}, {"months", Unit::month},
      {"mon", Unit::month},     {"mons", Unit::month},     {"year", Unit::year},   {"years", Unit::year}};
  for (const auto& [w, u] : words) {
    if (word == w) {
      unit = u;
      return true;
    }
  }
  return false;
}

const char* unit_name(Unit unit, bool plural)
{
  switch (unit) {
  case Unit::minute:
    return plural ? "minutes" : "minute";
  case Unit::hour:
    return plural ? "hours" : "hour";
  case Unit::day:
    return plural ? "days" : "day";
  case Unit::week:
    return plural ? "weeks" : "week";
  case Unit::month:
    return plural ? "months" : "month";
  case Unit::year:
    return plural ? "years" : "year";
  }
  return "?";
}

Result<Interval> parse_any(const std::string& raw, const char* what)
{
  const std::string text = normalise(raw);
  static const std::pair<const char*, Interval> aliases[] = {
      {"hourly", {Unit::hour, 1}},   {"daily", {Unit::day, 1}},       {"weekly", {Unit::week, 1}},
      {"monthly", {Unit::month, 1}}, {"quarterly", {Unit::month, 3}}, {"yearly", {Unit::year, 1}}};
  for (const auto& [name, iv] : aliases) {
    if (text == name)
      return iv;
  }
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits])))
    ++digits;
  std::string word = text.substr(digits);
  if (!word.empty() && word.front() == ' ')
    word.erase(0, 1);
  Interval iv;
  if (digits == 0 || digits > 7 || !unit_from_word(word, iv.unit)) {
    return Error{std::string("invalid ") + what + " '" + raw +
                 "'; HINT: write a whole number and a unit, such as '1 day', '15 minutes', '3 months', "
                 "or one of hourly, daily, weekly, monthly, quarterly, yearly"};
  }
  iv.count = std::stoll(text.substr(0, digits));
  const std::int64_t most = iv.unit == Unit::year ? k_max_years : k_max_count;
  if (iv.count <= 0 || iv.count > most)
    return Error{std::string("invalid ") + what + " '" + raw + "': the number must be between 1 and " +
                 std::to_string(most)};
  if (iv.unit == Unit::minute && iv.count % 60 == 0)
    iv = {Unit::hour, iv.count / 60};
  return iv;
}

} // namespace

std::string Interval::text() const
{
  return std::to_string(count) + " " + unit_name(unit, count != 1);
}

Micros Interval::approx_micros() const
{
  switch (unit) {
  case Unit::minute:
    return count * k_micros_per_minute;
  case Unit::hour:
    return count * 60 * k_micros_per_minute;
  case Unit::day:
    return count * k_micros_per_day;
  case Unit::week:
    return count * 7 * k_micros_per_day;
  case Unit::month:
    return count * 30 * k_micros_per_day;
  case Unit::year:
    return count * 365 * k_micros_per_day;
  }
  return 0;
}

Result<Interval> parse_partition_interval(const std::string& text)
{
  auto iv = parse_any(text, "interval");
  if (iv && iv->unit == Unit::minute && iv->count % 15 != 0)
    return Error{"invalid interval '" + text +
                 "': minutes must be a multiple of 15; HINT: use '15 minutes', '30 minutes' or hours"};
  return iv;
}

Result<Interval> parse_period(const std::string& text)
{
  return parse_any(text, "period");
}

namespace {

std::int64_t minutes_per_slot(const Interval& iv)
{
  return iv.unit == Unit::hour ? iv.count * 60 : iv.count;
}

// Returns the months since 1970-01 of a wall-clock time, and the time since that month began.
std::int64_t month_index(Micros local)
{
  const auto days = date::sys_days{date::days{floor_div(local, k_micros_per_day)}};
  const date::year_month_day ymd{days};
  return (static_cast<std::int64_t>(static_cast<int>(ymd.year())) - 1970) * 12 +
         static_cast<std::int64_t>(static_cast<unsigned>(ymd.month())) - 1;
}

Micros month_start(std::int64_t index)
{
  const auto y = date::year{static_cast<int>(1970 + floor_div(index, 12))};
  const auto m = date::month{static_cast<unsigned>(index - floor_div(index, 12) * 12 + 1)};
  const date::sys_days days{y / m / 1};
  return static_cast<Micros>(days.time_since_epoch().count()) * k_micros_per_day;
}

} // namespace

std::int64_t slot_of(const Interval& iv, Micros local)
{
  switch (iv.unit) {
  case Unit::minute:
  case Unit::hour:
    return floor_div(floor_div(local, k_micros_per_minute), minutes_per_slot(iv));
  case Unit::day:
    return floor_div(floor_div(local, k_micros_per_day), iv.count);
  case Unit::week:
    return floor_div(floor_div(floor_div(local, k_micros_per_day) - k_monday_offset, 7), iv.count);
  case Unit::month:
    return floor_div(month_index(local), iv.count);
  case Unit::year:
    return floor_div(month_index(local), 12 * iv.count);
  }
  return 0;
}

Micros slot_start(const Interval& iv, std::int64_t slot)
{
  switch (iv.unit) {
  case Unit::minute:
  case Unit::hour:
    return slot * minutes_per_slot(iv) * k_micros_per_minute;
  case Unit::day:
    return slot * iv.count * k_micros_per_day;
  case Unit::week:
    return (k_monday_offset + slot * iv.count * 7) * k_micros_per_day;
  case Unit::month:
    return month_start(slot * iv.count);
  case Unit::year:
    return month_start(slot * iv.count * 12);
  }
  return 0;
}

namespace {

// The months from 1970-01 to the first and the end of the plannable range.
constexpr std::int64_t k_first_plannable_month = (1 - 1970) * 12;
constexpr std::int64_t k_end_plannable_month = (10000 - 1970) * 12;

// A slot of `iv` in the linear unit it counts in (minutes, days, days from a Monday, months): slot s covers
// units [s * per_slot, (s + 1) * per_slot); `first` and `end` bound the plannable range in that unit.
struct LinearSlots
{
  std::int64_t per_slot;
  std::int64_t first;
  std::int64_t end;
};

LinearSlots linear_slots(const Interval& iv)
{
  constexpr std::int64_t first_day = k_first_plannable / k_micros_per_day;
  constexpr std::int64_t end_day = k_end_plannable / k_micros_per_day;
  switch (iv.unit) {
  case Unit::minute:
  case Unit::hour:
    return {minutes_per_slot(iv), first_day * 1440, end_day * 1440};
  case Unit::day:
    return {iv.count, first_day, end_day};
  case Unit::week:
    return {iv.count * 7, first_day - k_monday_offset, end_day - k_monday_offset};
  case Unit::month:
    return {iv.count, k_first_plannable_month, k_end_plannable_month};
  case Unit::year:
    return {iv.count * 12, k_first_plannable_month, k_end_plannable_month};
  }
  return {1, 0, 0};
}

} // namespace

SlotRange plannable_slots(const Interval& iv)
{
  const LinearSlots s = linear_slots(iv);
  return {-floor_div(-s.first, s.per_slot), floor_div(s.end, s.per_slot) - 1};
}

bool reaches_before_plannable(Micros local, const Interval& period)
{
  if (period.unit == Unit::month || period.unit == Unit::year)
    return month_index(local) - linear_slots(period).per_slot < k_first_plannable_month;
  return local - period.approx_micros() < k_first_plannable;
}

Micros subtract_period(Micros local, const Interval& period)
{
  const std::int64_t day = floor_div(local, k_micros_per_day);
  const Micros time_of_day = local - day * k_micros_per_day;
  switch (period.unit) {
  case Unit::minute:
  case Unit::hour:
    return local - minutes_per_slot(period) * k_micros_per_minute;
  case Unit::day:
    return local - period.count * k_micros_per_day;
  case Unit::week:
    return local - period.count * 7 * k_micros_per_day;
  case Unit::month:
  case Unit::year: {
    const std::int64_t months = period.unit == Unit::month ? period.count : period.count * 12;
    date::year_month_day ymd{date::sys_days{date::days{day}}};
    const date::year_month shifted = date::year_month{ymd.year(), ymd.month()} - date::months{months};
    date::year_month_day target{shifted / ymd.day()};
    if (!target.ok())
      target = date::year_month_day{shifted / date::last};
    const auto days = date::sys_days{target}.time_since_epoch().count();
    return static_cast<Micros>(days) * k_micros_per_day + time_of_day;
  }
  }
  return local;
}

} // namespace partman::core
