# The scenarios of test_worker.sh; each sets up what it needs on the shared server $P (started once).
P=""
ensure_primary() { [ -n "$P" ] || P=$(start_server pg-main) || { fail "cannot start a server"; return 1; }; }
dsn() { echo "host=127.0.0.1 port=$1 user=postgres dbname=$2"; }
now_ms() { date +%s%3N; }

# Makes database $2 on server $1 (make_database) and sets $db (its conninfo) and $label (its metrics label).
use_database() {
  make_database "$1" "$2" || return 1
  db=$(dsn "$1" "$2")
  label="postgres@127.0.0.1:$1/$2"
}
# Creates parent public.orders in database $2 on server $1 and manages it (daily, premake 2).
add_orders() {
  sql "$1" "$2" -c "CREATE TABLE public.orders (at timestamptz NOT NULL) PARTITION BY RANGE (at)" &&
    "$partman" -d "$(dsn "$1" "$2")" manage public.orders --interval daily --premake 2 >/dev/null
}
# Succeeds once public.orders in database $2 on server $1 has its three partitions.
orders_ready() {
  [ "$(sql "$1" "$2" -c "SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.orders'::regclass")" -ge 3 ]
}

# The policy table notifies; a worker on a long interval plans the new policy at once.
scenario_notify() {
  ensure_primary || return
  make_database "$P" n1 || { fail "setup"; return; }
  start_worker -d "$(dsn "$P" n1)" --interval 1h
  check "ready within 20 s" wait_for 20 ready "$worker_port"
  sql "$P" n1 -c "CREATE TABLE public.orders (at timestamptz NOT NULL) PARTITION BY RANGE (at)"
  local t0
  t0=$(now_ms)
  "$partman" -d "$(dsn "$P" n1)" manage public.orders --interval daily --premake 2 >/dev/null
  if wait_for 10 orders_ready "$P" n1; then
    local ms=$(($(now_ms) - t0))
    echo "  notify: partitions of the new policy $ms ms after manage"
    check "applied within 2 s of manage ($ms ms)" test "$ms" -le 2000
  else
    fail "the new policy was not applied within 10 s"
  fi
}

# Quiet turns: once nothing is due, turns plan the known catalog in memory; a partition dropped behind the
# worker's back changes the catalog's token and is made again at the next turn.
quiet_turns() { [ "$(metric "$1" "partman_quiet_runs_total{database=\"$2\"}" | cut -d. -f1)" -ge "$3" ]; }
scenario_quiet() {
  ensure_primary || return
  local db label
  use_database "$P" qt || { fail "setup"; return; }
  start_worker -d "$db" --interval 200ms
  check "ready within 20 s" wait_for 20 ready "$worker_port"
  check "turns with nothing to do are quiet" wait_for 10 quiet_turns "$worker_port" "$label" 5
  local before newest
  before=$(partitions "$P" qt)
  newest=$(sql "$P" qt -c "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE
    i.inhparent = 'public.events'::regclass ORDER BY c.relname DESC LIMIT 1")
  sql "$P" qt -c "DROP TABLE public.$newest"
  check "a partition dropped by hand ($newest) is made again within 3 s" wait_for 3 partitions_at_least "$P" qt "$before"
  check "quiet again afterwards" wait_for 10 quiet_turns "$worker_port" "$label" \
    "$(($(metric "$worker_port" "partman_quiet_runs_total{database=\"$label\"}" | cut -d. -f1) + 3))"
  check "no run failed" metric_is "$worker_port" "partman_runs_total{database=\"$label\",result=\"failed\"}" 0
}

# Two workers on one database: one leads, the other follows; every action happens once.
scenario_two_workers() {
  ensure_primary || return
  local db label
  use_database "$P" tw || { fail "setup"; return; }
  start_worker -d "$db" --interval 1s --leader-check 1s
  local a=$worker_port
  start_worker -d "$db" --interval 1s --leader-check 1s
  local b=$worker_port
  check "both ready" wait_for 20 bash -c "curl -fsS http://127.0.0.1:$a/readyz && curl -fsS http://127.0.0.1:$b/readyz"
  sleep 4
  local la lb
  la=$(metric "$a" "partman_leader{database=\"$label\"}")
  lb=$(metric "$b" "partman_leader{database=\"$label\"}")
  check "exactly one leader ($la + $lb)" test "$((la + lb))" = 1
  check "each action once in history" test "$(sql "$P" tw -c "SELECT count(*) - count(DISTINCT (action, partition_schema, partition_name)) FROM partman.history WHERE outcome = 'ok'")" = 0
  check "4 partitions" test "$(partitions "$P" tw)" = 4
}

# kill -9 of the leader: the other worker takes over within leader_check plus a second.
scenario_takeover() {
  ensure_primary || return
  local db label
  use_database "$P" tk || { fail "setup"; return; }
  start_worker -d "$db" --interval 1h --leader-check 1s
  local a=$worker_port pa=$worker_pid
  check "first worker leads" wait_for 20 metric_is "$a" "partman_leader{database=\"$label\"}" 1
  start_worker -d "$db" --interval 1h --leader-check 1s
  local b=$worker_port
  check "second worker follows" wait_for 20 metric_is "$b" "partman_leader{database=\"$label\"}" 0
  local t0
  t0=$(now_ms)
  kill -9 "$pa"
  if wait_for 20 metric_is "$b" "partman_leader{database=\"$label\"}" 1; then
    local ms=$(($(now_ms) - t0))
    echo "  takeover: $ms ms after kill -9 of the leader"
    check "took over within 3 s ($ms ms)" test "$ms" -le 3000
  else
    fail "no takeover within 20 s"
  fi
  add_orders "$P" tk
  check "the new leader applies a new policy" wait_for 10 orders_ready "$P" tk
}

# A server restart while the worker runs: it reconnects and converges.
scenario_restart() {
  ensure_primary || return
  local db label
  use_database "$P" rs || { fail "setup"; return; }
  start_worker -d "$db" --interval 2s --retry-max 2s
  check "leads" wait_for 20 metric_is "$worker_port" "partman_leader{database=\"$label\"}" 1
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$root/pg-main/data" -m fast -w restart >/dev/null
  add_orders "$P" rs
  check "converges after the restart" wait_for 30 orders_ready "$P" rs
  check "still running" kill -0 "$worker_pid"
  check "up again" wait_for 10 metric_is "$worker_port" "partman_up{database=\"$label\"}" 1
}

# A primary and its standby (pg_basebackup -R) behind one multi-host conninfo: after the primary stops and
# the standby is promoted, the worker maintains the new primary.
scenario_standby() {
  local p1 p2
  p1=$(start_server pg-a) || { fail "cannot start the primary"; return; }
  make_database "$p1" sb || { fail "setup"; return; }
  p2=$(free_port)
  mkdir -p "$root/pg-b" && chmod 755 "$root/pg-b"
  [ "$(id -u)" = 0 ] && chown postgres: "$root/pg-b"
  "${as_pg[@]}" pg_basebackup -h 127.0.0.1 -p "$p1" -U postgres -D "$root/pg-b/data" -R -X stream >/dev/null 2>&1 \
    || { fail "pg_basebackup"; return; }
  sed -i "s/^port = .*/port = $p2/; s|^unix_socket_directories = .*|unix_socket_directories = '$root/pg-b'|" \
    "$root/pg-b/data/postgresql.conf"
  start_existing pg-b || { fail "cannot start the standby"; return; }
  local db="host=127.0.0.1,127.0.0.1 port=$p1,$p2 user=postgres dbname=sb target_session_attrs=read-write"
  start_worker -d "$db" --interval 1s --retry-max 1s
  check "leads the primary" wait_for 20 bash -c "curl -fsS http://127.0.0.1:$worker_port/metrics | grep -q '^partman_leader{.*} 1$'"
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$root/pg-a/data" -m immediate stop >/dev/null
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$root/pg-b/data" -w promote >/dev/null || { fail "promote"; return; }
  add_orders "$p2" sb
  check "maintains the promoted standby" wait_for 30 orders_ready "$p2" sb
}

# SIGTERM during a long archive export: the worker exits 0 within the bound; the next start finishes the
# archive, and every row is in it.
scenario_sigterm() {
  ensure_primary || return
  sql "$P" postgres -c "CREATE DATABASE st" || { fail "setup"; return; }
  local db
  db=$(dsn "$P" st)
  sql "$P" st -c "CREATE TABLE public.logs (at timestamptz NOT NULL, body text) PARTITION BY RANGE (at)" \
    -c "CREATE TABLE public.logs_old PARTITION OF public.logs FOR VALUES FROM ('2020-01-01') TO ('2020-01-02')" \
    -c "INSERT INTO public.logs SELECT '2020-01-01'::timestamptz + (i % 86400) * interval '1 second', md5(i::text) || md5((i * 7)::text) FROM generate_series(1, 3000000) i" \
    || { fail "setup rows"; return; }
  "$partman" -d "$db" install >/dev/null
  mkdir -p "$root/archives"
  "$partman" -d "$db" manage public.logs --interval daily --premake 1 --retention '30 days' \
    --retention-action archive --archive-to "file://$root/archives" >/dev/null \
    || { fail "manage"; return; }
  start_worker -d "$db" --interval 1h --shutdown-timeout 200ms
  if ! wait_for 60 bash -c "psql -X -qAt -h 127.0.0.1 -p $P -U postgres -d st -c \"SELECT 1/count(*) FROM pg_stat_activity WHERE query LIKE 'COPY%logs_old%'\""; then
    fail "no export seen"
    return
  fi
  local t0 rc
  t0=$(now_ms)
  kill -TERM "$worker_pid"
  wait "$worker_pid"
  rc=$?
  local ms=$(($(now_ms) - t0))
  workers=()
  echo "  sigterm: the worker exited $ms ms after SIGTERM, exit $rc"
  check "exit 0" test "$rc" = 0
  check "within shutdown_timeout plus 2 s ($ms ms)" test "$ms" -le 2200
  if grep -q "still in flight" "$worker_log"; then
    check "the partition is still there, its archive not dropped" test \
      "$(sql "$P" st -c "SELECT count(*) FROM pg_class WHERE relname = 'logs_old'")" = 1
  else
    echo "  sigterm: the export ended within shutdown_timeout, so the run finished before the exit"
  fi
  start_worker -d "$db" --interval 1h
  check "the next start finishes the archive" wait_for 120 bash -c \
    "[ \"\$(psql -X -qAt -h 127.0.0.1 -p $P -U postgres -d st -c \"SELECT state FROM partman.archive\")\" = dropped ]"
  local id
  id=$(sql "$P" st -c "SELECT id FROM partman.archive")
  "$partman" -d "$db" restore "$id" --into public.logs_back >/dev/null 2>&1
  check "every row is in the archive" test "$(sql "$P" st -c "SELECT count(*) FROM public.logs_back")" = 3000000
}

# SIGHUP reads the file again: a database added is maintained; an invalid file is refused and the worker
# keeps running with what it had.
scenario_reload() {
  ensure_primary || return
  make_database "$P" r1 || { fail "setup"; return; }
  make_database "$P" r2 || { fail "setup"; return; }
  sql "$P" r2 -c "DELETE FROM partman.policy" >/dev/null
  local conf="$root/worker.toml"
  printf 'dsn = ["%s"]\ninterval = "1h"\n' "$(dsn "$P" r1)" >"$conf"
  worker_port=$(free_port)
  worker_log="$root/worker-reload.log"
  "$partman" worker --config "$conf" --listen "127.0.0.1:$worker_port" >"$worker_log" 2>&1 &
  worker_pid=$!
  workers+=("$worker_pid")
  check "ready" wait_for 20 ready "$worker_port"
  "$partman" -d "$(dsn "$P" r2)" manage public.events --interval daily --premake 5 >/dev/null
  printf 'dsn = ["%s", "%s"]\ninterval = "1h"\n' "$(dsn "$P" r1)" "$(dsn "$P" r2)" >"$conf"
  kill -HUP "$worker_pid"
  check "the added database is maintained" wait_for 10 partitions_at_least "$P" r2 6
  check "the reload is logged" grep -q "maintained from now on" "$worker_log"
  printf 'interval = 5\n' >"$conf"
  kill -HUP "$worker_pid"
  check "an invalid file is refused" wait_for 5 grep -q "reload refused" "$worker_log"
  check "and the worker keeps running" kill -0 "$worker_pid"
  check "with its metrics" wait_for 5 metric_is "$worker_port" "partman_leader{database=\"postgres@127.0.0.1:$P/r2\"}" 1
}

# /metrics and the textfile pass promtool; healthz answers.
scenario_metrics() {
  ensure_primary || return
  make_database "$P" mt || { fail "setup"; return; }
  local prom="$root/partman.prom"
  start_worker -d "$(dsn "$P" mt)" --interval 1h --textfile "$prom"
  check "ready" wait_for 20 ready "$worker_port"
  curl -fsS "http://127.0.0.1:$worker_port/metrics" >"$root/metrics.txt"
  check "promtool check metrics (/metrics)" bash -c "promtool check metrics <'$root/metrics.txt'"
  check "promtool check metrics (textfile)" bash -c "promtool check metrics <'$prom'"
  # Prometheus asks for gzip: the same text comes compressed (the worker keeps it gzip-compressed and
  # sends it in pieces).
  curl -fsS -D "$root/headers.txt" -H 'Accept-Encoding: gzip' "http://127.0.0.1:$worker_port/metrics" \
    | gzip -dc >"$root/metrics.gz.txt"
  check "gzip when asked" grep -qi '^content-encoding: gzip' "$root/headers.txt"
  check "the same samples compressed" bash -c "diff <(grep -v -e '^process_resident' -e '^partman_worker_cycles' '$root/metrics.txt') \
    <(grep -v -e '^process_resident' -e '^partman_worker_cycles' '$root/metrics.gz.txt')"
  check "healthz" curl -fsS -o /dev/null "http://127.0.0.1:$worker_port/healthz"
  check "each partition created counted once" test \
    "$(metric "$worker_port" "partman_actions_applied_total{database=\"postgres@127.0.0.1:$P/mt\",kind=\"create\"}")" = \
    "$(partitions "$P" mt)"
}

# Discovery: every database of the server with partman's schema is maintained; a new one is picked up at
# the next interval, a dropped one forgotten; one without partman's schema is left alone.
scenario_discover() {
  ensure_primary || return
  make_database "$P" d1 || { fail "setup"; return; }
  sql "$P" postgres -c "CREATE DATABASE d_plain" || { fail "setup"; return; }
  start_worker --discover "$(dsn "$P" postgres)" --interval 2s
  local base="postgres@127.0.0.1:$P"
  check "the database with partman is led" wait_for 20 metric_is "$worker_port" "partman_leader{database=\"$base/d1\"}" 1
  check "the one without is not in the metrics" test -z "$(metric "$worker_port" "partman_up{database=\"$base/d_plain\"}")"
  make_database "$P" d2 || { fail "setup"; return; }
  check "a new database is picked up" wait_for 20 partitions_at_least "$P" d2 4
  sql "$P" postgres -c "DROP DATABASE d2 WITH (FORCE)"
  check "a dropped database is forgotten" wait_for 20 bash -c \
    "! curl -fsS http://127.0.0.1:$worker_port/metrics | grep -q 'database=\"$base/d2\"'"
  check "still running" kill -0 "$worker_pid"
}

# A soak: thousands of short turns over a few databases; the resident memory stays flat.
scenario_soak() {
  ensure_primary || return
  local args=() i
  for i in 1 2 3; do
    make_database "$P" soak$i || { fail "setup"; return; }
    args+=(-d "$(dsn "$P" soak$i)")
  done
  start_worker "${args[@]}" --interval 100ms
  check "ready" wait_for 20 ready "$worker_port"
  local turns rss_early rss_late
  wait_for 120 bash -c "[ \$(curl -fsS http://127.0.0.1:$worker_port/metrics | awk '/^partman_runs_total/ { s += \$2 } END { print int(s) }') -ge 300 ]"
  rss_early=$(metric "$worker_port" process_resident_memory_bytes)
  wait_for 600 bash -c "[ \$(curl -fsS http://127.0.0.1:$worker_port/metrics | awk '/^partman_runs_total/ { s += \$2 } END { print int(s) }') -ge 3000 ]"
  turns=$(curl -fsS "http://127.0.0.1:$worker_port/metrics" | awk '/^partman_runs_total/ { s += $2 } END { print int(s) }')
  rss_late=$(metric "$worker_port" process_resident_memory_bytes)
  echo "  soak: $turns turns; resident memory $((${rss_early%.*} / 1048576)) MiB after 300, $((${rss_late%.*} / 1048576)) MiB after $turns"
  check "at least 3000 turns" test "$turns" -ge 3000
  if [ -n "${PARTMAN_SANITIZED:-}" ]; then
    echo "  soak: memory not judged in the sanitized pass (AddressSanitizer's quarantine keeps freed memory)"
  else
    check "memory flat (within 4 MiB)" test $((${rss_late%.*} - ${rss_early%.*})) -le 4194304
  fi
}
