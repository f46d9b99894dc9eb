-- partman 0.1.0 plan at 2026-11-25T04:20:00Z
-- Run it with: psql -v ON_ERROR_STOP=1 -f FILE
SET lock_timeout = '5s';
SET standard_conforming_strings = on;

-- "public"."gone" (1 day, premake 4, UTC)
-- error: parent "public"."gone" does not exist; HINT: it was dropped or renamed; 'partman unmanage' removes its policy

-- "public"."by_region" (1 month, premake 4, UTC)
-- error: "public"."by_region" is not partitioned BY RANGE

-- "public"."quiet" (1 year, premake 1, UTC)

-- "public"."visits" (1 hour, premake 4, UTC)
-- error: interval '1 hour' is shorter than a day, but the key of "public"."visits" is a date; HINT: use '1 day' or longer
