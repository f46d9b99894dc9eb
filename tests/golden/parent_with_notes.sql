-- partman 0.1.0 plan at 2026-11-25T04:20:00Z
-- Run it with: psql -v ON_ERROR_STOP=1 -f FILE
SET lock_timeout = '5s';
SET standard_conforming_strings = on;

-- "sales"."Line Items" (1 week, premake 4, America/New_York)
-- info: range [2026-11-30 00:00:00-05:00, 2026-12-07 00:00:00-05:00) is already covered by "sales"."handmade_dec" [2026-11-30 00:00:00-05:00, 2026-12-14 00:00:00-05:00)
-- info: range [2026-12-07 00:00:00-05:00, 2026-12-14 00:00:00-05:00) is already covered by "sales"."handmade_dec" [2026-11-30 00:00:00-05:00, 2026-12-14 00:00:00-05:00)
-- warning: cannot create "sales"."Line Items_p2026w51" for [2026-12-14 00:00:00-05:00, 2026-12-21 00:00:00-05:00): it would overlap "sales"."odd_one" [2026-12-17 00:00:00-05:00, 2026-12-18 00:00:00-05:00); HINT: such partitions are left as they are
-- warning: cannot create "sales"."Line Items_p2026w52" for [2026-12-21 00:00:00-05:00, 2026-12-28 00:00:00-05:00): a table of that name exists and is not this partition; HINT: rename or drop it, or attach it yourself
-- create "sales"."Line Items_p2026w48": current: holds now (2026-11-24 23:20:00-05:00)
-- moves the rows of its range from "sales"."Line Items_default" into the new table inside the attach's transaction
-- (run from psql, this script moves them all inside the one transaction below)
BEGIN;
SET LOCAL lock_timeout = '100ms';
LOCK TABLE ONLY "sales"."Line Items" IN SHARE UPDATE EXCLUSIVE MODE;
LOCK TABLE ONLY "sales"."Line Items_default" IN ACCESS EXCLUSIVE MODE;
CREATE TABLE "sales"."Line Items_p2026w48" (LIKE "sales"."Line Items" INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING COMMENTS INCLUDING STATISTICS);
WITH moved AS (DELETE FROM ONLY "sales"."Line Items_default" WHERE "created_at" >= '2026-11-23 00:00:00-05:00' AND "created_at" < '2026-11-30 00:00:00-05:00' RETURNING *) INSERT INTO "sales"."Line Items_p2026w48" SELECT * FROM moved;
ALTER TABLE "sales"."Line Items" ATTACH PARTITION "sales"."Line Items_p2026w48" FOR VALUES FROM ('2026-11-23 00:00:00-05:00') TO ('2026-11-30 00:00:00-05:00');
COMMIT;
