# The fault matrix's library, sourced by tests/bench/faults.sh: its template database, checks and tallies.
# It uses the caller's $partman (the binary), $work (a scratch folder) and $mounts (tmpfs mounts to undo).
# shellcheck shell=bash

AT='2026-03-15 12:00'      # "now" of every apply
HISTORY_AT='2026-03-11 12:00'
BATCH=500                  # rows per batch moved out of a default partition
broken=0                   # invariants broken, over everything

q() { psql -qXAt -v ON_ERROR_STOP=1 "$@"; }
pm() { PGDATABASE=$1 "$partman" "${@:2}"; }
now() { date +%s.%N; }
new_db() { q -d postgres -c "CREATE DATABASE $1 TEMPLATE faults_tpl"; }
drop_db() { q -d postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)"; }

# Waits until no session is left in database $1 (a killed client's session ends when it notices).
wait_sessions_gone() {
  for _ in $(seq 1 1500); do
    [ "$(q -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE datname = '$1' AND backend_type = 'client backend'")" = 0 ] && return 0
    sleep 0.02
  done
  echo "sessions of $1 still there after 30 s" >&2
  return 1
}

# --- the template: six parents, the rows, the policies, and what the checks expect -----------------------
make_template() {
  q -d postgres -c "CREATE DATABASE faults_tpl"
  q -d faults_tpl <<'SQL'
CREATE SCHEMA faultcheck; CREATE SCHEMA kept; CREATE SCHEMA restored;
CREATE SEQUENCE faultcheck.ids;
CREATE TABLE faultcheck.parents (name text PRIMARY KEY);
INSERT INTO faultcheck.parents VALUES ('mv'), ('cd'), ('cs'), ('dd'), ('dx'), ('ar');
DO $$
DECLARE p text;
BEGIN
  FOR p IN SELECT name FROM faultcheck.parents LOOP
    EXECUTE format('CREATE TABLE %I (id bigint NOT NULL, ts timestamptz NOT NULL, payload text) PARTITION BY RANGE (ts)', p);
    EXECUTE format('CREATE INDEX ON %I (ts)', p);
  END LOOP;
END $$;
CREATE TABLE mv_default PARTITION OF mv DEFAULT;
CREATE TABLE dd_default PARTITION OF dd DEFAULT;
CREATE TABLE dx_default PARTITION OF dx DEFAULT;
SQL
  pm faults_tpl install >/dev/null
  pm faults_tpl manage mv --interval daily --premake 4 --start 2026-03-08 --default-partition >/dev/null
  for p in cd cs; do pm faults_tpl manage $p --interval daily --premake 4 --start 2026-03-01 >/dev/null; done
  for p in dd dx; do
    pm faults_tpl manage $p --interval daily --premake 4 --start 2026-03-01 --default-partition >/dev/null
  done
  pm faults_tpl manage ar --interval daily --premake 4 --start 2026-03-04 >/dev/null
  pm faults_tpl apply --at "$HISTORY_AT" >/dev/null
  q -d faults_tpl <<'SQL'
-- mv: rows in its partitions, 6,000 a day for 03-16 to 03-19 in its default partition (moved out when those
-- days are created), and 3 rows of 2030 that stay there.
INSERT INTO mv SELECT nextval('faultcheck.ids'), t, md5(t::text) FROM generate_series('2026-03-08 00:00+00'::timestamptz, '2026-03-15 23:59+00', interval '10 minutes') t;
INSERT INTO mv SELECT nextval('faultcheck.ids'), t, md5(t::text) FROM generate_series('2026-03-16 00:00+00'::timestamptz, '2026-03-19 23:59:59+00', interval '14.4 seconds') t;
INSERT INTO mv SELECT nextval('faultcheck.ids'), '2030-01-01 00:00+00'::timestamptz + g * interval '1 hour', 'stays' FROM generate_series(1, 3) g;
-- cd, cs, dd, dx: a row every 5 minutes from 03-01; dd and dx: a 2030 row in the default partition.
INSERT INTO cd SELECT nextval('faultcheck.ids'), t, md5(t::text) FROM generate_series('2026-03-01 00:00+00'::timestamptz, '2026-03-15 23:59+00', interval '5 minutes') t;
INSERT INTO cs SELECT nextval('faultcheck.ids'), t, md5(t::text) FROM generate_series('2026-03-01 00:00+00'::timestamptz, '2026-03-15 23:59+00', interval '5 minutes') t;
INSERT INTO dd SELECT nextval('faultcheck.ids'), t, md5(t::text) FROM generate_series('2026-03-01 00:00+00'::timestamptz, '2026-03-15 23:59+00', interval '5 minutes') t;
INSERT INTO dx SELECT nextval('faultcheck.ids'), t, md5(t::text) FROM generate_series('2026-03-01 00:00+00'::timestamptz, '2026-03-15 23:59+00', interval '5 minutes') t;
INSERT INTO dd VALUES (nextval('faultcheck.ids'), '2030-01-01 00:00+00', 'stays');
INSERT INTO dx VALUES (nextval('faultcheck.ids'), '2030-01-01 00:00+00', 'stays');
-- ar: 15,000 rows a day (about 0.7 MB a day compressed).
INSERT INTO ar SELECT nextval('faultcheck.ids'), t, md5(t::text) || ' ' || md5(t::text || 'x') FROM generate_series('2026-03-04 00:00+00'::timestamptz, '2026-03-15 23:59:59+00', interval '5.76 seconds') t;
ANALYZE;
-- What must survive: every row but those of the partitions cd and dx drop (before 03-08).
CREATE TABLE faultcheck.expected (id bigint PRIMARY KEY);
INSERT INTO faultcheck.expected SELECT id FROM mv UNION ALL SELECT id FROM cs UNION ALL SELECT id FROM dd
  UNION ALL SELECT id FROM ar UNION ALL SELECT id FROM cd WHERE ts >= '2026-03-08 00:00+00'
  UNION ALL SELECT id FROM dx WHERE ts >= '2026-03-08 00:00+00';
-- The tables the retention schema must hold in the end.
CREATE TABLE faultcheck.kept (name text PRIMARY KEY);
INSERT INTO faultcheck.kept SELECT p || '_p2026030' || d FROM unnest(ARRAY['cs', 'dd']) p, generate_series(1, 7) d;
-- A digest of every row of a table, in id order.
CREATE FUNCTION faultcheck.digest(t regclass) RETURNS text LANGUAGE plpgsql AS $$
DECLARE out text;
BEGIN
  EXECUTE format('SELECT count(*) || '' '' || coalesce(md5(string_agg(id || '','' || extract(epoch FROM ts) || '','' || coalesce(payload, ''\N''), E''\n'' ORDER BY id)), '''') FROM %s', t) INTO out;
  RETURN out;
END $$;
-- What each expired partition of ar holds before the run.
CREATE TABLE faultcheck.digests (name text PRIMARY KEY, digest text NOT NULL);
INSERT INTO faultcheck.digests SELECT n, faultcheck.digest(n::regclass)
  FROM unnest(ARRAY['ar_p20260304', 'ar_p20260305', 'ar_p20260306', 'ar_p20260307']) n;
-- Every id found: the parents (with their default partitions), the retention schema, the restored archives.
CREATE FUNCTION faultcheck.observed() RETURNS TABLE (id bigint) LANGUAGE plpgsql AS $$
DECLARE t text;
BEGIN
  FOR t IN SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
             AND (n.nspname IN ('kept', 'restored') OR (n.nspname = 'public' AND c.relname IN (SELECT name FROM faultcheck.parents)))
  LOOP
    RETURN QUERY EXECUTE 'SELECT id FROM ' || t;
  END LOOP;
END $$;
-- The checks after a run: lost, doubled, orphans (and what they are), history rows left 'started'.
CREATE FUNCTION faultcheck.check(OUT lost bigint, OUT doubled bigint, OUT orphans bigint, OUT stale bigint, OUT detail text)
LANGUAGE plpgsql AS $$
DECLARE found text[];
BEGIN
  CREATE TEMP TABLE obs ON COMMIT DROP AS SELECT o.id FROM faultcheck.observed() o;
  lost := (SELECT count(*) FROM faultcheck.expected e WHERE NOT EXISTS (SELECT 1 FROM obs WHERE obs.id = e.id));
  doubled := (SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) n FROM obs GROUP BY id) d)
           + (SELECT count(DISTINCT id) FROM obs WHERE NOT EXISTS (SELECT 1 FROM faultcheck.expected e WHERE e.id = obs.id));
  found := ARRAY(
    SELECT 'table ' || c.relname FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
      AND NOT c.relispartition AND c.relname NOT IN (SELECT name FROM faultcheck.parents)
    UNION ALL SELECT 'kept ' || c.relname FROM pg_class c WHERE c.relnamespace = 'kept'::regnamespace
      AND c.relkind IN ('r', 'p') AND c.relname NOT IN (SELECT name FROM faultcheck.kept)
    UNION ALL SELECT 'pending ' || inhrelid::regclass FROM pg_inherits WHERE inhdetachpending
    UNION ALL SELECT 'archive ' || a.id || ' ' || a.state FROM partman.archive a WHERE a.state <> 'dropped');
  orphans := cardinality(found);
  detail := array_to_string(found, ', ');
  stale := (SELECT count(*) FROM partman.history WHERE outcome = 'started');
END $$;
SQL
  pm faults_tpl manage mv --premake 10 >/dev/null
  pm faults_tpl manage cd --retention '7 days' --retention-action drop >/dev/null
  pm faults_tpl manage dx --retention '7 days' --retention-action drop >/dev/null
  pm faults_tpl manage cs --retention '7 days' --retention-action detach --retention-schema kept >/dev/null
  pm faults_tpl manage dd --retention '7 days' --retention-action detach --retention-schema kept >/dev/null
  mkdir -p "$work/tpl-store"
  pm faults_tpl manage ar --retention '7 days' --retention-action archive --archive-to "file://$work/tpl-store" >/dev/null
  # What kind of work a session is in, from the statement it runs or last ran (a transaction block that
  # ended, or a statement of no action's own, is 'other').
  q -d postgres <<'SQL'
CREATE FUNCTION fault_class(query text, state text) RETURNS text IMMUTABLE LANGUAGE sql AS $$
SELECT CASE
  WHEN query IS NULL OR (state = 'idle' AND query ~ 'COMMIT\s*$') THEN 'other'
  WHEN query ~ 'WITH moved AS' THEN 'create, rows moving'
  WHEN query ~ 'DETACH PARTITION .* (CONCURRENTLY|FINALIZE)' OR query ~ '^ALTER TABLE .* SET SCHEMA' THEN 'detach concurrently'
  WHEN query ~ 'DETACH PARTITION' THEN 'detach beside default'
  WHEN query ~ '^(COPY|LOCK TABLE .* IN SHARE MODE$)' THEN 'archive export'
  WHEN query ~ '^(DROP TABLE|LOCK TABLE .* IN ACCESS EXCLUSIVE MODE$)' THEN 'drop'
  WHEN query ~ 'CREATE TABLE|ATTACH PARTITION' THEN 'create'
  ELSE 'other' END
$$;
-- Waits until a session of database db is in work of kind target ('seen'), or all of them are gone after
-- there were some ('gone'), or for at most `seconds` ('timeout').
CREATE FUNCTION fault_wait(db text, target text, seconds int) RETURNS text LANGUAGE plpgsql AS $$
DECLARE started timestamptz := clock_timestamp(); seen boolean := false; n int; hit int;
BEGIN
  LOOP
    PERFORM pg_stat_clear_snapshot();
    SELECT count(*), count(*) FILTER (WHERE fault_class(query, state) = target) INTO n, hit
      FROM pg_stat_activity WHERE datname = db AND backend_type = 'client backend' AND application_name <> 'psql';
    IF hit > 0 THEN RETURN 'seen'; END IF;
    IF n > 0 THEN seen := true; ELSIF seen THEN RETURN 'gone'; END IF;
    IF clock_timestamp() - started > seconds * interval '1 s' THEN RETURN 'timeout'; END IF;
    PERFORM pg_sleep(0.001);
  END LOOP;
END $$;
SQL
}

# --- the checks ------------------------------------------------------------------------------------------
# Restores every 'dropped' archive of database $1 into restored.aID and compares it with what its partition
# held; prints the number that failed or differ (dropped unverified). With $2 = drop, removes the restored
# tables afterwards.
check_archives() {
  local db=$1 bad=0 id name
  while read -r id name; do
    [ -n "$id" ] || continue
    if ! pm "$db" restore "$id" --into "restored.a$id" >"$work/restore.log" 2>&1; then
      bad=$((bad + 1)); echo "  restore of archive $id ($name) failed: $(tail -1 "$work/restore.log")" >&2; continue
    fi
    if [ "$(q -d "$db" -c "SELECT faultcheck.digest('restored.a$id') = digest FROM faultcheck.digests WHERE name = '$name'")" != t ]; then
      bad=$((bad + 1)); echo "  archive $id ($name) restores other rows than its partition held" >&2
    fi
    [ "${2:-}" = drop ] && q -d "$db" -c "DROP TABLE restored.a$id"
  done < <(q -d "$db" -F ' ' -c "SELECT id, partition_name FROM partman.archive WHERE state = 'dropped' ORDER BY id")
  echo "$bad"
}

# Prints how many expired partitions of ar in database $1 are neither a table with all their rows nor
# 'dropped' with an archive (checked by check_archives).
check_expired_kept() {
  q -d "$1" -c "SELECT count(*) FROM faultcheck.digests d WHERE NOT EXISTS (SELECT 1 FROM partman.archive a WHERE
    a.partition_name = d.name AND a.state = 'dropped') AND (to_regclass(d.name) IS NULL OR faultcheck.digest(d.name::regclass) <> d.digest)"
}

# Checks database $1 after a run to completion, with its archives in folder $2 (file storage; "" for none):
# prints "lost doubled orphans unverified stale" and, on stderr, what is wrong.
check_db() {
  local db=$1 store=$2 unverified lost doubled orphans stale detail tmp=0 planned
  unverified=$(check_archives "$db")
  unverified=$((unverified + $(check_expired_kept "$db")))
  IFS='|' read -r lost doubled orphans stale detail < <(q -d "$db" -c "SELECT * FROM faultcheck.check()")
  if [ -n "$store" ] && [ -d "$store" ]; then
    tmp=$(find "$store" -name '*.tmp*' | wc -l)
    [ "$tmp" = 0 ] || detail="$detail${detail:+, }$tmp temporary file(s)"
  fi
  planned=$(pm "$db" plan --at "$AT" --format json | grep -o '"action": *"' | wc -l || true)
  [ "$planned" = 0 ] || detail="$detail${detail:+, }$planned action(s) still planned"
  orphans=$((orphans + tmp + planned))
  [ "$lost$doubled$orphans$unverified" = 0000 ] || echo "  $db: lost $lost, doubled $doubled, orphans $orphans ($detail), unverified $unverified" >&2
  echo "$lost $doubled $orphans $unverified $stale"
}

# Adds $2 trials and a check's figures (lost, doubled, orphans, unverified, stale) to row $1 of the matrix.
declare -A tot_trials tot_lost tot_doubled tot_orphans tot_unverified tot_stale tot_reruns
tally() {
  local row=$1 lost=$3 doubled=$4 orphans=$5 unverified=$6 stale=${7:-0}
  tot_trials[$row]=$(( ${tot_trials[$row]:-0} + $2 ))
  tot_lost[$row]=$(( ${tot_lost[$row]:-0} + lost ))
  tot_doubled[$row]=$(( ${tot_doubled[$row]:-0} + doubled ))
  tot_orphans[$row]=$(( ${tot_orphans[$row]:-0} + orphans ))
  tot_unverified[$row]=$(( ${tot_unverified[$row]:-0} + unverified ))
  tot_stale[$row]=$(( ${tot_stale[$row]:-0} + stale ))
}
# Does what tally does, and counts the broken invariants.
add() {
  tally "$@"
  broken=$((broken + $3 + $4 + $5 + $6))
}
# Records that the run after the fault (row $1) exited $2 (0 expected).
rerun() {
  [ "$2" = 0 ] || { broken=$((broken + 1)); echo "  $1: the run after the fault exited $2" >&2; }
  tot_reruns[$1]="${tot_reruns[$1]:-}${tot_reruns[$1]:+ }$2"
}

# --- runs under a storage fault ---------------------------------------------------------------------------
# Runs apply on database $1 under a fault (AWS_* of the caller apply); prints its exit code and its first
# error line.
fault_apply() {
  local rc=0
  pm "$1" apply --at "$AT" --batch-size "$BATCH" >"$work/fault.out" 2>&1 || rc=$?
  echo "    under the fault: exit $rc; $(grep -m1 -iE 'error|failed|cannot|no space|read-only' "$work/fault.out" | cut -c1-150)"
}

# Checks database $1 while the fault is there (or just removed): every expired partition of ar is a table
# with all its rows or a 'dropped' archive that restores them; prints how many are neither.
mid_check() {
  local bad
  bad=$(check_archives "$1" drop)
  echo $((bad + $(check_expired_kept "$1")))
}

# Reruns apply on database $1 after the fault is removed, checks it (archives in folder $2, or "" for S3)
# and adds the figures to row $3 of the matrix as $5 trials (default 1), with $4 more partitions dropped
# unverified (from mid_check).
after_fault() {
  local rc=0 lost doubled orphans unverified stale
  pm "$1" apply --at "$AT" --batch-size "$BATCH" >"$work/rerun.out" 2>&1 || rc=$?
  rerun "$3" "$rc"
  [ "$rc" = 0 ] || sed 's/^/    /' "$work/rerun.out" | tail -5 >&2
  read -r lost doubled orphans unverified stale < <(check_db "$1" "$2")
  add "$3" "${5:-1}" "$lost" "$doubled" "$orphans" "$((unverified + $4))" "$stale"
  echo "    after it: rerun exit $rc; lost $lost, doubled $doubled, orphans $orphans, dropped unverified $((unverified + $4))"
  drop_db "$1"
}

# Mounts a tmpfs of size $2 on folder $1.
tmpfs_at() {
  mkdir -p "$1"
  mount -t tmpfs -o "size=$2" tmpfs "$1"
  mounts+=("$1")
}
