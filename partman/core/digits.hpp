// Writing fixed-width decimal fields without printf: dates and bounds are formatted once per partition per
// run, and snprintf's format parsing was the planner's largest cost.
#pragma once

namespace partman::core {

// Writes `value` as exactly `width` decimal digits (zero-padded; higher digits dropped) at `out`; returns
// the position after them.
inline char* put_digits(char* out, unsigned long value, int width)
{
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out + width;
}

} // namespace partman::core
