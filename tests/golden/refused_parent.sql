-- partman 0.1.0 plan at 2026-11-25T04:20:00Z
-- Run it with: psql -v ON_ERROR_STOP=1 -f FILE
SET lock_timeout = '5s';
SET standard_conforming_strings = on;

-- "public"."clicks" (1 day, premake 1, retention 30 days (drop), UTC)
-- refused, so its removals are left out: would drop or detach 3 of 5 partitions, more than 50%, so only its creates are applied; HINT: check the retention and the clock, then rerun with --force (or raise --max-removal)
-- create "public"."clicks_p20261126": premake: 1 of 1 ahead of 2026-11-25 04:20:00+00:00
-- moves the rows of its range from "public"."clicks_default" into the new table inside the attach's transaction
-- (run from psql, this script moves them all inside the one transaction below)
BEGIN;
SET LOCAL lock_timeout = '100ms';
LOCK TABLE ONLY "public"."clicks" IN SHARE UPDATE EXCLUSIVE MODE;
LOCK TABLE ONLY "public"."clicks_default" IN ACCESS EXCLUSIVE MODE;
CREATE TABLE "public"."clicks_p20261126" (LIKE "public"."clicks" INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING COMMENTS INCLUDING STATISTICS);
WITH moved AS (DELETE FROM ONLY "public"."clicks_default" WHERE "created_at" >= '2026-11-26 00:00:00+00:00' AND "created_at" < '2026-11-27 00:00:00+00:00' RETURNING *) INSERT INTO "public"."clicks_p20261126" SELECT * FROM moved;
ALTER TABLE "public"."clicks" ATTACH PARTITION "public"."clicks_p20261126" FOR VALUES FROM ('2026-11-26 00:00:00+00:00') TO ('2026-11-27 00:00:00+00:00');
COMMIT;

-- "public"."views" (1 day, premake 1, retention 30 days (detach to schema "archive"), UTC)
-- create "public"."views_p20261126": premake: 1 of 1 ahead of 2026-11-25 04:20:00+00:00
-- moves the rows of its range from "public"."views_default" into the new table inside the attach's transaction
-- (run from psql, this script moves them all inside the one transaction below)
BEGIN;
SET LOCAL lock_timeout = '100ms';
LOCK TABLE ONLY "public"."views" IN SHARE UPDATE EXCLUSIVE MODE;
LOCK TABLE ONLY "public"."views_default" IN ACCESS EXCLUSIVE MODE;
CREATE TABLE "public"."views_p20261126" (LIKE "public"."views" INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING COMMENTS INCLUDING STATISTICS);
WITH moved AS (DELETE FROM ONLY "public"."views_default" WHERE "created_at" >= '2026-11-26 00:00:00+00:00' AND "created_at" < '2026-11-27 00:00:00+00:00' RETURNING *) INSERT INTO "public"."views_p20261126" SELECT * FROM moved;
ALTER TABLE "public"."views" ATTACH PARTITION "public"."views_p20261126" FOR VALUES FROM ('2026-11-26 00:00:00+00:00') TO ('2026-11-27 00:00:00+00:00');
COMMIT;
-- detach "public"."views_p20261001": retention 30 days: upper bound 2026-10-02 00:00:00+00:00 is not after 2026-10-26 04:20:00+00:00
BEGIN;
SET LOCAL lock_timeout = '100ms';
LOCK TABLE ONLY "public"."views" IN ACCESS EXCLUSIVE MODE;
LOCK TABLE ONLY "public"."views_default" IN ACCESS EXCLUSIVE MODE;
ALTER TABLE "public"."views" DETACH PARTITION "public"."views_p20261001";
ALTER TABLE "public"."views_p20261001" SET SCHEMA "archive";
COMMIT;
