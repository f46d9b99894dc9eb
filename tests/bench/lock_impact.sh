#!/usr/bin/env bash
# Benchmark: what the application feels while maintenance runs. pgbench inserts into N daily parents for
# 16 s; after 2 s a report holds parent ev_1 for 8 s (a query on the current hour's rows, which the planner
# prunes to that hour's partition: ACCESS SHARE on ev_1 and that partition); 0.5 s later maintenance with
# work (about 10 creates and 23 drops per parent) starts. Prints the maintenance time, the inserts done, how
# many took over 50 ms, and their latency (p99, max: the largest stall) for: no maintenance; pg_partman's
# run_maintenance_proc (its sets always have a default partition); partman apply without a default
# partition; and partman apply with a default partition (where a drop needs ACCESS EXCLUSIVE on the
# parent, which the inserts queue behind while it waits), once with every action under --lock-timeout and
# --retries (as before --exclusive-lock-timeout existed) and once with the exclusive lock timeout.
# Usage: tests/bench/lock_impact.sh [N]     (default 20; starts its own server unless PGHOST is set)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-20}
if [ -z "${PGHOST:-}" ]; then
  exec tests/pg_temp.sh "$0" "$N"
fi
partman=$(realpath "${PARTMAN_BIN:-build/partman}")
lock_timeout=${LOCK_TIMEOUT:-1s}
exclusive=${EXCLUSIVE_LOCK_TIMEOUT:-100ms}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }

setup() { # $1: pg_partman | partman | partman-default
  psql -qX -d postgres -c "DROP DATABASE IF EXISTS bench_lock WITH (FORCE)" -c "CREATE DATABASE bench_lock" 2>/dev/null
  export PGDATABASE=bench_lock
  for i in $(seq 1 "$N"); do
    echo "CREATE TABLE public.ev_$i (id bigint NOT NULL, ts timestamptz NOT NULL, payload text) PARTITION BY RANGE (ts);"
    echo "CREATE INDEX ON public.ev_$i (ts);"
  done | psql -qX -v ON_ERROR_STOP=1 >/dev/null
  if [ "$1" = pg_partman ]; then
    psql -qX -c "CREATE SCHEMA pgp; CREATE EXTENSION pg_partman SCHEMA pgp"
    for i in $(seq 1 "$N"); do
      echo "SELECT pgp.create_parent('public.ev_$i', 'ts', 'native', 'daily', p_premake := 4, p_start_partition := (now() - interval '30 days')::date::text);"
    done | psql -qX -v ON_ERROR_STOP=1 >/dev/null
    psql -qX -c "UPDATE pgp.part_config SET premake = 14, retention = '7 days', retention_keep_table = false, infinite_time_partitions = true"
  else
    local default=()
    [ "$1" = partman-default ] && default=(--default-partition)
    "$partman" install >/dev/null
    start=$(date -u -d '30 days ago' +%F)
    for i in $(seq 1 "$N"); do "$partman" manage "ev_$i" --interval daily --premake 4 --start "$start" "${default[@]}" >/dev/null; done
    "$partman" apply >/dev/null
    psql -qX -c "UPDATE partman.policy SET premake = 14, retention = '7 days', retention_action = 'drop', start_at = NULL"
  fi
}

run() { # $1: label, $2...: the maintenance command (or 'true')
  local label=$1; shift
  printf '\\set p random(1, %d)\nINSERT INTO public.ev_:p (id, ts, payload) VALUES (1, now(), %s);\n' "$N" "'x'" >"$work/ins.sql"
  rm -f "$work"/log*
  (cd "$work" && pgbench -n -c 4 -T 16 -f ins.sql -l --log-prefix=log >/dev/null 2>&1) & local bench=$!
  sleep 2
  # constant bounds, so that the planner prunes (and locks) all but the partition that holds them
  local from to; from=$(date -u +'%F %H:00+00'); to=$(date -u -d '+1 hour' +'%F %H:00+00')
  psql -qX -c "BEGIN; SELECT count(*) FROM public.ev_1 WHERE ts >= '$from' AND ts < '$to'; SELECT pg_sleep(8); COMMIT;" >/dev/null & local reader=$!
  sleep 0.5
  local t0 t1 rc=0
  t0=$(now); "$@" >"$work/maint.out" 2>&1 || rc=$?; t1=$(now)
  wait "$reader"; wait "$bench"
  cat "$work"/log* | awk '{ print $3 }' | sort -n | awk -v label="$label" -v t0="$t0" -v t1="$t1" -v rc="$rc" '
    { lat[++n] = $1; slow += $1 > 50000 }
    END {
      p99 = lat[int(n * 0.99)]; max = lat[n]
      printf "  %-58s %10.1f %8d %8d %9.1f %9.0f   (exit %d)\n", label, t1 - t0, n, slow, p99 / 1000, max / 1000, rc }'
  # what partman did with the held parent, and how many attempts its actions needed
  if grep -q 'attempts' "$work/maint.out"; then
    grep -E '(deferred|after [0-9]+ attempts)' "$work/maint.out" | sed 's/^ */      /' | cut -c1-150 | head -4
  fi
}

echo "N=$N parents, pgbench -c 4 inserting for 16 s, a report holding ev_1 (this hour's partition) for 8 s:"
printf '  %-58s %10s %8s %8s %9s %9s\n' "" "maint. (s)" "inserts" "> 50 ms" "p99 (ms)" "max (ms)"
setup partman;         run "no maintenance" true
setup pg_partman;      run "pg_partman run_maintenance_proc (default partition)" \
                         psql -qX -c "CALL pgp.run_maintenance_proc()"
setup partman;         run "partman apply --lock-timeout $lock_timeout, no default partition" \
                         "$partman" apply --force --lock-timeout "$lock_timeout"
setup partman-default; run "partman, default partition, all under $lock_timeout (as before)" \
                         "$partman" apply --force --lock-timeout "$lock_timeout" \
                         --exclusive-lock-timeout "$lock_timeout" --exclusive-retries 3
setup partman-default; run "partman, default partition, --exclusive-lock-timeout $exclusive" \
                         "$partman" apply --force --lock-timeout "$lock_timeout" --exclusive-lock-timeout "$exclusive"
