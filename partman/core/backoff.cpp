#include "partman/core/backoff.hpp"

#include <algorithm>

namespace partman::core {

int backoff_ms(const Backoff& backoff, int attempt, std::mt19937& rng)
{
  const long long cap = std::max(backoff.max_ms, 0);
  long long base = std::max(backoff.first_ms, 0);
  for (int i = 1; i < attempt && base < cap; ++i)
    base *= 2;
  base = std::min(base, cap);
  return static_cast<int>(base + std::uniform_int_distribution<long long>(0, base / 2)(rng));
}

} // namespace partman::core
