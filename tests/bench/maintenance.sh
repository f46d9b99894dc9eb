#!/usr/bin/env bash
# Benchmark: nightly maintenance of N daily-partitioned parents, partman beside pg_partman 4.7 and the
# floor (the same DDL fed straight to psql), on one throwaway PostgreSQL.
# Workload: each parent has an index on ts, a default partition and 30 days of history plus 4 ahead; the
# policy then becomes premake 14, retention 7 days (drop): about 10 creates and 23 drops per parent;
# then a run with nothing to do.
# Usage: tests/bench/maintenance.sh [N]     (default 200; starts its own server unless PGHOST is set)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-200}
if [ -z "${PGHOST:-}" ]; then
  exec tests/pg_temp.sh "$0" "$N"
fi
partman=${PARTMAN_BIN:-build/partman}
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# Times one run of a command, in seconds with milliseconds (an idle run takes tens of them).
time_ms() {
  local t0 t1
  t0=$(now); "$@" >/dev/null; t1=$(now)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
fresh_db() { psql -qX -d postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1"; }
tables() {
  for i in $(seq 1 "$N"); do
    echo "CREATE TABLE public.ev_$i (id bigint NOT NULL, ts timestamptz NOT NULL, payload text) PARTITION BY RANGE (ts);"
    echo "CREATE INDEX ON public.ev_$i (ts);"
  done
}

# --- pg_partman ---------------------------------------------------------------------------------------
fresh_db bench_pg_partman
export PGDATABASE=bench_pg_partman
psql -qX -c "CREATE SCHEMA pgp; CREATE EXTENSION pg_partman SCHEMA pgp"
{ tables; for i in $(seq 1 "$N"); do
    echo "SELECT pgp.create_parent('public.ev_$i', 'ts', 'native', 'daily', p_premake := 4, p_start_partition := (now() - interval '30 days')::date::text);"
  done; } | psql -qX -v ON_ERROR_STOP=1 >/dev/null
psql -qX -c "UPDATE pgp.part_config SET premake = 14, retention = '7 days', retention_keep_table = false, infinite_time_partitions = true"
t0=$(now); psql -qX -c "CALL pgp.run_maintenance_proc()"; t1=$(now)
pgp_children=$(psql -qXAt -c "SELECT count(*) FROM pg_inherits")
pgp_work=$(secs "$t0" "$t1")

# --- the floor: the same DDL straight into psql, one transaction per parent -----------------------------
fresh_db bench_floor
export PGDATABASE=bench_floor
{ tables; for i in $(seq 1 "$N"); do
    echo "CREATE TABLE public.ev_${i}_default PARTITION OF public.ev_$i DEFAULT;"
    for d in $(seq -30 4); do
      echo "CREATE TABLE public.ev_${i}_d$((d + 100)) PARTITION OF public.ev_$i FOR VALUES FROM (date_trunc('day', now()) + interval '$d day') TO (date_trunc('day', now()) + interval '$((d + 1)) day');"
    done
  done; } | psql -qX -v ON_ERROR_STOP=1 >/dev/null
work=$(mktemp)
for i in $(seq 1 "$N"); do
  echo "BEGIN;"
  for d in $(seq 5 14); do
    echo "CREATE TABLE public.ev_${i}_d$((d + 100)) PARTITION OF public.ev_$i FOR VALUES FROM (date_trunc('day', now()) + interval '$d day') TO (date_trunc('day', now()) + interval '$((d + 1)) day');"
  done
  for d in $(seq -30 -8); do echo "DROP TABLE public.ev_${i}_d$((d + 100));"; done
  echo "COMMIT;"
done >"$work"
t0=$(now); psql -qX -v ON_ERROR_STOP=1 -f "$work" >/dev/null; t1=$(now)
rm -f "$work"
floor_work=$(secs "$t0" "$t1")

# --- partman ------------------------------------------------------------------------------------------
fresh_db bench_partman
export PGDATABASE=bench_partman
{ tables; for i in $(seq 1 "$N"); do echo "CREATE TABLE public.ev_${i}_default PARTITION OF public.ev_$i DEFAULT;"; done; } \
  | psql -qX -v ON_ERROR_STOP=1 >/dev/null
"$partman" install >/dev/null
start=$(date -u -d '30 days ago' +%F)
for i in $(seq 1 "$N"); do "$partman" manage "ev_$i" --interval daily --premake 4 --start "$start" >/dev/null; done
"$partman" apply >/dev/null
psql -qX -c "UPDATE partman.policy SET premake = 14, retention = '7 days', retention_action = 'drop', start_at = NULL"
# The new retention removes 23 of 45 partitions per parent: more than the guard lets through unasked.
t0=$(now); "$partman" plan --force >/dev/null; t1=$(now)
"$partman" apply --force >/dev/null; t2=$(now)
pm_children=$(psql -qXAt -c "SELECT count(*) FROM pg_inherits")
pm_plan=$(secs "$t0" "$t1"); pm_work=$(secs "$t1" "$t2")

# --- runs with nothing to do: pg_partman's and partman's in turns, so both meet the same machine --------
pgp_times=(); pm_times=()
for _ in $(seq 1 9); do
  pgp_times+=("$(PGDATABASE=bench_pg_partman time_ms psql -qX -c "CALL pgp.run_maintenance_proc()")")
  pm_times+=("$(PGDATABASE=bench_partman time_ms "$partman" apply)")
done
pgp_idle=$(median "${pgp_times[@]}"); pm_idle=$(median "${pm_times[@]}")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }'; }
echo
echo "maintenance of N=$N daily parents (about 10 creates and 23 drops each), seconds:"
printf '  %-34s %10s %10s %12s\n' "" "with work" "idle run*" "children"
printf '  %-34s %10s %10s %12s\n' "pg_partman 4.7 run_maintenance_proc" "$pgp_work" "$pgp_idle" "$pgp_children"
printf '  %-34s %10s %10s %12s\n' "floor: the same DDL into psql" "$floor_work" "-" "-"
printf '  %-34s %10s %10s %12s\n' "partman apply" "$pm_work" "$pm_idle" "$pm_children"
printf '  %-34s %10s\n' "partman plan (with work)" "$pm_plan"
echo "  * the median of nine runs with nothing to do, pg_partman's and partman's taken in turns"
echo "  partman vs pg_partman: with work $(ratio "$pgp_work" "$pm_work") faster, idle $(ratio "$pgp_idle" "$pm_idle") faster;" \
     "partman / floor: $(ratio "$pm_work" "$floor_work")"
