#include <catch2/catch.hpp>

#include "partman/core/progress_line.hpp"

using namespace partman::core;

TEST_CASE("progress: the share stays below 100% while running and is 100% once finished")
{
  CHECK(progress_percent({0, 0, 1, false}) == -1);
  CHECK(progress_percent({50, 200, 1, false}) == 25);
  // The total is an estimate (the relation's size): more bytes than that still read 99% until the end.
  CHECK(progress_percent({300, 200, 1, false}) == 99);
  CHECK(progress_percent({200, 200, 1, false}) == 99);
  // A COPY of fewer bytes than the relation's size ends at 100% all the same.
  CHECK(progress_percent({120, 200, 1, true}) == 100);
  CHECK(progress_bar({120, 200, 1, true}) == "[########################] 100% ");
  CHECK(progress_bar({50, 200, 1, false}) == "[######..................] 25% ");
  CHECK(progress_bar({50, 0, 1, false}).empty());
}

TEST_CASE("progress: the time left from the rate so far, and the time taken at the end")
{
  // 1 MiB of 4 MiB in 2 s: 3 MiB to go at 512 kB/s, 6 s.
  CHECK(progress_text({1024 * 1024, 4 * 1024 * 1024, 2, false}) == "1.0 MB of ~4.0 MB  512.0 kB/s  ETA 6s");
  CHECK(progress_text({1024 * 1024, 7381ull * 1024 * 1024, 1, false}) ==
        "1.0 MB of ~7.2 GB  1.0 MB/s  ETA 2h03m");
  // Past the estimate, or without a total, no ETA.
  CHECK(progress_text({2048, 1024, 1, false}) == "2.0 kB of ~1.0 kB  2.0 kB/s");
  CHECK(progress_text({2048, 0, 1, false}) == "2.0 kB  2.0 kB/s");
  CHECK(progress_text({1024 * 1024, 4 * 1024 * 1024, 2.5, true}) == "1.0 MB of ~4.0 MB  409.6 kB/s  in 3s");
}

TEST_CASE("progress: durations for people")
{
  CHECK(duration_text(0) == "0s");
  CHECK(duration_text(6.2) == "7s");
  CHECK(duration_text(245) == "4m05s");
  CHECK(duration_text(7380) == "2h03m");
}
