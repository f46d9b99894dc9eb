#!/usr/bin/env bash
# Benchmark: the fault matrix. Prints figures, and exits 1 if any invariant was broken.
#
# Kill trials: each on a fresh database (CREATE DATABASE ... TEMPLATE a prepared one) with six parents, one
# per kind of work: creates whose rows move out of a default partition (mv), DETACH ... CONCURRENTLY then
# DROP (cd), DETACH ... CONCURRENTLY then SET SCHEMA into a retention schema (cs), a detach beside a
# default partition into a retention schema (dd), a detach and drop beside a default partition (dx), and
# archives to a file:// folder (ar). `partman apply` is started; once one of its sessions is in the kind of
# work the trial aims at (a server-side loop reads pg_stat_activity every millisecond; a detach, which takes a
# few ms, is made to wait on a reader's lock), and a random moment later within as long as that work lasted
# in a calibration run, it is frozen (SIGSTOP), what its sessions were in is read from pg_stat_activity
# (that is where the kill landed), and it is killed (SIGKILL). Then,
# once the killed sessions are gone, `partman apply` runs to completion and the database is checked:
#   rows lost: ids that must survive (all but those of partitions the policies drop) and are nowhere among
#     the parents (default partitions included), the retention schema's tables, and every archive restored
#     with `partman restore ID --into restored.aID`;
#   rows doubled: ids seen more than once there (and ids that must not be there: a dropped partition's);
#   orphans: tables in public that are neither a parent nor a partition, unexpected tables in the retention
#     schema, partitions "detach pending", archives not 'dropped', temporary files (*.tmp*) in the storage
#     folder, actions still planned;
#   dropped unverified: archives whose restore fails or gives other rows than the partition had.
# History rows left 'started' by the killed runs are counted, not judged: the next run finishes their work
# from them (what the orphan checks verify) and writes rows of its own, leaving those as they are.
#
# Storage faults, each a scenario on a fresh database with the same parents: the archive folder removed
# after `manage`, a read-only file system (tmpfs remounted ro), a full one (small tmpfs: none fits, and two
# of four fit), the S3 server (s3rver) killed with SIGKILL while a partition uploads, and a copy damaged
# after its archive (a byte flipped: restore must refuse with exit 5 and create nothing). For each: every
# expired partition is still a table with all its rows, or its archive is 'dropped' and restores the same
# rows; after the fault is removed a rerun completes, and the checks above hold.
#
# Usage: tests/bench/faults.sh [KILL_TRIALS] [S3_TRIALS]   (default 100 and 5; starts its own server unless
# PGHOST is set; the storage faults need root for the tmpfs mounts, and node for s3rver, see tests/s3rver.sh;
# FAULTS_AIM='archive export' aims every kill trial at that kind of work)
set -euo pipefail
cd "$(dirname "$0")/../.."
TRIALS=${1:-100}
S3_TRIALS=${2:-5}
if [ -z "${PGHOST:-}" ]; then
  exec tests/pg_temp.sh "$0" "$TRIALS" "$S3_TRIALS"
fi
partman=$(realpath "${PARTMAN_BIN:-build/partman}")
. tests/s3rver.sh
work=$(mktemp -d /tmp/partman-bench-faults.XXXXXX)
mounts=()
s3rver_pid=
cleanup() {
  for m in "${mounts[@]}"; do umount -l "$m" 2>/dev/null || true; done
  if [ -n "$s3rver_pid" ]; then kill -9 "$s3rver_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

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

# --- kill trials -----------------------------------------------------------------------------------------
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $(psql -XAtc 'SHOW server_version') ; $(date -u '+%F %H:%M UTC')"
t0=$(now)
make_template
echo "template: $(q -d faults_tpl -c "SELECT count(*) FROM faultcheck.expected") rows that must survive, made in $(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }') s"

# Calibration: one run to completion while a session samples pg_stat_activity every 5 ms.
new_db fault_calib
mkdir -p "$work/store-calib"
pm fault_calib manage ar --archive-to "file://$work/store-calib" >/dev/null
q -d postgres -c "CREATE TABLE fault_samples (at double precision, class text)"
q -d postgres >/dev/null <<'SQL' &
DO $$
DECLARE seen boolean := false; last_seen timestamptz := clock_timestamp(); n int;
BEGIN
  LOOP
    PERFORM pg_stat_clear_snapshot();
    INSERT INTO fault_samples SELECT extract(epoch FROM clock_timestamp()), fault_class(query, state)
      FROM pg_stat_activity WHERE datname = 'fault_calib' AND backend_type = 'client backend';
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN seen := true; last_seen := clock_timestamp(); END IF;
    EXIT WHEN (seen AND clock_timestamp() - last_seen > interval '1 s') OR clock_timestamp() - last_seen > interval '120 s';
    PERFORM pg_sleep(0.005);
  END LOOP;
END $$;
SQL
sampler=$!
sleep 0.5
t0=$(now)
pm fault_calib apply --at "$AT" --batch-size "$BATCH" >"$work/calib.out" 2>&1 || { cat "$work/calib.out"; exit 1; }
t1=$(now)
wait "$sampler"
full_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
read -r c_lost c_doubled c_orphans c_unverified c_stale < <(check_db fault_calib "$work/store-calib")
add "no fault (calibration)" 1 "$c_lost" "$c_doubled" "$c_orphans" "$c_unverified" "$c_stale"
archive_bytes=$(q -d fault_calib -c "SELECT round(avg(stored_bytes)) FROM partman.archive")
echo "calibration: apply to completion in $full_s s ($(grep -c . "$work/calib.out") lines of output); an archive stores $archive_bytes bytes"
echo "  time in each kind of work (ms sampled, first - last ms after the start):"
q -d postgres -F ' ' -c "SELECT class, count(*) * 5, round((min(at) - $t0) * 1000), round((max(at) - $t0) * 1000)
  FROM fault_samples WHERE class <> 'other' GROUP BY class ORDER BY min(at)" | while read -r line; do echo "    $line"; done
drop_db fault_calib
# The kinds of work the trials aim at, in turn (a kind the calibration's samples missed is aimed at too).
classes=("create" "create, rows moving" "detach concurrently" "detach beside default" "archive export" "drop")
[ -z "${FAULTS_AIM:-}" ] || classes=("$FAULTS_AIM")
for k in "${classes[@]}"; do tally "  landed in: $k" 0 0 0 0 0 0; done # shown even when no kill landed there

echo
echo "kill trials: $TRIALS"
for i in $(seq 1 "$TRIALS"); do
  db=fault_$i
  store="$work/store-$i"
  target=${classes[$(( (i - 1) % ${#classes[@]} ))]}
  # Once a session is in that kind of work: a random moment within as long as it lasted in the calibration
  # run (at most 150 ms).
  delay=$(q -d postgres -c "SELECT coalesce(round(random() * least(150, (max(at) - min(at)) * 1000)), 0) FROM fault_samples WHERE class = '$target'")
  new_db "$db"
  mkdir -p "$store"
  pm "$db" manage ar --archive-to "file://$store" >/dev/null
  # A detach takes a few ms: for those, a reader holds the first partitions to detach for 3 s, so that the
  # detach waits (and retries after its lock_timeout) and the kill lands while it waits.
  holder= note= held=
  [ "$target" != "detach beside default" ] || held="dd_p20260301, dx_p20260301"
  [ "$target" != "detach concurrently" ] || held="cd_p20260301, cs_p20260301"
  if [ -n "$held" ]; then
    q -d "$db" -c "BEGIN; LOCK TABLE $held IN ACCESS SHARE MODE; SELECT pg_sleep(3); COMMIT" >/dev/null &
    holder=$! note=", a reader holding $held"
    sleep 0.1
  fi
  # Not through pm: $! must be partman's own pid, not a subshell's.
  PGDATABASE=$db "$partman" apply --at "$AT" --batch-size "$BATCH" >"$work/killed.out" 2>&1 &
  pid=$!
  waited=$(q -d postgres -c "SELECT fault_wait('$db', '$target', 60)")
  sleep "$(awk -v d="$delay" 'BEGIN { printf "%.3f", d / 1000 }')"
  kill -STOP "$pid" 2>/dev/null || true
  where=$(q -d postgres -c "SELECT coalesce(string_agg(DISTINCT fault_class(query, state), ' + '), 'no session')
    FROM pg_stat_activity WHERE datname = '$db' AND backend_type = 'client backend' AND application_name <> 'psql'")
  kill -KILL "$pid" 2>/dev/null || true
  rc=0; { wait "$pid"; } 2>/dev/null || rc=$?
  [ -z "$holder" ] || wait "$holder"
  if [ "$rc" != 137 ]; then
    where="finished before the kill"
  fi
  # The kinds of work the kill landed in; "other" only when it landed in none.
  kinds=$(tr '+' '\n' <<<"$where" | sed 's/^ *//; s/ *$//' | { grep -vx other || echo other; })
  wait_sessions_gone "$db" || broken=$((broken + 1))
  left=$(q -d "$db" -c "SELECT count(*) FILTER (WHERE outcome = 'started') || ' started, ' || (SELECT count(*) FROM partman.archive WHERE state <> 'dropped') || ' archives unfinished, ' || (SELECT count(*) FROM pg_inherits WHERE inhdetachpending) || ' detach pending' FROM partman.history")
  left="$left, $(find "$store" -name '*.tmp*' | wc -l) temporary files"
  rc=0; pm "$db" apply --at "$AT" --batch-size "$BATCH" >"$work/final.out" 2>&1 || rc=$?
  rerun "kill -9 during apply" "$rc"
  [ "$rc" = 0 ] || sed 's/^/    /' "$work/final.out" | tail -5 >&2
  read -r lost doubled orphans unverified stale < <(check_db "$db" "$store")
  add "kill -9 during apply" 1 "$lost" "$doubled" "$orphans" "$unverified" "$stale"
  while read -r k; do tally "  landed in: $k" 1 "$lost" "$doubled" "$orphans" "$unverified" "$stale"; done <<<"$kinds"
  printf '  trial %3d: aimed at %-22s (%s%s) + %3d ms, killed in %-36s left %s; final apply exit %d; lost %d, doubled %d, orphans %d, unverified %d, started rows %d\n' \
    "$i" "$target" "$waited" "$note" "$delay" "$where;" "$left" "$rc" "$lost" "$doubled" "$orphans" "$unverified" "$stale"
  drop_db "$db"
  rm -rf "$store"
done

# --- storage faults --------------------------------------------------------------------------------------
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

echo
echo "storage faults:"
if [ "$(id -u)" != 0 ]; then
  echo "  skipped: the tmpfs mounts need root" >&2
  broken=$((broken + 1))
else
  echo "  the archive folder removed after manage:"
  new_db fault_gone
  pm fault_gone manage ar --archive-to "file://$work/gone/archives" >/dev/null
  rm -rf "$work/gone"
  fault_apply fault_gone
  echo "    folder there again after the run: $([ -d "$work/gone/archives" ] && echo yes || echo no)"
  mid=$(mid_check fault_gone)
  mkdir -p "$work/gone/archives"
  after_fault fault_gone "$work/gone/archives" "archive folder removed" "$mid"

  echo "  a read-only file system (tmpfs remounted ro after manage):"
  tmpfs_at "$work/ro" 64m
  new_db fault_ro
  pm fault_ro manage ar --archive-to "file://$work/ro" >/dev/null
  mount -o remount,ro "$work/ro"
  fault_apply fault_ro
  mid=$(mid_check fault_ro)
  mount -o remount,rw "$work/ro"
  after_fault fault_ro "$work/ro" "archive folder read-only" "$mid"

  for fit in 0 2; do
    # Room for no archive (64 KiB), or for about two of the four.
    size=64k
    [ "$fit" = 0 ] || size=$(( (archive_bytes * 5 / 2) / 1024 ))k
    echo "  a full file system (tmpfs of $size, room for $fit of 4 archives):"
    tmpfs_at "$work/full$fit" "$size"
    new_db "fault_full$fit"
    pm "fault_full$fit" manage ar --archive-to "file://$work/full$fit" >/dev/null
    fault_apply "fault_full$fit"
    echo "    archives dropped under the fault: $(q -d "fault_full$fit" -c "SELECT count(*) FROM partman.archive WHERE state = 'dropped'"); temporary files left: $(find "$work/full$fit" -name '*.tmp*' | wc -l)"
    mid=$(mid_check "fault_full$fit")
    mount -o remount,size=64m "$work/full$fit"
    after_fault "fault_full$fit" "$work/full$fit" "archive folder full" "$mid"
  done

  echo "  a copy damaged after its archive (one byte flipped; restore must exit 5 and create nothing):"
  new_db fault_damage
  pm fault_damage manage ar --archive-to "file://$work/damage" >/dev/null
  pm fault_damage apply --at "$AT" --batch-size "$BATCH" >/dev/null 2>&1
  accepted=0 damaged=0
  while read -r id key; do
    file="$work/damage/$key"
    damaged=$((damaged + 1))
    size=$(stat -c %s "$file")
    offset=$(( RANDOM * 32768 + RANDOM ))
    offset=$(( offset % size ))
    byte=$(od -An -tu1 -j "$offset" -N1 "$file" | tr -d ' ')
    printf "\\$(printf %03o $(( byte ^ 0x55 )))" | dd of="$file" bs=1 seek="$offset" conv=notrunc status=none
    rc=0; pm fault_damage restore "$id" --into "restored.damaged$id" >"$work/damage.out" 2>&1 || rc=$?
    made=$(q -d fault_damage -c "SELECT to_regclass('restored.damaged$id') IS NOT NULL")
    echo "    archive $id, byte $offset of $size flipped: restore exit $rc, table made: $made; $(grep -m1 -E 'error' "$work/damage.out" | cut -c1-120)"
    [ "$rc" = 5 ] && [ "$made" = f ] || accepted=$((accepted + 1))
    printf "\\$(printf %03o "$byte")" | dd of="$file" bs=1 seek="$offset" conv=notrunc status=none
  done < <(q -d fault_damage -F ' ' -c "SELECT id, object_key FROM partman.archive ORDER BY id")
  # The byte put back (the fault removed): every copy restores what its partition held.
  after_fault fault_damage "$work/damage" "copy damaged after its archive" "$accepted" "$damaged"
fi

echo "  the S3 server (s3rver) killed with SIGKILL while a partition uploads, $S3_TRIALS trials:"
if ! command -v node >/dev/null && [ "$(id -u)" != 0 ]; then
  echo "    skipped: node is missing" >&2
  broken=$((broken + 1))
else
  s3rver_install >/dev/null
  s3rver_start "$work/s3data" "$work/s3rver.log" 0
  s3_port=$s3rver_port
  export AWS_ENDPOINT_URL="http://127.0.0.1:$s3_port" AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1
  unset AWS_ENDPOINT_URL_S3 AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_REGION
  # Until S3_TRIALS kills landed while the big partition was uploaded (at most 3 times as many tries): a kill
  # after the whole archive finished tested nothing and is not counted.
  hits=0 try=0
  while [ "$hits" -lt "$S3_TRIALS" ] && [ "$try" -lt $((3 * S3_TRIALS)) ]; do
    try=$((try + 1))
    db=fault_s3_$try
    new_db "$db"
    # The first expired partition grows to about 17 MB compressed, so its upload takes three parts.
    q -d "$db" <<'SQL'
INSERT INTO ar SELECT nextval('faultcheck.ids'), '2026-03-04 00:00+00'::timestamptz + g * interval '200 ms',
  md5(g::text) || md5((g::bigint * 7919)::text) || md5((g::bigint * 104729)::text) FROM generate_series(1, 300000) g;
INSERT INTO faultcheck.expected SELECT id FROM ar_p20260304 ON CONFLICT DO NOTHING;
UPDATE faultcheck.digests SET digest = faultcheck.digest('ar_p20260304') WHERE name = 'ar_p20260304';
SQL
    pm "$db" manage ar --archive-to "s3://partman-test/try$try" >/dev/null
    pm "$db" apply --at "$AT" --batch-size "$BATCH" >"$work/fault.out" 2>&1 &
    pid=$!
    # Its first 8 MiB part is full at about half of its 315,000 rows: from then on, parts are on their way.
    q -d postgres -c "DO \$\$ BEGIN LOOP PERFORM pg_stat_clear_snapshot();
      EXIT WHEN EXISTS (SELECT 1 FROM pg_stat_progress_copy WHERE datname = '$db' AND tuples_processed >= 160000)
        OR clock_timestamp() - now() > interval '60 s';
      PERFORM pg_sleep(0.002); END LOOP; END \$\$"
    delay=$(( RANDOM % 300 ))
    sleep "$(awk -v d="$delay" 'BEGIN { printf "%.3f", d / 1000 }')"
    kill -9 "$s3rver_pid"; wait "$s3rver_pid" 2>/dev/null || true
    s3rver_pid=
    rc=0; wait "$pid" || rc=$?
    dropped=$(q -d "$db" -c "SELECT count(*) FROM partman.archive WHERE state = 'dropped'")
    echo "    try $try: s3rver killed $delay ms after the big export passed 160,000 rows; apply exit $rc; $dropped archive(s) dropped before the kill; $(grep -m1 -iE 'error|failed' "$work/fault.out" | sed 's/^ *//' | cut -c1-300)"
    s3rver_start "$work/s3data" "$work/s3rver.log" "$s3_port"
    mid=$(mid_check "$db")
    if [ "$rc" = 0 ] && [ "$dropped" = 4 ]; then
      echo "    (missed: every archive was done before the kill; not counted; dropped unverified: $mid)"
      broken=$((broken + mid))
      drop_db "$db"
      continue
    fi
    hits=$((hits + 1))
    after_fault "$db" "" "S3 server killed mid-upload" "$mid"
  done
  kill "$s3rver_pid"; wait "$s3rver_pid" 2>/dev/null || true
  s3rver_pid=
fi

# --- the matrix ------------------------------------------------------------------------------------------
echo
echo "| fault | trials | rows lost | rows doubled | orphans | dropped unverified | history rows left 'started' | exit codes of the runs after it |"
echo "|---|---|---|---|---|---|---|---|"
kinds_order=("create" "create, rows moving" "detach concurrently" "detach beside default" "archive export" "drop" \
  "other" "no session" "finished before the kill")
for row in "no fault (calibration)" "kill -9 during apply" "${kinds_order[@]/#/  landed in: }" \
  "archive folder removed" "archive folder read-only" "archive folder full" "S3 server killed mid-upload" \
  "copy damaged after its archive"; do
  [ -n "${tot_trials[$row]:-}" ] || continue
  codes=-
  [ -z "${tot_reruns[$row]:-}" ] ||
    codes=$(tr ' ' '\n' <<<"${tot_reruns[$row]}" | sort | uniq -c | awk '{ printf "%s%s x%s", (NR > 1 ? ", " : ""), $2, $1 }')
  echo "| $row | ${tot_trials[$row]} | ${tot_lost[$row]} | ${tot_doubled[$row]} | ${tot_orphans[$row]} | ${tot_unverified[$row]} | ${tot_stale[$row]} | $codes |"
done
echo
echo "'landed in': what partman's sessions were in when it was killed (two work at once, so one kill can land in"
echo "two kinds; 'other': reading the catalog, writing the history, between actions)."
echo "finished $(date -u '+%F %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$broken" != 0 ]; then
  echo "INVARIANTS BROKEN: $broken (see the lines above)" >&2
  exit 1
fi
echo "every invariant held"
