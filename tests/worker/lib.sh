# Helpers of the worker's tests: servers, workers, waiting, checks. Sourced by test_worker.sh.
bindir=/usr/lib/postgresql/15/bin
as_pg=()
[ "$(id -u)" = 0 ] && as_pg=(runuser -u postgres --)
root=$(mktemp -d /tmp/partman-worker.XXXXXX)
chmod 755 "$root"
[ "$(id -u)" = 0 ] && chown postgres: "$root"
failures=0
workers=()

cleanup() {
  for pid in "${workers[@]}"; do kill -9 "$pid" 2>/dev/null; done
  for d in "$root"/pg*; do
    [ -d "$d/data" ] && "${as_pg[@]}" "$bindir/pg_ctl" -D "$d/data" -m immediate stop >/dev/null 2>&1
  done
  rm -rf "$root"
}
trap cleanup EXIT

# Ports 20000-31999: below the kernel's ephemeral range (32768 and up), so no outgoing connection takes
# the port between this check and the bind.
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 12000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

# Starts server NAME on a free port (its folder $root/NAME); prints the port.
start_server() {
  local name=$1 port
  port=$(free_port)
  mkdir -p "$root/$name" && chmod 755 "$root/$name"
  [ "$(id -u)" = 0 ] && chown postgres: "$root/$name"
  "${as_pg[@]}" "$bindir/initdb" -D "$root/$name/data" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 \
    >"$root/$name/initdb.log" 2>&1 || { cat "$root/$name/initdb.log" >&2; return 1; }
  configure_server "$name" "$port"
  start_existing "$name" || return 1
  echo "$port"
}

configure_server() {
  cat >>"$root/$1/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $2
unix_socket_directories = '$root/$1'
fsync = off
full_page_writes = off
max_connections = 100
wal_level = replica
CONF
}

start_existing() {
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$root/$1/data" -l "$root/$1/server.log" -w -t 60 start >/dev/null \
    || { tail -20 "$root/$1/server.log" >&2; return 1; }
}

# psql on PORT: sql PORT DB STATEMENT...
sql() {
  local port=$1 db=$2
  shift 2
  psql -X -qAt -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d "$db" "$@"
}

# Makes database DB on PORT with partman installed and a daily parent public.events (policy: premake 3).
make_database() {
  local port=$1 db=$2
  sql "$port" postgres -c "CREATE DATABASE $db" || return 1
  sql "$port" "$db" -c "CREATE TABLE public.events (at timestamptz NOT NULL, v int) PARTITION BY RANGE (at)" \
    || return 1
  "$partman" -d "host=127.0.0.1 port=$port user=postgres dbname=$db" install >/dev/null || return 1
  "$partman" -d "host=127.0.0.1 port=$port user=postgres dbname=$db" manage public.events --interval daily \
    --premake 3 >/dev/null
}

# Starts a worker with the remaining arguments, its log in $root/worker-N.log; sets $worker_pid,
# $worker_port (its HTTP port) and $worker_log.
start_worker() {
  worker_port=$(free_port)
  worker_log="$root/worker-${#workers[@]}.log"
  PARTMAN_LOG_FORMAT=text "$partman" worker --listen "127.0.0.1:$worker_port" --config /dev/null "$@" \
    >"$worker_log" 2>&1 &
  worker_pid=$!
  workers+=("$worker_pid")
}

# Waits up to $1 seconds for the command in the remaining arguments to succeed; returns 1 on timeout.
wait_for() {
  local limit=$1
  shift
  local until=$((SECONDS + limit))
  while [ $SECONDS -lt "$until" ]; do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  "$@" >/dev/null 2>&1
}

# Prints the value of metric line $2 (name with labels, as exposed) from the worker on port $1.
metric() {
  curl -fsS "http://127.0.0.1:$1/metrics" | awk -v m="$2" 'index($0, m " ") == 1 { print $2 }'
}

metric_is() { [ "$(metric "$1" "$2")" = "$3" ]; }

ready() { curl -fsS "http://127.0.0.1:$1/readyz" >/dev/null; }

# Counts the partitions of public.events in DB on PORT.
partitions() {
  sql "$1" "$2" -c "SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.events'::regclass"
}

partitions_at_least() { [ "$(partitions "$1" "$2")" -ge "$3" ]; }

ok() { echo "ok: $current: $*"; }
fail() {
  echo "FAILED: $current: $*"
  failures=$((failures + 1))
  for l in "$root"/worker-*.log; do
    [ -f "$l" ] && { echo "  -- $l"; tail -15 "$l" | sed 's/^/  | /'; }
  done
}
check() {
  local what=$1
  shift
  if "$@"; then ok "$what"; else fail "$what"; fi
}

stop_workers() {
  for pid in "${workers[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${workers[@]}"; do wait "$pid" 2>/dev/null; done
  workers=()
}

run_scenario() {
  current=$1
  local before=$failures
  if ! declare -F "scenario_$1" >/dev/null; then
    fail "no such scenario"
    return
  fi
  "scenario_$1"
  stop_workers
  [ "$failures" = "$before" ] && echo "PASSED: $1"
}

finish() {
  if [ "$failures" -gt 0 ]; then
    echo "worker tests: $failures checks failed"
    exit 1
  fi
  echo "worker tests: all passed"
}

source "$(dirname "${BASH_SOURCE[0]}")/scenarios.sh"
