-- partman 0.1.0 plan at 2026-11-25T04:20:00Z
-- Run it with: psql -v ON_ERROR_STOP=1 -f FILE
SET lock_timeout = '5s';
SET standard_conforming_strings = on;

-- "public"."events" (1 day, premake 2, retention 30 days (drop), UTC)
-- create "public"."events_p20261126": premake: 1 of 2 ahead of 2026-11-25 04:20:00+00:00
BEGIN;
LOCK TABLE ONLY "public"."events" IN SHARE UPDATE EXCLUSIVE MODE;
CREATE TABLE "public"."events_p20261126" (LIKE "public"."events" INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING COMMENTS INCLUDING STATISTICS);
ALTER TABLE "public"."events" ATTACH PARTITION "public"."events_p20261126" FOR VALUES FROM ('2026-11-26 00:00:00+00:00') TO ('2026-11-27 00:00:00+00:00');
COMMIT;
-- create "public"."events_p20261127": premake: 2 of 2 ahead of 2026-11-25 04:20:00+00:00
BEGIN;
LOCK TABLE ONLY "public"."events" IN SHARE UPDATE EXCLUSIVE MODE;
CREATE TABLE "public"."events_p20261127" (LIKE "public"."events" INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING COMMENTS INCLUDING STATISTICS);
ALTER TABLE "public"."events" ATTACH PARTITION "public"."events_p20261127" FOR VALUES FROM ('2026-11-27 00:00:00+00:00') TO ('2026-11-28 00:00:00+00:00');
COMMIT;
-- drop "public"."events_p20261024": retention 30 days: upper bound 2026-10-25 00:00:00+00:00 is not after 2026-10-26 04:20:00+00:00
ALTER TABLE "public"."events" DETACH PARTITION "public"."events_p20261024" CONCURRENTLY;
DROP TABLE "public"."events_p20261024";
-- drop "public"."events_p20261025": retention 30 days: upper bound 2026-10-26 00:00:00+00:00 is not after 2026-10-26 04:20:00+00:00
ALTER TABLE "public"."events" DETACH PARTITION "public"."events_p20261025" CONCURRENTLY;
DROP TABLE "public"."events_p20261025";
