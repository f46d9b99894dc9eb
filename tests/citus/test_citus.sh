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

# The servers are started by the worker tests' helpers (start_server, sql, cleanup on exit), then given
# Citus and restarted.
source "$(dirname "$here")/worker/lib.sh"
for node in coord w1 w2; do
  port=$(start_server "pg$node")
  sql "$port" postgres -c "ALTER SYSTEM SET shared_preload_libraries = 'citus'" \
    -c "ALTER SYSTEM SET max_prepared_transactions = 100" -c "ALTER SYSTEM SET max_connections = 200"
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$root/pg$node/data" -l "$root/pg$node/server.log" -w -t 60 restart >/dev/null ||
    { tail -20 "$root/pg$node/server.log"; exit 4; }
  sql "$port" postgres -c "ALTER SYSTEM SET citus.enable_statistics_collection = off" \
    -c "SELECT pg_reload_conf()" -c "CREATE EXTENSION citus" >/dev/null # (nothing leaves loopback)
  echo "$port" >"$root/$node.port"
done
coord=$(cat "$root/coord.port")
sql "$coord" postgres -c "SELECT citus_set_coordinator_host('127.0.0.1', $coord)" \
  -c "SELECT citus_add_node('127.0.0.1', $(cat "$root/w1.port"))" \
  -c "SELECT citus_add_node('127.0.0.1', $(cat "$root/w2.port"))" >/dev/null
echo "ok: a coordinator and two workers ($(sql "$coord" postgres -c "SELECT citus_version()" | cut -d' ' -f1-2), \
PostgreSQL $("$bindir/pg_config" --version | cut -d' ' -f2))"

export PGHOST=$root/pgcoord PGPORT=$coord PGUSER=postgres PGDATABASE=postgres PARTMAN=$partman
unset PGPASSWORD PGSERVICE
bash ${CITUS_TRACE:+-x} "${CITUS_SCENARIOS:-$here/citus_db.sh}"
