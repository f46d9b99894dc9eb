// What the fuzz targets share: a broken property is a finding.
#pragma once

#include <cstdlib>

namespace partman::fuzz {

// Aborts (a finding, with the input saved by libFuzzer) unless `ok`.
inline void check(bool ok)
{
  if (!ok)
    std::abort();
}

} // namespace partman::fuzz
