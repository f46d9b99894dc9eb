#!/usr/bin/env bash
# The worker against real servers it starts itself (each scenario a function; the script fails if any
# does): a policy change applied through LISTEN/NOTIFY, two workers on one database (one leads, each
# action once), kill -9 of the leader (the other takes over), a server restart mid-run, a promoted standby
# behind a multi-host conninfo, SIGTERM during a long archive, SIGHUP reloads, /metrics through promtool.
# Usage: tests/worker/test_worker.sh PARTMAN_BINARY [SCENARIO...]    (ctest runs it with no scenario: all)
set -uo pipefail
partman=$(realpath "$1")
shift
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/worker/lib.sh
source "$here/lib.sh"

scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(notify quiet two_workers takeover restart standby sigterm reload metrics discover soak)
for s in "${scenarios[@]}"; do
  run_scenario "$s"
done
finish
