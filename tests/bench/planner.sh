#!/usr/bin/env bash
# Benchmark of the pure planner: 1,000 parents x 1,000 daily partitions planned in memory (no database).
# Prints the plan time (best of 5) and the peak resident memory; the target is < 100 ms and < 200 MB.
# Usage: tests/bench/planner.sh [PARENTS [PARTITIONS]]     (BUILD_DIR selects the build folder, default build)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD_DIR:-build}
[ -f "$build/CMakeCache.txt" ] || cmake -S . -B "$build" >/dev/null
cmake --build "$build" --target planner_bench >/dev/null
exec "$build/tests/planner_bench" "$@"
