-- partman 0.1.0 plan at 2026-11-25T04:20:00Z
-- Run it with: psql -v ON_ERROR_STOP=1 -f FILE
SET lock_timeout = '5s';
SET standard_conforming_strings = on;

-- "app"."Orders" (1 month, premake 2, retention 1 year (detach to schema "archive"), Europe/Berlin)
-- create "app"."Orders_p202612": premake: 1 of 2 ahead of 2026-11-25 05:20:00+01:00
BEGIN;
LOCK TABLE ONLY "app"."Orders" IN SHARE UPDATE EXCLUSIVE MODE;
CREATE TABLE "app"."Orders_p202612" (LIKE "app"."Orders" INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING COMMENTS INCLUDING STATISTICS);
ALTER TABLE "app"."Orders" ATTACH PARTITION "app"."Orders_p202612" FOR VALUES FROM ('2026-12-01 00:00:00+01:00') TO ('2027-01-01 00:00:00+01:00');
COMMIT;
-- create "app"."Orders_p202701": premake: 2 of 2 ahead of 2026-11-25 05:20:00+01:00
BEGIN;
LOCK TABLE ONLY "app"."Orders" IN SHARE UPDATE EXCLUSIVE MODE;
CREATE TABLE "app"."Orders_p202701" (LIKE "app"."Orders" INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING COMMENTS INCLUDING STATISTICS);
ALTER TABLE "app"."Orders" ATTACH PARTITION "app"."Orders_p202701" FOR VALUES FROM ('2027-01-01 00:00:00+01:00') TO ('2027-02-01 00:00:00+01:00');
COMMIT;
-- detach "app"."Orders_p202509": retention 1 year: upper bound 2025-10-01 00:00:00+02:00 is not after 2025-11-25 05:20:00+01:00
ALTER TABLE "app"."Orders" DETACH PARTITION "app"."Orders_p202509" CONCURRENTLY;
ALTER TABLE "app"."Orders_p202509" SET SCHEMA "archive";
-- finalize-detach "app"."Orders_p202510": an interrupted DETACH ... CONCURRENTLY left this partition pending; finish it, then keep it detached
ALTER TABLE "app"."Orders" DETACH PARTITION "app"."Orders_p202510" FINALIZE;
ALTER TABLE "app"."Orders_p202510" SET SCHEMA "archive";
