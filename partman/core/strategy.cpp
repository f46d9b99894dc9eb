#include "partman/core/strategy.hpp"

namespace partman::core {

const char* to_string(Strategy strategy)
{
  switch (strategy) {
  case Strategy::none:
    return "";
  case Strategy::range:
    return "RANGE";
  case Strategy::list:
    return "LIST";
  case Strategy::hash:
    return "HASH";
  }
  return "";
}

Strategy parse_strategy(char code)
{
  switch (code) {
  case 'r':
    return Strategy::range;
  case 'l':
    return Strategy::list;
  case 'h':
    return Strategy::hash;
  default:
    return Strategy::none;
  }
}

char strategy_code(Strategy strategy)
{
  switch (strategy) {
  case Strategy::none:
    return '\0';
  case Strategy::range:
    return 'r';
  case Strategy::list:
    return 'l';
  case Strategy::hash:
    return 'h';
  }
  return '\0';
}

} // namespace partman::core
