#!/usr/bin/env bash
# The test suite built with AddressSanitizer and UndefinedBehaviorSanitizer (clang-14, into build-asan, with
# the fuzz targets), against a throwaway PostgreSQL and S3 server. The integration tests run that build's
# partman binary. Every sanitizer report goes to a file; any report, even from a process whose test passed
# (a partman run that a test expects to fail), fails the run. tests/run calls it after the normal suite.
# Usage: tests/sanitized.sh [CTEST ARGUMENTS]
set -euo pipefail
cd "$(dirname "$0")/.."

cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 -DPARTMAN_FUZZ=ON \
  >/dev/null
# (A failed build ends the script: the pipeline's status is the build's.)
cmake --build build-asan -j"$(nproc)" 2>&1 | { grep -Ev '^\[ *[0-9]+%\]|^Consolidate|^-- ' || true; }

reports=$(mktemp -d /tmp/partman-sanitizer.XXXXXX)
trap 'rm -rf "$reports"' EXIT
chmod 777 "$reports"
common="halt_on_error=1:log_path=$reports/report:log_exe_name=1"
export ASAN_OPTIONS="$common:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1"
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="$common:print_stacktrace=1"
export PARTMAN_SANITIZED=1 # tests that cannot run sanitized (libfaketime) say so and skip

status=0
tests/pg_temp.sh tests/s3_temp.sh ctest --test-dir build-asan --output-on-failure -j"$(nproc)" "$@" || status=$?
if compgen -G "$reports/report*" >/dev/null; then
  echo "sanitized: sanitizer reports:" >&2
  for f in "$reports"/report*; do
    echo "== $f" >&2
    cat "$f" >&2
  done
  exit 1
fi
exit $status
