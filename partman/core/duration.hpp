// Durations of the worker's configuration ("10min", "30s", "250ms"), written as PostgreSQL writes the units
// of its own settings.
#pragma once

#include <chrono>
#include <string>

#include "partman/core/result.hpp"

namespace partman::core {

using Millis = std::chrono::milliseconds;

// Parses a whole number and one of PostgreSQL's time units: ms, s, min, h, d (a space between them is
// allowed; a bare number is refused, since its unit would be a guess). The result lies within 0 and 365 days.
Result<Millis> parse_duration(const std::string& text);
// Returns `d` in the largest unit that writes it exactly ("10min", "1500ms").
std::string duration_text(Millis d);

} // namespace partman::core
