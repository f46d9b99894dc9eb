#!/usr/bin/env bash
# Part of test_citus.sh, run with PG* set to the coordinator of a throwaway Citus cluster and PARTMAN to the
# binary. Parents distributed by tenant_id and partitioned by day: create, retention drop, detach into a
# retention schema, archive and restore --attach, rows moved out of a default partition, drain-default,
# status sizes and row estimates, check's default rows, a drain that fails and leaves nothing behind; and
# a local partitioned table on the coordinator, planned as on plain PostgreSQL.
set -euo pipefail
fail() { echo "FAILED: $*"; exit 1; }
sql() { psql -X -v ON_ERROR_STOP=1 -qAt "$@"; }
# Prints field $2 (a Python expression on `d`, the parsed document) of the JSON document $1.
json() { python3 -c "import json, sys; d = json.loads(sys.argv[1]); print($2)" "$1"; }
# Checks that every partition of events and of $1 (more tables, SQL names) is a distributed table colocated
# with events, and that the coordinator holds none of their rows (its shell tables are empty).
colocated() {
  local bad
  bad=$(sql -c "SELECT string_agg(c.oid::regclass::text, ', ') FROM pg_class c
                WHERE (c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'events'::regclass)
                       OR c.oid::regclass::text = ANY ('{$1}'::text[]))
                  AND (NOT EXISTS (SELECT FROM pg_dist_partition d WHERE d.logicalrelid = c.oid AND d.colocationid =
                                   (SELECT colocationid FROM pg_dist_partition WHERE logicalrelid = 'events'::regclass))
                       OR pg_relation_size(c.oid) <> 0)")
  [ -z "$bad" ] || fail "not distributed and colocated with events, or holding rows on the coordinator: $bad"
}
rows() { sql -c "SELECT count(*) FROM $1"; }

sql -c "CREATE TABLE events (tenant_id int NOT NULL, created_at timestamptz NOT NULL, payload text,
                             PRIMARY KEY (tenant_id, created_at)) PARTITION BY RANGE (created_at)" \
    -c "SELECT create_distributed_table('events', 'tenant_id', shard_count => 4)" >/dev/null
"$PARTMAN" install >/dev/null
"$PARTMAN" manage events --interval daily --premake 2 --retention '3 days' --retention-action drop \
  --start 2026-11-30 >/dev/null

# 1. Creates: the plan names the distributed path; each create goes one statement per message.
plan=$("$PARTMAN" plan --at '2026-12-01 12:00')
[[ $plan == *'  distributed by Citus on "tenant_id": statements go one per message'* ]] || fail "plan: $plan"
[[ $plan == *'locks: SHARE UPDATE EXCLUSIVE on the parent, then ACCESS EXCLUSIVE on the new (empty) table, which Citus distributes on the attach'* ]] ||
  fail "plan's locks: $plan"
[ "$(json "$("$PARTMAN" plan --at '2026-12-01 12:00' -f json)" 'd["parents"][0]["distributed"]')" = \
  'distributed by Citus on "tenant_id"' ] || fail "plan JSON has no distribution"
out=$("$PARTMAN" apply --at '2026-12-01 12:00' --force --format json) || fail "apply (creates): $out"
[ "$(json "$out" 'd["done"]["created"]')" = 4 ] || fail "apply created: $out"
messages=$(json "$out" '" ".join(str(a["messages"]) for a in d["parents"][0]["actions"])')
colocated ""
echo "ok: 4 creates, each attached and distributed by Citus colocated with the parent ($messages messages each)"

# 2. status: sizes and rows of distributed partitions from their shards.
sql -c "INSERT INTO events SELECT g % 10, '2026-12-01'::timestamptz + g * interval '1 minute', repeat('x', 500)
        FROM generate_series(0, 1439) g"
sleep 1 # ANALYZE once the workers' sessions of the INSERT reported their statistics (live rows)
sql -c "ANALYZE events"
status=$("$PARTMAN" status --at '2026-12-01 12:00' --format json)
part='[p for p in d["parents"][0]["partitions"] if p["partition"] == "\"public\".\"events_p20261201\""][0]'
size=$(sql -c "SELECT citus_total_relation_size('events_p20261201')")
[ "$(json "$status" "$part[\"estimated_rows\"]")" = 1440 ] || fail "status rows: $status"
[ "$(json "$status" "$part[\"bytes\"]")" = "$size" ] || fail "status bytes, not $size: $status"
[ "$size" -gt 500000 ] || fail "citus_total_relation_size is $size"
echo "ok: status shows events_p20261201 with ~1440 rows and $size bytes (its shards', as citus_total_relation_size)"

# 3. Retention drop: a short DROP TABLE under ACCESS EXCLUSIVE, no DETACH CONCURRENTLY.
out=$("$PARTMAN" apply --at '2026-12-05 12:00' --force --format json) || fail "apply (drops): $out"
[ "$(json "$out" 'd["done"]["dropped"]')" = 2 ] || fail "apply dropped: $out"
[ "$(sql -c "SELECT count(*) FROM pg_dist_partition WHERE logicalrelid::text IN ('events_p20261130', 'events_p20261201')")" = 0 ] ||
  fail "dropped partitions are still in pg_dist_partition"
echo "ok: 2 expired partitions dropped ($(json "$out" '" ".join(str(a["messages"]) for a in d["parents"][0]["actions"] if a["action"] == "drop")') messages each)"

# 4. A default partition: its rows of a new range are estimated from the shards, moved in batches on the
#    workers into the new table, distributed first; check counts them too.
"$PARTMAN" manage events --default-partition >/dev/null
"$PARTMAN" apply --at '2026-12-05 12:00' --force >/dev/null || fail "apply (default partition)"
sql -c "INSERT INTO events SELECT g % 10, '2026-12-09'::timestamptz + g * interval '1 minute', repeat('y', 500)
        FROM generate_series(0, 1439) g"
sleep 1 # ANALYZE once the workers' sessions of the INSERT reported their statistics (live rows)
sql -c "ANALYZE events_default"
plan=$("$PARTMAN" plan --at '2026-12-07 12:00' --force --batch-size 500)
[[ $plan == *'moves: about 1440 rows of its range (estimated) from "public"."events_default" into the new, not yet attached table, in batches of 500 rows (each its own transaction, bounded by key ranges)'* ]] ||
  fail "plan's move estimate: $plan"
if out=$("$PARTMAN" check --max-default-rows 100); then fail "check with 1440 rows in the default partition: $out"; fi
[[ $out == *"about 1440 row(s) in default partition"* ]] || fail "check: $out"
out=$("$PARTMAN" apply --at '2026-12-07 12:00' --force --batch-size 500 --format json 2>"$PGHOST/apply.err") ||
  fail "apply (moves): $out $(cat "$PGHOST/apply.err")"
grep -qi "local data" "$PGHOST/apply.err" && fail "Citus left local data: $(cat "$PGHOST/apply.err")"
[ "$(rows events_p20261209)" = 1440 ] && [ "$(rows 'ONLY events_default')" = 0 ] || fail "rows after the move"
colocated ""
echo "ok: check warned of about 1440 rows in the default partition; apply moved them in batches of 500 into a distributed, colocated table"

# 5. drain-default creates the partitions of what the default partition holds, distributed.
sql -c "INSERT INTO events SELECT g % 10, '2026-12-20'::timestamptz + g * interval '1 minute', 'z'
        FROM generate_series(0, 2999) g"
out=$("$PARTMAN" drain-default events --at '2026-12-07 12:00' --batch-size 700) || fail "drain-default: $out"
[[ $out == *"3 partition(s) created, 3000 rows moved in batches; 0 rows stay"* ]] || fail "drain-default: $out"
colocated ""
echo "ok: drain-default created 3 distributed partitions and moved 3000 rows"

# 6. A drain that fails (a session holds the default partition) drops the empty table it made, closes its
#    history row and says why.
sql -c "INSERT INTO events VALUES (1, '2026-12-25 10:00', 'late')"
psql -X -qAt -c "BEGIN" -c "LOCK TABLE events_default IN ROW EXCLUSIVE MODE" -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
holder=$!
until [ "$(sql -c "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)'")" = 1 ]; do sleep 0.1; done
if out=$("$PARTMAN" drain-default events --at '2026-12-07 12:00' --exclusive-lock-timeout 50ms --exclusive-retries 1 2>&1); then
  fail "drain-default with the default partition held: $out"
fi
# (its server process sleeps on after its client is gone: ended from the server, by the query it runs)
sql -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)'" >/dev/null
wait "$holder" 2>/dev/null || true
[[ $out == *'stopped: create "public"."events_p20261225" deferred: gave up after 2 attempts'* ]] || fail "failed drain: $out"
[[ $out == *'its new table "public"."events_p20261225" held no row and was dropped'* ]] || fail "failed drain: $out"
[[ $out != *"fit no partition"* ]] || fail "failed drain blames the rows: $out"
[ -z "$(sql -c "SELECT to_regclass('events_p20261225')")" ] || fail "the failed drain left its table"
[ "$(sql -c "SELECT count(*) FROM partman.history WHERE outcome = 'started'")" = 0 ] || fail "a started history row stays"
"$PARTMAN" drain-default events --at '2026-12-07 12:00' >/dev/null || fail "drain-default once the lock is gone"
echo "ok: a drain deferred by a held lock dropped its empty distributed table, closed its history row and said why"

# 7. Archive through the coordinator with COPY, then restore --attach puts it back distributed.
"$PARTMAN" manage events --retention-action archive --archive-to "file://$PGHOST/archive" >/dev/null
out=$("$PARTMAN" apply --at '2026-12-13 12:00' --force --format json) || fail "apply (archives): $out"
[ "$(json "$out" 'd["done"]["archived"]')" -ge 1 ] || fail "apply archived: $out"
id=$(sql -c "SELECT id FROM partman.archive WHERE partition_name = 'events_p20261209'")
[ "$(sql -c "SELECT rows FROM partman.archive WHERE id = $id")" = 1440 ] || fail "archive #$id rows"
[ -z "$(sql -c "SELECT to_regclass('events_p20261209')")" ] || fail "the archived partition is still there"
"$PARTMAN" manage events --retention '30 days' >/dev/null # keep what comes back
out=$("$PARTMAN" restore "$id" --attach 2>&1) || fail "restore --attach: $out"
[ "$(rows "events WHERE created_at >= '2026-12-09' AND created_at < '2026-12-10'")" = 1440 ] || fail "restored rows"
colocated ""
echo "ok: archive #$id (1440 rows) exported through the coordinator, restored and attached distributed"

# 8. Detach into a retention schema: a short DETACH; the table stays distributed there.
sql -c "CREATE SCHEMA old_events"
"$PARTMAN" manage events --retention '3 days' --retention-action detach --retention-schema old_events >/dev/null
out=$("$PARTMAN" apply --at '2026-12-14 12:00' --force --format json) || fail "apply (detaches): $out"
detached=$(sql -c "SELECT string_agg(logicalrelid::text, ',' ORDER BY 1) FROM pg_dist_partition WHERE logicalrelid::text LIKE 'old_events.%'")
[ -n "$detached" ] || fail "nothing detached into old_events: $out"
colocated "$detached"
echo "ok: detached into old_events, still distributed and colocated: $detached"

# 9. A local partitioned table on the coordinator: planned and applied as on plain PostgreSQL.
sql -c "CREATE TABLE local_events (created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at)"
"$PARTMAN" manage local_events --interval daily --premake 1 >/dev/null
plan=$("$PARTMAN" plan local_events --at '2026-12-07 12:00')
[[ $plan != *Citus* ]] || fail "a local table planned as a Citus one: $plan"
out=$("$PARTMAN" apply local_events --at '2026-12-07 12:00' --format json) || fail "apply (local): $out"
[ "$(json "$out" 'sorted(set(a["messages"] for a in d["parents"][0]["actions"]))')" = "[1]" ] ||
  fail "a local table's actions are not one message each: $out"
echo "ok: a local partitioned table on the coordinator: plain plan, one message per action"
