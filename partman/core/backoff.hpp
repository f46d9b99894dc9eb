// How long to wait before trying again: a capped exponential back-off with jitter, for every retry loop
// (the executor's lock conflicts, restore's attach, the S3 client's requests). The caller sleeps.
#pragma once

#include <random>

namespace partman::core {

// The waits of one retry loop.
struct Backoff
{
  int first_ms = 200; // the wait after the first failed attempt; doubles after each further one
  int max_ms = 1000;  // the wait stops doubling here (before jitter)
};

// Returns the wait after failed attempt `attempt` (from 1), in ms: first_ms doubled per attempt up to
// max_ms, plus up to half of that again, drawn from `rng` (so that retries of several runs spread out).
int backoff_ms(const Backoff& backoff, int attempt, std::mt19937& rng);

} // namespace partman::core
