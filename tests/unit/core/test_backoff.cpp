#include <catch2/catch.hpp>

#include "partman/core/backoff.hpp"

using partman::core::Backoff;
using partman::core::backoff_ms;

TEST_CASE("the back-off doubles from its first wait up to its cap and adds at most half of it at random")
{
  Backoff backoff; // 200 ms, doubling up to 1 s
  std::mt19937 rng(7);
  for (int attempt = 1; attempt <= 60; ++attempt) {
    const long long base = attempt == 1 ? 200 : attempt == 2 ? 400 : attempt == 3 ? 800 : 1000;
    for (int draw = 0; draw < 50; ++draw) {
      INFO("attempt " << attempt);
      const int wait = backoff_ms(backoff, attempt, rng);
      CHECK(wait >= base);
      CHECK(wait <= base + base / 2);
    }
  }
  backoff.first_ms = 0; // no wait at all
  CHECK(backoff_ms(backoff, 5, rng) == 0);
}

TEST_CASE("the back-off's jitter spreads the waits of one attempt")
{
  std::mt19937 rng(11);
  const Backoff s3{250, 4000};
  int least = 1 << 30, most = 0;
  for (int draw = 0; draw < 200; ++draw) {
    const int wait = backoff_ms(s3, 3, rng); // 250 doubled twice
    least = std::min(least, wait);
    most = std::max(most, wait);
  }
  CHECK(least >= 1000);
  CHECK(most <= 1500);
  CHECK(most - least > 100);
}
