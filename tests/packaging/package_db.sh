#!/usr/bin/env bash
# Part of test_package.sh, run by tests/pg_temp.sh: the installed partman and its extension files on a
# throwaway server. Usage: package_db.sh VERSION (the extension's default version)
set -euo pipefail
version=$1
fail() { echo "FAILED: $*"; exit 1; }
sql() { psql -X -v ON_ERROR_STOP=1 -qAt "$@"; }

createdb pkg_new
sql -d pkg_new -c "CREATE EXTENSION partman"
got=$(sql -d pkg_new -c "SELECT extversion || ' ' || (SELECT value FROM partman.meta) FROM pg_extension WHERE extname = 'partman'")
[ "$got" = "$version $version" ] || fail "CREATE EXTENSION partman: version and meta are '$got', not '$version $version'"
out=$(/usr/bin/partman -d dbname=pkg_new install)
[[ $out == *"is the extension partman, already at version $version"* ]] || fail "partman install said: $out"
echo "ok: CREATE EXTENSION partman (version $version); partman install says it is the extension"

createdb pkg_old
sql -d pkg_old -c "CREATE EXTENSION partman VERSION '1'" -c "ALTER EXTENSION partman UPDATE"
got=$(sql -d pkg_old -c "SELECT extversion || ' ' || (SELECT value FROM partman.meta) FROM pg_extension WHERE extname = 'partman'")
[ "$got" = "$version $version" ] || fail "ALTER EXTENSION partman UPDATE from 1: '$got', not '$version $version'"
sql -d pkg_old -c "CREATE TABLE public.events (at timestamptz NOT NULL) PARTITION BY RANGE (at)"
/usr/bin/partman -d dbname=pkg_old manage public.events --interval daily --premake 2 >/dev/null
/usr/bin/partman -d dbname=pkg_old apply >/dev/null
got=$(sql -d pkg_old -c "SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.events'::regclass")
[ "$got" -ge 3 ] || fail "apply on the updated extension made $got partitions, not 3"
echo "ok: CREATE EXTENSION partman VERSION '1', ALTER EXTENSION partman UPDATE to $version; manage and apply work"
