#!/usr/bin/env bash
# The main job on an embedded default, from a fresh Debian 12 machine: install what is missing, build,
# start a throwaway PostgreSQL 15, create a demo table with some history, then show each step of partman
# on it: install, manage, plan (text and SQL), apply, status, and a second plan that has nothing to do.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/bootstrap.sh
exec tests/pg_temp.sh bash packaging/demo_job.sh
