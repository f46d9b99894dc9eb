-- partman 0.1.0 plan at 2026-11-25T04:20:00Z
-- Run it with: psql -v ON_ERROR_STOP=1 -f FILE
SET lock_timeout = '5s';
SET standard_conforming_strings = on;
