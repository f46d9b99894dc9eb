#!/usr/bin/env bash
# Benchmark: archiving one large partition (default about 1.2 GB: 7 M rows of text and jsonb), partman's
# export beside pg_dump -Fc -t (what pg_partman's dump_partition.py runs) and the floor, a server-side
# COPY ... TO '/dev/null'; also COPY TO STDOUT into a client that discards it, and piped through zstd -3.
# Prints times, speeds and sizes. partman's export time is its archive's export_ms (COPY, zstd, SHA-256,
# into file storage with fsync); the whole archive (detach, export, read back and verify, drop) is shown too.
# Usage: tests/bench/archive.sh [ROWS]    (default 7000000; starts its own server unless PGHOST is set)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${1:-7000000}
if [ -z "${PGHOST:-}" ]; then
  exec tests/pg_temp.sh "$0" "$ROWS"
fi
partman=${PARTMAN_BIN:-build/partman}
work=$(mktemp -d /tmp/partman-bench-archive.XXXXXX)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1048576 }'; }
speed() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f", b / 1048576 / s }'; }

psql -qX -v ON_ERROR_STOP=1 <<SQL
CREATE TABLE big (id bigint NOT NULL, ts timestamptz NOT NULL, note text, doc jsonb) PARTITION BY RANGE (ts);
CREATE TABLE big_p20260301 PARTITION OF big FOR VALUES FROM ('2026-03-01 00:00+00') TO ('2026-03-02 00:00+00');
INSERT INTO big_p20260301
SELECT g, '2026-03-01 00:00+00'::timestamptz + (g % 86400) * interval '1 second',
       'event ' || g || ' ' || md5(g::text) || CASE WHEN g % 3 = 0 THEN ' retry' ELSE '' END,
       jsonb_build_object('user', g % 100000, 'kind', (ARRAY['click', 'view', 'buy', 'share'])[g % 4 + 1],
                          'tags', jsonb_build_array('a' || g % 17, 'b' || g % 29), 'score', (g % 1000) / 10.0)
FROM generate_series(1, $ROWS) g;
VACUUM ANALYZE big_p20260301;
SQL
bytes=$(psql -qXAt -c "SELECT pg_relation_size('big_p20260301')")
echo "table: $ROWS rows, $(mb "$bytes") MiB on disk"

t0=$(now); psql -qX -c "COPY big_p20260301 TO '/dev/null'"; t1=$(now)
floor=$(secs "$t0" "$t1")
t0=$(now); psql -qX -c "COPY big_p20260301 TO STDOUT" >/dev/null; t1=$(now)
client=$(secs "$t0" "$t1")
t0=$(now); psql -qX -c "COPY big_p20260301 TO STDOUT" | zstd -3 -q -c >"$work/pipe.zst"; t1=$(now)
pipe=$(secs "$t0" "$t1"); pipe_size=$(stat -c %s "$work/pipe.zst"); rm -f "$work/pipe.zst"
t0=$(now); pg_dump -Fc -t big_p20260301 -f "$work/dump.fc"; t1=$(now)
dump=$(secs "$t0" "$t1"); dump_size=$(stat -c %s "$work/dump.fc"); rm -f "$work/dump.fc"

"$partman" install >/dev/null
"$partman" manage big --interval daily --premake 1 --retention '1 day' --retention-action archive \
  --archive-to "file://$work/store" >/dev/null
t0=$(now)
/usr/bin/time -f "%M" -o "$work/rss" "$partman" apply --at 2026-03-05 2>/dev/null | grep -E "archived|failed" || true
t1=$(now)
whole=$(secs "$t0" "$t1")
read -r export_ms verify_ms stored raw < <(psql -qXAt -F ' ' -c \
  "SELECT round(export_ms), round(verify_ms), stored_bytes, raw_bytes FROM partman.archive WHERE state = 'dropped'")
export_s=$(awk -v m="$export_ms" 'BEGIN { printf "%.2f", m / 1000 }')

echo
echo "| method | time | MiB/s of COPY text | size |"
echo "|---|---|---|---|"
echo "| COPY TO '/dev/null' on the server (the floor) | $floor s | $(speed "$raw" "$floor") | - |"
echo "| COPY TO STDOUT into a client that discards it | $client s | $(speed "$raw" "$client") | - |"
echo "| COPY TO STDOUT piped through zstd -3 | $pipe s | $(speed "$raw" "$pipe") | $(mb "$pipe_size") MiB |"
echo "| pg_dump -Fc -t | $dump s | $(speed "$raw" "$dump") | $(mb "$dump_size") MiB |"
echo "| partman export (COPY, zstd, SHA-256, fsync) | $export_s s | $(speed "$raw" "$export_s") | $(mb "$stored") MiB |"
echo "| partman whole archive (detach, export, verify, drop) | $whole s | - | peak RSS $(awk '{ printf "%.0f", $1 / 1024 }' "$work/rss") MiB |"
echo
awk -v d="$dump" -v e="$export_s" -v f="$floor" -v s="$stored" -v ds="$dump_size" 'BEGIN {
  printf "partman export: %.1fx the speed of pg_dump -Fc, %.0f%% of the floor'"'"'s speed, %.0f%% of pg_dump -Fc'"'"'s size (verify took %s ms)\n",
         d / e, 100 * f / e, 100 * s / ds, "'"$verify_ms"'" }'
