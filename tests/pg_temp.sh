#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL: initdb into a temporary folder (trust auth, fsync off),
# start it on a free port with its own socket folder, export PG* for the command, then stop and remove it.
# With PG_TEMP_SSL_DIR set to a folder holding server.crt and server.key, the server runs with ssl = on and
# refuses TCP connections that do not use TLS (the socket stays open without it).
# PG_TEMP_MAX_CONNECTIONS sets the server's max_connections (default 200; a worker over a fleet of databases
# keeps one idle session per database).
# Usage: tests/pg_temp.sh COMMAND [ARG...]    (the command's exit code is passed through)
set -euo pipefail

pg_version=${PG_VERSION:-15}
bindir=$(ls -d /usr/lib/postgresql/"$pg_version"/bin 2>/dev/null || true)
[ -n "$bindir" ] || { echo "pg_temp: PostgreSQL $pg_version server binaries not found" >&2; exit 4; }

run_as_pg=()
if [ "$(id -u)" = 0 ]; then
  run_as_pg=(runuser -u postgres --)
fi

dir=$(mktemp -d /tmp/partman-pg.XXXXXX)
chmod 755 "$dir"
[ "$(id -u)" = 0 ] && chown postgres: "$dir"

port=${PG_TEMP_PORT:-}
# Ports 20000-31999: below the kernel's ephemeral range (32768 and up), so no outgoing connection takes the
# port between this check and the server's bind.
while [ -z "$port" ]; do
  candidate=$((20000 + RANDOM % 12000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
    port=$candidate
  fi
done

cleanup() {
  "${run_as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

"${run_as_pg[@]}" "$bindir/initdb" -D "$dir/data" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 4; }
cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_locks_per_transaction = 256
max_connections = ${PG_TEMP_MAX_CONNECTIONS:-200}
CONF
if [ -n "${PG_TEMP_SSL_DIR:-}" ]; then
  # The server reads its key only when the key belongs to it and no one else may read it.
  install -m 600 "$PG_TEMP_SSL_DIR/server.key" "$dir/data/server.key"
  install -m 644 "$PG_TEMP_SSL_DIR/server.crt" "$dir/data/server.crt"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir/data/server.key" "$dir/data/server.crt"
  echo "ssl = on" >>"$dir/data/postgresql.conf"
  { echo "hostnossl all all all reject"; cat "$dir/data/pg_hba.conf"; } >"$dir/hba" && cat "$dir/hba" >"$dir/data/pg_hba.conf"
fi
"${run_as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
  || { cat "$dir/server.log" >&2; exit 4; }

export PGHOST="$dir" PGPORT="$port" PGUSER=postgres PGDATABASE=postgres
unset PGPASSWORD PGSERVICE
set +e
"$@"
rc=$?
set -e
exit $rc
