// Fuzz target: the catalog's readers of partition bounds: a range partition's relpartbound node tree as the
// server prints it ("{PARTITIONBOUNDSPEC :strategy r ... :lowerdatums ({PARTITIONRANGEDATUM ...}) ...}")
// and a LIST partition's deparsed bound ("FOR VALUES IN ('a', 7, NULL)"). Any input must read or be
// refused, never crash or overflow.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "partman/db/bound_node.hpp"
#include "partman/db/list_values.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::optional<partman::core::Micros> lower, upper;
  partman::db::parse_bound_node(std::string_view(text), lower, upper);
  std::vector<std::string> values;
  bool null_value = false;
  // A bound that reads holds a value.
  if (partman::db::parse_list_bound(text, values, null_value))
    partman::fuzz::check(!values.empty() || null_value || text == "FOR VALUES IN ()");
  return 0;
}
