#!/usr/bin/env bash
# Part of test_django.sh, run by tests/pg_temp.sh with PARTMAN (the binary) and PYTHON set. Django runs as the role
# app, which owns the project's tables and is no superuser; partman install and apply run as postgres.
set -euo pipefail
cd "$(dirname "$(realpath "$0")")"
export PYTHONDONTWRITEBYTECODE=1 # nothing written into the source tree
fail() { echo "FAILED: $*"; exit 1; }
sql() { psql -X -v ON_ERROR_STOP=1 -qAt "$@"; }
django() { PGUSER=app "$PYTHON" manage.py "$@"; }
log=$(mktemp /tmp/partman-django.XXXXXX)
trap 'rm -f "$log"' EXIT
trap 'echo "FAILED: line $LINENO: $BASH_COMMAND"' ERR

# partman's schema in database $1, with README's GRANTs for the role that declares policies.
prepare() {
  "$PARTMAN" -d "dbname=$1" install >/dev/null
  sql -d "$1" -c "GRANT USAGE ON SCHEMA partman TO app" -c "GRANT SELECT, INSERT, UPDATE, DELETE ON partman.policy TO app"
}

# 1. As README says: the project's database with partman installed, and a template database with partman
#    for the test databases that Django creates.
sql -c "CREATE ROLE app LOGIN CREATEDB"
createdb -O app shop
prepare shop
createdb partman_template
prepare partman_template
sql -c "ALTER DATABASE partman_template IS_TEMPLATE true"

# 2. migrate: the table, its default partition, the policy and Django's record of the migration are written
#    by one transaction (one xmin), before any partman run.
django migrate --noinput >"$log" 2>&1 || { cat "$log"; fail "migrate"; }
policy="SELECT partition_interval || ' ' || premake || ' ' || retention || ' ' || retention_action || ' '
               || archive_to || ' ' || default_partition FROM partman.policy WHERE parent_table = 'events_event'"
declared="1 day 7 90 days archive file:///var/lib/partman/archive true"
out=$(sql -d shop -c "$policy")
[ "$out" = "$declared" ] || fail "the policy after migrate: '$out'"
out=$(sql -d shop -c "SELECT count(*) || ' ' || count(DISTINCT x) FROM (
        SELECT xmin::text AS x FROM pg_class WHERE oid IN (to_regclass('events_event'), to_regclass('events_event_default'))
        UNION ALL SELECT xmin::text FROM partman.policy WHERE parent_table = 'events_event'
        UNION ALL SELECT xmin::text FROM django_migrations WHERE app = 'events' AND name = '0001_event') s")
[ "$out" = "4 1" ] || fail "table, default partition, policy and migration record: rows and transactions '$out', not '4 1'"
out=$(sql -d shop -c "SELECT string_agg(inhrelid::regclass::text, ' ') FROM pg_inherits WHERE inhparent = 'events_event'::regclass")
[ "$out" = "events_event_default" ] || fail "partitions after migrate: '$out'"
django makemigrations --check --dry-run >"$log" 2>&1 || { cat "$log"; fail "the model differs from the migration's state"; }
echo "ok: migrate wrote the table, its default partition, the policy and the migration record in one transaction"

# 3. Migrating back removes the policy, then the table; migrating again makes both.
django migrate --noinput events zero >"$log" 2>&1 || { cat "$log"; fail "migrate events zero"; }
out=$(sql -d shop -c "SELECT to_regclass('events_event') IS NULL, (SELECT count(*) FROM partman.policy)")
[ "$out" = "t|0" ] || fail "after migrate events zero (table gone, policies): '$out'"
django migrate --noinput >"$log" 2>&1 || { cat "$log"; fail "migrate after zero"; }
[ "$(sql -d shop -c "$policy")" = "$declared" ] || fail "no policy after migrating again"
echo "ok: migrate events zero removes the policy and the table; migrate makes them again"

# 4. Before any partman run, an insert through the ORM succeeds and lands in the default partition; then
#    100 rows a day for today and the next 6 days, through create() and bulk_create(). (All at least 10
#    minutes ahead, so that a run that passes midnight finds none before its first day.)
django shell -c "
from datetime import timedelta
from django.utils import timezone
from events.models import Event
Event.objects.create(created_at=timezone.now() + timedelta(minutes=10), payload={'first': True})" >"$log" 2>&1 || { cat "$log"; fail "the first ORM insert"; }
out=$(sql -d shop -c "SELECT tableoid::regclass FROM events_event")
[ "$out" = "events_event_default" ] || fail "the first row is in '$out', not the default partition"
django shell -c "
from datetime import timedelta
from django.utils import timezone
from events.models import Event
now = timezone.now() + timedelta(minutes=10)
for day in range(7):
    Event.objects.create(created_at=now + timedelta(days=day), payload={'day': day, 'i': 0})
    Event.objects.bulk_create(Event(created_at=now + timedelta(days=day, minutes=i), payload={'day': day, 'i': i})
                              for i in range(1, 100))" >"$log" 2>&1 || { cat "$log"; fail "ORM writes"; }
totals="SELECT count(*) || ' ' || sum(id) FROM events_event"
before=$(sql -d shop -c "$totals")
[ "$before" = "701 $((701 * 702 / 2))" ] || fail "rows and sum of ids written: '$before'"
[ "$(sql -d shop -c "SELECT count(*) FROM ONLY events_event_default")" = 701 ] || fail "the rows are not all in the default partition"
echo "ok: the ORM wrote $before (rows, sum of ids) into the default partition before any partman run"

# 5. partman apply creates the partitions and moves the rows out of the default partition, none lost.
"$PARTMAN" -d dbname=shop apply >"$log" 2>&1 || { cat "$log"; fail "partman apply"; }
after=$(sql -d shop -c "$totals")
[ "$after" = "$before" ] || fail "rows and sum of ids after apply: '$after', not '$before'"
out=$(sql -d shop -c "SELECT count(*) FROM ONLY events_event_default")
[ "$out" = 0 ] || fail "$out rows still in the default partition"
out=$(sql -d shop -c "SELECT count(DISTINCT tableoid) FROM events_event")
[ "$out" -ge 7 ] || fail "the rows are in $out partitions, not 7 or 8 (one a day)"
partitions=$(sql -d shop -c "SELECT count(*) FROM partman.partitions WHERE parent_table = 'events_event' AND state <> 'default'")
[ "$partitions" -ge 8 ] || fail "$partitions partitions after apply (today and 7 ahead)"
out=$(django shell -c "
from events.models import Event
print(Event.objects.count(), sorted({e.payload.get('day', -1) for e in Event.objects.all()}))" 2>&1) || { echo "$out"; fail "ORM read after apply"; }
[ "$out" = "701 [-1, 0, 1, 2, 3, 4, 5, 6]" ] || fail "the ORM reads after apply: '$out'"
echo "ok: partman apply made $partitions partitions and moved the rows into $(sql -d shop -c "SELECT count(DISTINCT tableoid) FROM events_event") of them ($after), the ORM reads them all"

# 6. manage.py test: the test database, made from partman_template, gets the table and policy by migrate,
#    and the project's TestCase writes and reads events; Django drops it afterwards.
django test --noinput events >"$log" 2>&1 || { cat "$log"; fail "manage.py test"; }
if ! grep -q "^Ran 2 tests" "$log" || ! grep -q "^OK$" "$log"; then
  cat "$log"
  fail "manage.py test ran not 2 tests, or not OK"
fi
[ "$(sql -c "SELECT count(*) FROM pg_database WHERE datname = 'test_shop'")" = 0 ] || fail "test_shop left behind"
echo "ok: manage.py test passed (2 tests) on a test database made from partman_template"

# 7. Without the template, Django's test database (from template1) has no partman schema and migrate fails
#    there: what README's advice avoids.
if SHOP_TEST_TEMPLATE='' django test --noinput events >"$log" 2>&1; then
  fail "manage.py test passed without the template: does template1 hold partman's schema?"
fi
grep -q 'schema "partman" does not exist' "$log" || { cat "$log"; fail "manage.py test without the template failed otherwise"; }
dropdb test_shop
echo "ok: without the template, manage.py test fails: $(grep -m1 -o 'schema "partman" does not exist' "$log")"
