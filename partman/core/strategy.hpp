// How PostgreSQL partitions a table (pg_partitioned_table.partstrat): a closed set.
#pragma once

namespace partman::core {

// The partition strategy of a table.
enum class Strategy
{
  none, // not partitioned (or not read)
  range,
  list,
  hash
};

// Returns "RANGE", "LIST" or "HASH" as SQL writes it after PARTITION BY; "" for none.
const char* to_string(Strategy strategy);
// Returns the strategy of partstrat code `code` ('r', 'l', 'h'); none for any other.
Strategy parse_strategy(char code);
// Returns the partstrat code of `strategy` ('r', 'l', 'h'; '\0' for none).
char strategy_code(Strategy strategy);

} // namespace partman::core
