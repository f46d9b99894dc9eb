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

. tests/bench/faults_lib.sh

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
