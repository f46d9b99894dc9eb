#!/usr/bin/env bash
# Benchmark: the worker (`partman worker`) with nothing to do, beside `partman apply` and pg_partman 4.7's
# `CALL run_maintenance_proc()` measured in the same run on the same server. Prints figures; never passes or
# fails on time.
#
# 1. One database, P daily parents (default 200 and 1,000; premake 4, applied once, so nothing to do):
#    - the worker's turn: a worker at --interval 100ms makes turns back to back; the mean of
#      partman_run_duration_seconds over a few hundred turns (the difference of _sum and _count read twice
#      from /metrics; a turn's time includes opening its working session), and the turns it made a second;
#    - `partman apply` as a process and pg_partman's procedure (its own database with the extension and the
#      same parents): medians of several runs, taken in turns.
# 2. A fleet of K databases (default 1,000) with 5 daily parents each, cloned from a template database that
#    was applied once (CREATE DATABASE ... TEMPLATE), and as many pg_partman databases cloned the same way.
#    - first cycle: a worker with --max-connections 8 --interval 1h, from its start until /readyz answers
#      200 (every database has had its first turn, its control session opened on the way);
#    - warm cycle: a worker with --interval 100ms keeps all 8 working sessions busy (every database is due
#      again before its turn comes round); after /readyz and a warm-up, the turns it finishes in a window of
#      W seconds (default 30) give the seconds a whole K-database cycle takes with its control sessions open;
#    - the anchor: pg_partman's procedure over the same number of databases one after another, each with
#      the server's psql (what pg_partman's background worker does with a list of databases, plus a psql
#      process start), a first cycle and a second; and a loop of connect + SELECT 1 alone (the floor of a
#      fresh server process per database).
#    - memory: process_resident_memory_bytes after the first cycle and in the warm run. "The same RSS after
#      10,000 cycles as after 100" cannot be waited for over K databases (a turn costs tens of ms), so the
#      soak counts turns instead: a worker over 10 of the databases at --interval 100ms, RSS at 100 turns a
#      database and then every so often up to S turns in total (default 100,000, 10,000 a database).
# 3. Leader takeover: two workers on one database; kill -9 of the leader; time until the other's
#    partman_leader is 1 (polled every 50 ms), with --leader-check 1s and with the default 5s.
#
# Usage: tests/bench/worker.sh [--fleet K] [--parents "200 1000"] [--window W] [--soak-turns S]
#                              [--trials N] [--skip PART]...    (PART: single, fleet, soak, takeover)
# Starts its own server (tests/pg_temp.sh with max_connections K + 100) unless PGHOST is set.
set -euo pipefail
cd "$(dirname "$0")/../.."
K=1000 PARENTS="200 1000" WINDOW=30 SOAK_TURNS=100000 TRIALS=5 SKIP=" "
args=("$@")
while [ $# -gt 0 ]; do
  case $1 in
  --fleet) K=$2; shift 2 ;;
  --parents) PARENTS=$2; shift 2 ;;
  --window) WINDOW=$2; shift 2 ;;
  --soak-turns) SOAK_TURNS=$2; shift 2 ;;
  --trials) TRIALS=$2; shift 2 ;;
  --skip) SKIP="$SKIP$2 "; shift 2 ;;
  *) echo "worker.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
if [ -z "${PGHOST:-}" ]; then
  export PG_TEMP_MAX_CONNECTIONS=$((K + 100))
  exec tests/pg_temp.sh "$0" "${args[@]}"
fi
partman=$(realpath "${PARTMAN_BIN:-build/partman}")
PSQL=${PSQL:-/usr/lib/postgresql/15/bin/psql} # Debian's /usr/bin/psql is a Perl wrapper (~70 ms a call)
work=$(mktemp -d /tmp/partman-bench-worker.XXXXXX)
wpid=""
cleanup() {
  [ -n "$wpid" ] && kill -9 "$wpid" 2>/dev/null
  [ -n "${other:-}" ] && kill -9 "$other" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
skipped() { [[ $SKIP == *" $1 "* ]]; }
sql() { "$PSQL" -qXAt -v ON_ERROR_STOP=1 "$@"; }
now() { date +%s.%N; }
calc() { awk "BEGIN { printf $1 }"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
time_s() {
  local t0 t1
  t0=$(now); "$@" >/dev/null; t1=$(now)
  calc "\"%.3f\", $t1 - $t0"
}
load() { cut -d' ' -f1-3 /proc/loadavg; }
# Prints a TCP port nothing listens on, for a worker's HTTP endpoint.
# Ports 20000-31999: below the kernel's ephemeral range (32768 and up), so no outgoing connection takes
# the port between this check and the bind.
free_port() {
  local p=$((20000 + RANDOM % 12000))
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((20000 + RANDOM % 12000)); done
  echo "$p"
}

# Starts a worker in the background with the given arguments; sets $wpid and $wport.
start_worker() {
  wport=$(free_port)
  PARTMAN_LOG_FORMAT=text "$partman" worker --listen "127.0.0.1:$wport" --config /dev/null "$@" \
    >>"$work/worker.log" 2>&1 &
  wpid=$!
}
stop_worker() {
  kill -TERM "$wpid" 2>/dev/null || true
  wait "$wpid" 2>/dev/null || true
  wpid=""
}
metrics() { curl -fsS "http://127.0.0.1:${1:-$wport}/metrics"; }
# Sums the samples of metric $1 over all its label sets (port $2, default the current worker's).
msum() { metrics "${2:-}" | awk -v m="$1" '$1 == m || index($1, m "{") == 1 { s += $2 } END { printf "%.6f\n", s }'; }
rss_mib() { msum process_resident_memory_bytes | awk '{ printf "%.1f", $1 / 1048576 }'; }
ready() { curl -fsS -o /dev/null "http://127.0.0.1:${1:-$wport}/readyz" 2>/dev/null; }
# Waits up to $1 seconds (polling every 50 ms) for the command in the remaining arguments; 1 on timeout.
wait_for() {
  local until
  until=$(calc "\"%d\", $(date +%s) + $1"); shift
  until "$@"; do
    [ "$(date +%s)" -ge "$until" ] && return 1
    sleep 0.05
  done
}
turns_at_least() { [ "$(msum partman_run_duration_seconds_count | cut -d. -f1)" -ge "$1" ]; }
failed_runs() { metrics | awk 'index($1, "partman_runs_total{") == 1 && $1 ~ /result="failed"/ { s += $2 } END { print s + 0 }'; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# Makes database $1 with $2 daily parents public.ev_1..N (no rows).
make_tables() {
  sql -d postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1"
  for i in $(seq 1 "$2"); do
    echo "CREATE TABLE public.ev_$i (id bigint NOT NULL, ts timestamptz NOT NULL, payload text) PARTITION BY RANGE (ts);"
  done | sql -d "$1" >/dev/null
}
# Makes database $1 with $2 parents managed by partman (daily, premake 4) and applies once.
make_partman_db() {
  make_tables "$1" "$2"
  PGDATABASE=$1 "$partman" install >/dev/null
  seq 1 "$2" | PGDATABASE=$1 xargs -P 2 -I{} "$partman" manage public.ev_{} --interval daily --premake 4 >/dev/null
  PGDATABASE=$1 "$partman" apply >/dev/null
}
# Makes database $1 with $2 parents under pg_partman 4.7 (daily, premake 4, from today: the current partition,
# 4 ahead and pg_partman's default partition) and runs its maintenance once.
make_pg_partman_db() {
  make_tables "$1" "$2"
  { echo "CREATE SCHEMA pgp; CREATE EXTENSION pg_partman SCHEMA pgp;"
    for i in $(seq 1 "$2"); do
      echo "SELECT pgp.create_parent('public.ev_$i', 'ts', 'native', 'daily', p_premake := 4, p_start_partition := date_trunc('day', now())::text);"
    done; } | sql -d "$1" >/dev/null
  sql -d "$1" -c "CALL pgp.run_maintenance_proc()"
}
# Clones template database $1 into $1_1 .. $1_$2, one CREATE DATABASE after another in one session.
clone() {
  for k in $(seq 1 "$2"); do echo "CREATE DATABASE ${1%_tpl}_$k TEMPLATE $1;"; done | sql -d postgres
}

echo "worker benchmark: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GB, PostgreSQL $(sql -d postgres -c 'SHOW server_version')," \
  "max_connections $(sql -d postgres -c 'SHOW max_connections'); load average at start $(load)"
summary=()

# --- 1. one database ----------------------------------------------------------------------------------
if ! skipped single; then
  for N in $PARENTS; do
    t0=$(now)
    make_partman_db "one_pm_$N" "$N"
    make_pg_partman_db "one_pgp_$N" "$N"
    echo "one database, $N parents: setup $(calc "\"%.0f\", $(now) - $t0") s;" \
      "partitions: partman $(sql -d "one_pm_$N" -c 'SELECT count(*) FROM pg_inherits')," \
      "pg_partman $(sql -d "one_pgp_$N" -c 'SELECT count(*) FROM pg_inherits')"

    start_worker -d "dbname=one_pm_$N" --interval 100ms
    wait_for 120 ready || { echo "worker not ready"; tail "$work/worker.log"; exit 1; }
    wait_for 60 turns_at_least 5 || true
    s1=$(msum partman_run_duration_seconds_sum); c1=$(msum partman_run_duration_seconds_count)
    a1=$(msum partman_actions_applied_total); t1=$(now); j1=$(cpu_ticks "$wpid")
    target=$(calc "\"%d\", $c1 + 300")
    wait_for 60 turns_at_least "$target" || true
    s2=$(msum partman_run_duration_seconds_sum); c2=$(msum partman_run_duration_seconds_count)
    a2=$(msum partman_actions_applied_total); t2=$(now); j2=$(cpu_ticks "$wpid")
    rss=$(rss_mib); failed=$(failed_runs)
    stop_worker
    turns=$(calc "\"%d\", $c2 - $c1")
    turn=$(calc "\"%.4f\", ($s2 - $s1) / ($c2 - $c1)")
    rate=$(calc "\"%.1f\", ($c2 - $c1) / ($t2 - $t1)")
    wcpu=$(calc "\"%.1f\", ($j2 - $j1) * 10 / ($c2 - $c1)") # clock ticks are 10 ms
    echo "  worker: $turns turns in $(calc "\"%.1f\", $t2 - $t1") s ($rate a second), a turn $(calc "\"%.1f\", $turn * 1000") ms" \
      "(worker CPU $wcpu ms a turn); actions applied in between: $(calc "\"%d\", $a2 - $a1"); failed runs: $failed; RSS $rss MiB"

    apply_t=(); pgp_t=()
    reps=$([ "$N" -ge 1000 ] && echo 5 || echo 9)
    for _ in $(seq 1 "$reps"); do
      apply_t+=("$(PGDATABASE=one_pm_$N time_s "$partman" apply)")
      pgp_t+=("$(time_s sql -d "one_pgp_$N" -c "CALL pgp.run_maintenance_proc()")")
    done
    apply_m=$(median "${apply_t[@]}"); pgp_m=$(median "${pgp_t[@]}")
    echo "  partman apply: median of $reps $apply_m s (${apply_t[*]})"
    echo "  pg_partman run_maintenance_proc: median of $reps $pgp_m s (${pgp_t[*]})"
    echo "  pg_partman / worker: $(calc "\"%.0fx\", $pgp_m / $turn"); pg_partman / apply: $(calc "\"%.1fx\", $pgp_m / $apply_m"); load $(load)"
    summary+=("$(printf '%-30s %10s %12s %14s %10s' "one database, $N parents" \
      "$(calc "\"%.1f ms\", $turn * 1000")" "$(calc "\"%.0f ms\", $apply_m * 1000")" \
      "$(calc "\"%.0f ms\", $pgp_m * 1000")" "$(calc "\"%.0fx\", $pgp_m / $turn")")")
    sql -d postgres -c "DROP DATABASE one_pm_$N" -c "DROP DATABASE one_pgp_$N"
  done
fi

# --- 2. a fleet ---------------------------------------------------------------------------------------
if ! skipped fleet || ! skipped soak || ! skipped takeover; then
  t0=$(now)
  make_partman_db fleet_pm_tpl 5
  make_pg_partman_db fleet_pgp_tpl 5
  clone fleet_pm_tpl "$K"
  t1=$(now)
  clone fleet_pgp_tpl "$K"
  t2=$(now)
  echo "fleet of $K databases x 5 parents: setup $(calc "\"%.0f\", $t2 - $t0") s (cloning $K databases" \
    "$(calc "\"%.0f\", $t2 - $t1") s); load $(load)"
  for k in $(seq 1 "$K"); do echo "dbname=fleet_pm_$k"; done >"$work/fleet.dsn"
fi
if ! skipped fleet; then
  # pg_partman's loop first: its first cycle meets the databases as fresh as the worker's does.
  t0=$(now)
  for k in $(seq 1 "$K"); do sql -d "fleet_pgp_$k" -c "CALL pgp.run_maintenance_proc()"; done
  t1=$(now)
  for k in $(seq 1 "$K"); do sql -d "fleet_pgp_$k" -c "CALL pgp.run_maintenance_proc()"; done
  t2=$(now)
  for k in $(seq 1 "$K"); do sql -d "fleet_pgp_$k" -c "SELECT 1" >/dev/null; done
  t3=$(now)
  pgp_first=$(calc "\"%.1f\", $t1 - $t0"); pgp_idle=$(calc "\"%.1f\", $t2 - $t1")
  floor=$(calc "\"%.1f\", $t3 - $t2")
  echo "  pg_partman one database after another: first cycle $pgp_first s, second $pgp_idle s" \
    "($(calc "\"%.0f\", ($t2 - $t1) / $K * 1000") ms a database); psql connect + SELECT 1 alone $floor s; load $(load)"

  t0=$(now)
  start_worker --dsn-file "$work/fleet.dsn" --max-connections 8 --interval 1h
  j0=$(cpu_ticks "$wpid")
  wait_for 900 ready || { echo "worker not ready after 900 s"; tail "$work/worker.log"; exit 1; }
  t1=$(now); j1=$(cpu_ticks "$wpid")
  first=$(calc "\"%.1f\", $t1 - $t0"); rss_first=$(rss_mib)
  runs=$(msum partman_run_duration_seconds_count | cut -d. -f1); failed=$(failed_runs)
  stop_worker
  echo "  worker first cycle (start to /readyz, 8 connections): $first s; runs $runs, failed $failed;" \
    "worker CPU $(calc "\"%.1f\", ($j1 - $j0) / 100") s; RSS $rss_first MiB; load $(load)"

  start_worker --dsn-file "$work/fleet.dsn" --max-connections 8 --interval 100ms
  wait_for 900 ready || { echo "worker not ready after 900 s"; tail "$work/worker.log"; exit 1; }
  sleep 5
  c1=$(msum partman_run_duration_seconds_count); s1=$(msum partman_run_duration_seconds_sum)
  t1=$(now); j1=$(cpu_ticks "$wpid")
  sleep "$WINDOW"
  c2=$(msum partman_run_duration_seconds_count); s2=$(msum partman_run_duration_seconds_sum)
  t2=$(now); j2=$(cpu_ticks "$wpid")
  rss_warm=$(rss_mib); failed=$(failed_runs)
  stop_worker
  rate=$(calc "\"%.1f\", ($c2 - $c1) / ($t2 - $t1)")
  warm=$(calc "\"%.1f\", $K * ($t2 - $t1) / ($c2 - $c1)")
  echo "  worker warm: $(calc "\"%d\", $c2 - $c1") turns in $(calc "\"%.1f\", $t2 - $t1") s ($rate a second):" \
    "a whole cycle of $K databases $warm s; a turn $(calc "\"%.1f\", ($s2 - $s1) / ($c2 - $c1) * 1000") ms" \
    "with 8 at a time; worker CPU $(calc "\"%.2f\", ($j2 - $j1) * 10 / ($c2 - $c1)") ms a turn; failed runs $failed;" \
    "RSS $rss_warm MiB; load $(load)"
  summary+=("$(printf '%-30s %10s %12s %14s %10s' "fleet $K x 5, first cycle" "$first s" "-" "$pgp_first s" \
    "$(calc "\"%.1fx\", $pgp_first / $first")")")
  summary+=("$(printf '%-30s %10s %12s %14s %10s' "fleet $K x 5, warm cycle" "$warm s" "-" "$pgp_idle s" \
    "$(calc "\"%.1fx\", $pgp_idle / $warm")")")
  summary+=("$(printf '%-30s %10s' "worker RSS (first / warm)" "$rss_first / $rss_warm MiB")")
fi

# --- memory over many turns ---------------------------------------------------------------------------
if ! skipped soak; then
  n=$((K < 10 ? K : 10))
  head -n "$n" "$work/fleet.dsn" >"$work/soak.dsn"
  start_worker --dsn-file "$work/soak.dsn" --max-connections 8 --interval 100ms
  wait_for 120 ready
  t0=$(now)
  wait_for 600 turns_at_least $((n * 100))
  rss100=$(rss_mib); samples="$(msum partman_run_duration_seconds_count | cut -d. -f1):$rss100"
  step=$((SOAK_TURNS / 10))
  for m in $(seq 1 10); do
    wait_for 3600 turns_at_least $((m * step)) || break
    samples="$samples $(msum partman_run_duration_seconds_count | cut -d. -f1):$(rss_mib)"
  done
  t1=$(now)
  c=$(msum partman_run_duration_seconds_count | cut -d. -f1); rss_end=$(rss_mib); failed=$(failed_runs)
  stop_worker
  echo "  soak: $n databases at --interval 100ms, $c turns ($((c / n)) a database) in $(calc "\"%.0f\", $t1 - $t0") s;" \
    "RSS at 100 turns a database $rss100 MiB, at the end $rss_end MiB; failed runs $failed"
  echo "    turns:RSS MiB $samples"
  summary+=("$(printf '%-30s %10s' "RSS, $n dbs: 100 / $((c / n)) turns" "$rss100 / $rss_end MiB")")
fi

# --- 3. leader takeover -------------------------------------------------------------------------------
leader_is() { metrics "$1" 2>/dev/null | awk -v v="$2" 'index($1, "partman_leader{") == 1 { f = 1; ok = ($2 == v) } END { exit !(f && ok) }'; }
if ! skipped takeover; then
  for check in 1s 5s; do
    times=()
    for _ in $(seq 1 "$TRIALS"); do
      start_worker -d dbname=fleet_pm_1 --interval 1h --leader-check "$check"
      a=$wpid; pa=$wport
      wait_for 30 leader_is "$pa" 1
      start_worker -d dbname=fleet_pm_1 --interval 1h --leader-check "$check"
      other=$wpid; pb=$wport
      wait_for 30 ready "$pb" # its first turn done: it found the lock taken
      leader_is "$pb" 0 || echo "  (the second worker leads before the kill)"
      kill -9 "$a"; wait "$a" 2>/dev/null || true
      t0=$(now)
      if wait_for 60 leader_is "$pb" 1; then times+=("$(calc "\"%.2f\", $(now) - $t0")"); else times+=(none); fi
      wpid=$other; other=""
      stop_worker
    done
    sorted=$(printf '%s\n' "${times[@]}" | sort -g | tr '\n' ' ')
    echo "  takeover after kill -9, leader_check $check, $TRIALS trials: min $(echo "$sorted" | awk '{ print $1 }')" \
      "median $(median "${times[@]}") max $(echo "$sorted" | awk '{ print $NF }') s ($sorted)"
    summary+=("$(printf '%-30s %10s' "takeover, leader_check $check" \
      "$(median "${times[@]}") s (min $(echo "$sorted" | awk '{ print $1 }'), max $(echo "$sorted" | awk '{ print $NF }'))")")
  done
fi

echo
printf '%-30s %10s %12s %14s %10s\n' "" "worker" "apply" "pg_partman" "ratio"
printf '%s\n' "${summary[@]}"
echo "load average at the end $(load)"
