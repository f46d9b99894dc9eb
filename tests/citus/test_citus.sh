#!/usr/bin/env bash
# partman on a real Citus cluster: a coordinator and two workers, each a throwaway PostgreSQL 15 with
# shared_preload_libraries = citus on loopback (trust auth, fsync off), the workers registered with the
# coordinator; then tests/citus/citus_db.sh runs the scenarios against the coordinator. Citus has no Debian
# package: where it is not installed into PostgreSQL 15 the test is skipped (exit 77) and says so.
# Usage: tests/citus/test_citus.sh PARTMAN_BINARY   (CITUS_TRACE=1 traces the scenarios; CITUS_SCENARIOS=FILE
# runs another scenario script against the same cluster)
set -euo pipefail
partman=$(realpath "$1")
here=$(dirname "$(realpath "$0")")
bindir=/usr/lib/postgresql/15/bin

if [ ! -f "$("$bindir/pg_config" --pkglibdir)/citus.so" ] ||
   [ ! -f "$("$bindir/pg_config" --sharedir)/extension/citus.control" ]; then
  echo "SKIPPED: Citus is not installed into PostgreSQL 15 ($("$bindir/pg_config" --pkglibdir)/citus.so)"
  exit 77
fi

as_pg=()
[ "$(id -u)" = 0 ] && as_pg=(runuser -u postgres --)
dir=$(mktemp -d /tmp/partman-citus.XXXXXX)
chmod 755 "$dir"
[ "$(id -u)" = 0 ] && chown postgres: "$dir"
cleanup() {
  for node in coord w1 w2; do
    [ -d "$dir/$node" ] && "${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/$node" -m immediate stop >/dev/null 2>&1
  done
  rm -rf "$dir"
}
trap cleanup EXIT

free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

for node in coord w1 w2; do
  port=$(free_port)
  "${as_pg[@]}" "$bindir/initdb" -D "$dir/$node" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 \
    >"$dir/$node.initdb.log" 2>&1 || { cat "$dir/$node.initdb.log"; exit 4; }
  cat >>"$dir/$node/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
shared_preload_libraries = 'citus'
citus.enable_statistics_collection = off
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
max_prepared_transactions = 100
max_locks_per_transaction = 256
CONF
  echo "$port" >"$dir/$node.port"
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/$node" -l "$dir/$node.log" -w -t 60 start >/dev/null ||
    { cat "$dir/$node.log"; exit 4; }
  "$bindir/psql" -X -h "$dir" -p "$port" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 \
    -c "CREATE EXTENSION citus" >/dev/null
done
coord=$(cat "$dir/coord.port")
"$bindir/psql" -X -h "$dir" -p "$coord" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 \
  -c "SELECT citus_set_coordinator_host('127.0.0.1', $coord)" \
  -c "SELECT citus_add_node('127.0.0.1', $(cat "$dir/w1.port"))" \
  -c "SELECT citus_add_node('127.0.0.1', $(cat "$dir/w2.port"))" >/dev/null
echo "ok: a coordinator and two workers ($("$bindir/psql" -X -h "$dir" -p "$coord" -U postgres -d postgres -qAt \
  -c "SELECT citus_version()" | cut -d' ' -f1-2), PostgreSQL $("$bindir/pg_config" --version | cut -d' ' -f2))"

export PGHOST=$dir PGPORT=$coord PGUSER=postgres PGDATABASE=postgres PARTMAN=$partman
unset PGPASSWORD PGSERVICE
bash ${CITUS_TRACE:+-x} "${CITUS_SCENARIOS:-$here/citus_db.sh}"
