#!/usr/bin/env bash
# The demo's steps; runs with PG* pointing at a database (packaging/demo.sh provides a throwaway one).
set -euo pipefail
cd "$(dirname "$0")/.."
partman=build/partman
if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold= plain=; fi
step() { printf '\n%s$ %s%s\n' "$bold" "$*" "$plain"; "$@"; }

echo "Creating the demo table app.events (partitioned by day on created_at), with two old partitions,"
echo "a default partition and some rows:"
psql -q -v ON_ERROR_STOP=1 <<'SQL'
CREATE SCHEMA app;
CREATE SCHEMA archive;
CREATE TABLE app.events (
    id         bigint GENERATED ALWAYS AS IDENTITY,
    created_at timestamptz NOT NULL,
    kind       text NOT NULL,
    payload    jsonb
) PARTITION BY RANGE (created_at);
CREATE INDEX ON app.events (created_at);
-- Two partitions from long ago (by hand), and a default that catches the rest.
CREATE TABLE app.events_old1 PARTITION OF app.events FOR VALUES FROM ('2026-08-01') TO ('2026-08-02');
CREATE TABLE app.events_old2 PARTITION OF app.events FOR VALUES FROM ('2026-08-02') TO ('2026-08-03');
CREATE TABLE app.events_default PARTITION OF app.events DEFAULT;
INSERT INTO app.events (created_at, kind) VALUES ('2026-08-01 10:00+00', 'signup'), ('2026-08-02 11:00+00', 'login');
SQL

step "$partman" install
step "$partman" manage app.events --interval daily --premake 7 --retention '30 days' --retention-schema archive
step "$partman" plan
step "$partman" plan app.events --format sql
step "$partman" apply
step "$partman" status
step "$partman" plan
echo
echo "The history of what was applied (partman.history):"
psql -c "SELECT applied_at::time(0) AS at, action, partition_name, round(duration_ms::numeric, 1) AS ms, outcome FROM partman.history ORDER BY id"
