#!/usr/bin/env bash
# Part of test_extension.sh, run by tests/pg_temp.sh with PARTMAN (the binary) and VERSION (the
# extension's default version) set.
set -euo pipefail
fail() { echo "FAILED: $*"; exit 1; }
sql() { psql -X -v ON_ERROR_STOP=1 -qAt "$@"; }
versions() { sql -d "$1" -c "SELECT coalesce((SELECT extversion FROM pg_extension WHERE extname = 'partman'), '-')
                              || ' ' || (SELECT value FROM partman.meta WHERE key = 'schema_version')"; }

# Everything of schema partman that a script creates, as text (the plain install quotes the schema name in
# function bodies, "partman".history, where the extension writes partman.history).
shape() {
  sql -d "$1" <<'SQL' | sed 's/"partman"\./partman./g'
SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' '
       || coalesce(column_default, '') FROM information_schema.columns WHERE table_schema = 'partman'
UNION ALL SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
  FROM pg_constraint WHERE connamespace = 'partman'::regnamespace
UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'partman'
UNION ALL SELECT 'function ' || p.oid::regprocedure || ' ' || p.provolatile::text || ' ' || md5(replace(p.prosrc, '"partman".', 'partman.'))
  FROM pg_proc p WHERE p.pronamespace = 'partman'::regnamespace
UNION ALL SELECT 'trigger ' || pg_get_triggerdef(oid) FROM pg_trigger
  WHERE tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'partman'::regnamespace) AND NOT tgisinternal
UNION ALL SELECT 'comment ' || c.relname || ' ' || obj_description(c.oid, 'pg_class') FROM pg_class c
  WHERE c.relnamespace = 'partman'::regnamespace AND c.relkind = 'r'
ORDER BY 1
SQL
}

# 1. Three ways to the same objects at the same version.
createdb ext_new
sql -d ext_new -c "CREATE EXTENSION partman"
[ "$(versions ext_new)" = "$VERSION $VERSION" ] || fail "CREATE EXTENSION partman: $(versions ext_new)"
createdb ext_old
sql -d ext_old -c "CREATE EXTENSION partman VERSION '1'"
[ "$(versions ext_old)" = "1 1" ] || fail "CREATE EXTENSION partman VERSION '1': $(versions ext_old)"
sql -d ext_old -c "ALTER EXTENSION partman UPDATE"
[ "$(versions ext_old)" = "$VERSION $VERSION" ] || fail "ALTER EXTENSION partman UPDATE: $(versions ext_old)"
createdb plain
"$PARTMAN" -d dbname=plain install >/dev/null
[ "$(versions plain)" = "- $VERSION" ] || fail "partman install: $(versions plain)"
shape ext_new >/tmp/ext_new.$$
lines=$(wc -l </tmp/ext_new.$$)
[ "$lines" -gt 50 ] || fail "the shape query found $lines objects only"
diff -u /tmp/ext_new.$$ <(shape ext_old) || fail "version 1 updated differs from CREATE EXTENSION partman"
diff -u /tmp/ext_new.$$ <(shape plain) || fail "partman install differs from CREATE EXTENSION partman"
rm -f /tmp/ext_new.$$
echo "ok: CREATE EXTENSION, version 1 + ALTER EXTENSION UPDATE and partman install: the same $lines objects, version $VERSION"

# 2. partman install on the extension: nothing to do, or an update from an older version.
out=$("$PARTMAN" -d dbname=ext_new install)
[ "$out" = "partman schema 'partman' is the extension partman, already at version $VERSION" ] || fail "install: $out"
createdb ext_prev
sql -d ext_prev -c "CREATE EXTENSION partman VERSION '$((VERSION - 1))'"
out=$("$PARTMAN" -d dbname=ext_prev install)
[ "$out" = "updated the extension partman from version $((VERSION - 1)) to $VERSION (ALTER EXTENSION partman UPDATE)" ] ||
  fail "install on version $((VERSION - 1)): $out"
[ "$(versions ext_prev)" = "$VERSION $VERSION" ] || fail "after install: $(versions ext_prev)"
"$PARTMAN" -d dbname=ext_prev plan >/dev/null || fail "plan on the extension"
echo "ok: partman install on the extension: '$out'; plan reads it"

# 3. CREATE EXTENSION refuses a schema partman install filled, and one that holds pg_partman.
if out=$(sql -d plain -c "CREATE EXTENSION partman" 2>&1); then fail "CREATE EXTENSION over partman install worked"; fi
[[ $out == *"already holds partman's tables, installed by 'partman install'"* ]] || fail "over partman install: $out"
[ "$(versions plain)" = "- $VERSION" ] || fail "the refused CREATE EXTENSION changed: $(versions plain)"
if [ -e "$(/usr/lib/postgresql/15/bin/pg_config --sharedir)/extension/pg_partman.control" ]; then
  createdb with_pg_partman
  sql -d with_pg_partman -c "CREATE SCHEMA partman" -c "CREATE EXTENSION pg_partman SCHEMA partman"
  if out=$(sql -d with_pg_partman -c "CREATE EXTENSION partman" 2>&1); then fail "CREATE EXTENSION beside pg_partman worked"; fi
  [[ $out == *'holds the extension "pg_partman"'* ]] || fail "beside pg_partman: $out"
fi
echo "ok: CREATE EXTENSION partman refuses a schema of partman install, and one holding pg_partman"

# 4. pg_dump keeps the rows of the configuration tables and the sequences.
sql -d ext_new -c "CREATE TABLE public.events (at timestamptz NOT NULL) PARTITION BY RANGE (at)"
"$PARTMAN" -d dbname=ext_new manage public.events --interval daily --premake 2 >/dev/null
"$PARTMAN" -d dbname=ext_new apply >/dev/null
sql -d ext_new -c "INSERT INTO partman.archive (parent_schema, parent_table, partition_schema, partition_name, storage, state)
                   VALUES ('public', 'events', 'public', 'events_gone', 'file:///nowhere', 'dropped')"
counts="SELECT (SELECT count(*) FROM partman.policy) || ' ' || (SELECT count(*) FROM partman.history) || ' '
               || (SELECT count(*) FROM partman.archive) || ' ' || (SELECT count(*) FROM partman.run_state)"
before=$(sql -d ext_new -c "$counts")
pg_dump -Fc -f "/tmp/ext_new.$$.dump" ext_new
createdb restored
pg_restore --exit-on-error -d restored "/tmp/ext_new.$$.dump"
rm -f "/tmp/ext_new.$$.dump"
after=$(sql -d restored -c "$counts")
[ "$after" = "$before" ] || fail "pg_dump and pg_restore: rows (policy history archive run_state) '$after', not '$before'"
[[ $before == "1 "* ]] && [[ $before != *" 0 "* ]] || fail "too little to compare: $before"
sql -d restored -c "CREATE TABLE public.more (at timestamptz NOT NULL) PARTITION BY RANGE (at)"
"$PARTMAN" -d dbname=restored manage public.more --interval daily --premake 2 >/dev/null
"$PARTMAN" -d dbname=restored apply >/dev/null || fail "apply on the restored database (a sequence behind its table?)"
sql -d restored -c "INSERT INTO partman.archive (parent_schema, parent_table, partition_schema, partition_name, storage, state)
                    VALUES ('public', 'more', 'public', 'more_gone', 'file:///nowhere', 'dropped')"

# 5. README's move from partman install to the extension: the rows and sequences come along.
sql -d plain -c "CREATE TABLE public.events (at timestamptz NOT NULL) PARTITION BY RANGE (at)"
"$PARTMAN" -d dbname=plain manage public.events --interval daily --premake 2 >/dev/null
"$PARTMAN" -d dbname=plain apply >/dev/null
before=$(sql -d plain -c "$counts")
pg_dump --data-only -t partman.policy -t partman.history -t partman.archive -t partman.run_state -f "/tmp/rows.$$.sql" plain
sql -d plain -1 -c "DROP SCHEMA partman CASCADE" -c "CREATE EXTENSION partman" -f "/tmp/rows.$$.sql" >/dev/null
rm -f "/tmp/rows.$$.sql"
[ "$(sql -d plain -c "$counts")" = "$before" ] || fail "README's move to the extension: $(sql -d plain -c "$counts"), not $before"
[ "$(versions plain)" = "$VERSION $VERSION" ] || fail "after the move: $(versions plain)"
sql -d plain -c "CREATE TABLE public.more (at timestamptz NOT NULL) PARTITION BY RANGE (at)"
"$PARTMAN" -d dbname=plain manage public.more --interval daily --premake 2 >/dev/null
"$PARTMAN" -d dbname=plain apply >/dev/null || fail "apply after the move (a sequence behind its table?)"
echo "ok: README's move from partman install to the extension keeps the rows ($before) and sequences"
echo "ok: pg_dump and pg_restore keep the rows (policy history archive run_state: $after) and the sequences"

# 6. The SQL API from the extension: a table and its policy in the migration's one transaction, which
#    CREATE EXTENSION opens too; the next plan shows the parent, and nothing is left by a rolled-back one.
createdb ext_sql
sql -d ext_sql <<'SQL'
BEGIN;
CREATE EXTENSION partman;
CREATE SCHEMA app;
CREATE TABLE app.events (id bigint, ts timestamptz NOT NULL) PARTITION BY RANGE (ts);
SELECT partman.manage('app.events', '1 day', premake => 7, retention => '90 days', retention_action => 'archive',
                      archive_to => 'file:///backups');
COMMIT;
BEGIN;
CREATE TABLE app.gone (id bigint, ts timestamptz NOT NULL) PARTITION BY RANGE (ts);
SELECT partman.manage('app.gone', 'monthly', default_partition => true);
ROLLBACK;
SQL
out=$("$PARTMAN" -d dbname=ext_sql plan)
[[ $out == *'"app"."events" (1 day, premake 7, retention 90 days (archive to file:///backups), UTC)'* ]] ||
  fail "plan after partman.manage() from the extension: $out"
[[ $out == *"8 to create"* ]] && [[ $out != *gone* ]] || fail "plan after partman.manage() from the extension: $out"
echo "ok: partman.manage() from the extension in the migration's transaction; plan shows the parent"
