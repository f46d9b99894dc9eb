#!/usr/bin/env bash
# TLS test: a throwaway CA signs a certificate for localhost and 127.0.0.1, a throwaway PostgreSQL
# (tests/pg_temp.sh with PG_TEMP_SSL_DIR) serves it and refuses TCP without TLS, and partman connects with
# sslmode=verify-full: libpq checks the chain and the host name. A certificate from another CA, or a host
# name the certificate does not name, must fail with exit 4 and libpq's reason.
# Usage: tests/tls/test_tls.sh PARTMAN_BINARY    (ctest runs it; it starts its own server)
set -euo pipefail
partman=$(realpath "$1")
tests=$(cd "$(dirname "$0")/.." && pwd)

dir=$(mktemp -d /tmp/partman-tls.XXXXXX)
trap 'rm -rf "$dir"' EXIT
chmod 755 "$dir"

# Makes CA `name` (name.key, name.crt).
make_ca() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=partman test $1" \
    -keyout "$dir/$1.key" -out "$dir/$1.crt" 2>/dev/null
}
make_ca ca
make_ca other-ca
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=localhost" \
  -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
printf 'subjectAltName = DNS:localhost, IP:127.0.0.1\n' >"$dir/san.ext"
openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
  -extfile "$dir/san.ext" -out "$dir/server.crt" 2>/dev/null

cat >"$dir/checks.sh" <<'CHECKS'
set -uo pipefail
failures=0
# Runs partman with the remaining arguments; expects exit code $1 and, on stderr or stdout, the text $2.
expect() {
  local code=$1 text=$2
  shift 2
  local out rc
  out=$("$PARTMAN" "$@" 2>&1)
  rc=$?
  if [ "$rc" != "$code" ] || ! grep -qF -- "$text" <<<"$out"; then
    echo "FAILED: partman $* gave exit $rc (expected $code, with '$text'):"
    sed 's/^/  | /' <<<"$out"
    failures=$((failures + 1))
  else
    echo "ok: exit $rc: partman $*"
    [ "$rc" = 0 ] || sed -n '1s/^/  | /p' <<<"$out"
  fi
}
tcp="port=$PGPORT dbname=postgres user=postgres"
good="sslmode=verify-full sslrootcert=$TLS_DIR/ca.crt"
psql -qAt -v ON_ERROR_STOP=1 -c "CREATE TABLE public.events (at timestamptz NOT NULL) PARTITION BY RANGE (at)" \
  || exit 1

# TCP without TLS is refused by this server, so each success below went through TLS.
expect 4 "no encryption" -d "host=localhost $tcp sslmode=disable" status
expect 0 "partman" -d "host=localhost $tcp $good" install
expect 0 "\"public\".\"events\"" -d "host=localhost $tcp $good" manage public.events --interval daily --premake 3
expect 0 "create" -d "host=localhost $tcp $good" plan --at 2026-03-01
expect 0 "\"public\".\"events\"" -d "host=127.0.0.1 $tcp $good" status --at 2026-03-01
expect 0 "\"public\".\"events\"" -d "postgresql://postgres@localhost:$PGPORT/postgres?sslmode=verify-full&sslrootcert=$TLS_DIR/ca.crt" \
  status --at 2026-03-01
PGHOST=localhost PGSSLMODE=verify-full PGSSLROOTCERT="$TLS_DIR/ca.crt" \
  expect 0 "\"public\".\"events\"" plan --at 2026-03-01

# A certificate signed by a CA the client does not trust, or that does not name the host, is refused.
expect 4 "certificate verify failed" -d "host=localhost $tcp sslmode=verify-full sslrootcert=$TLS_DIR/other-ca.crt" plan
expect 4 "cannot connect to the database" -d "host=localhost $tcp sslmode=verify-full sslrootcert=$TLS_DIR/other-ca.crt" status
expect 4 'does not match host name "db.invalid"' -d "host=db.invalid hostaddr=127.0.0.1 $tcp $good" plan
expect 4 "root certificate file" -d "host=localhost $tcp sslmode=verify-full sslrootcert=$TLS_DIR/missing.crt" plan
[ "$failures" = 0 ] || { echo "$failures TLS check(s) failed"; exit 1; }
CHECKS

PARTMAN=$partman TLS_DIR=$dir PG_TEMP_SSL_DIR=$dir "$tests/pg_temp.sh" bash "$dir/checks.sh"
