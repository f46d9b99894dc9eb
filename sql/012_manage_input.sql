-- partman schema, version 12: the rules a policy's options follow, in SQL, so that partman.manage() (014)
-- and the CLI's `partman manage`, which calls it, refuse the same inputs with the same messages. Each
-- function here reads one option as a user writes it and returns it as the policy table keeps it, or raises
-- SQLSTATE 22023 (invalid_parameter_value) with a lowercase message that quotes the bad value and a HINT.
-- Nothing here writes; the functions run with the caller's rights.

-- Raises the error of an invalid option: SQLSTATE 22023, `message`, and `hint` when there is one.
CREATE FUNCTION @schema@.refuse(message text, hint text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF hint IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value', MESSAGE = message;
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value', MESSAGE = message, HINT = hint;
END
$$;
COMMENT ON FUNCTION @schema@.refuse(text, text) IS
    'partman: raises an invalid option (SQLSTATE 22023) with its message and hint';

-- Returns the names joined with '.', each in double quotes, as partman's messages write them.
CREATE FUNCTION @schema@.quote_name(VARIADIC names text[]) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT pg_catalog.string_agg('"' || pg_catalog.replace(n, '"', '""') || '"', '.' ORDER BY i)
      FROM pg_catalog.unnest(names) WITH ORDINALITY AS u(n, i)
$$;

-- Returns the text in single quotes (quotes doubled), as partman's messages quote a value.
CREATE FUNCTION @schema@.quote_text(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT '''' || pg_catalog.replace(value, '''', '''''') || ''''
$$;

-- Returns the canonical text of a partition interval (`what` = 'interval': minutes in multiples of 15) or
-- of a retention period (`what` = 'period': any whole number of a unit), e.g. '1 day', '3 months':
-- a whole number and a unit, or hourly, daily, weekly, monthly, quarterly, yearly.
CREATE FUNCTION @schema@.parse_interval(raw text, what text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    t text := pg_catalog.lower(pg_catalog.btrim(pg_catalog.regexp_replace(raw, '[[:space:]]+', ' ', 'g')));
    m text[];
    n bigint;
    unit text;
    most bigint;
BEGIN
    t := CASE t WHEN 'hourly' THEN '1 hour' WHEN 'daily' THEN '1 day' WHEN 'weekly' THEN '1 week'
                WHEN 'monthly' THEN '1 month' WHEN 'quarterly' THEN '3 months' WHEN 'yearly' THEN '1 year'
                ELSE t END;
    m := pg_catalog.regexp_match(t, '^([0-9]{1,7}) ?([a-z]+)$');
    unit := CASE m[2] WHEN 'minute' THEN 'minute' WHEN 'minutes' THEN 'minute' WHEN 'min' THEN 'minute'
                      WHEN 'mins' THEN 'minute' WHEN 'hour' THEN 'hour' WHEN 'hours' THEN 'hour'
                      WHEN 'day' THEN 'day' WHEN 'days' THEN 'day' WHEN 'week' THEN 'week'
                      WHEN 'weeks' THEN 'week' WHEN 'month' THEN 'month' WHEN 'months' THEN 'month'
                      WHEN 'mon' THEN 'month' WHEN 'mons' THEN 'month' WHEN 'year' THEN 'year'
                      WHEN 'years' THEN 'year' END;
    IF unit IS NULL THEN
        PERFORM @schema@.refuse(pg_catalog.format('invalid %s ''%s''', what, raw),
            'write a whole number and a unit, such as ''1 day'', ''15 minutes'', ''3 months'', or one of '
            'hourly, daily, weekly, monthly, quarterly, yearly');
    END IF;
    n := m[1]::bigint;
    most := CASE unit WHEN 'year' THEN 10000 ELSE 100000 END;
    IF n < 1 OR n > most THEN
        PERFORM @schema@.refuse(pg_catalog.format('invalid %s ''%s'': the number must be between 1 and %s',
                                                  what, raw, most));
    END IF;
    IF unit = 'minute' AND n % 60 = 0 THEN
        unit := 'hour';
        n := n / 60;
    END IF;
    IF what = 'interval' AND unit = 'minute' AND n % 15 <> 0 THEN
        PERFORM @schema@.refuse(pg_catalog.format('invalid interval ''%s'': minutes must be a multiple of 15', raw),
                                'use ''15 minutes'', ''30 minutes'' or hours');
    END IF;
    RETURN n || ' ' || unit || CASE WHEN n <> 1 THEN 's' ELSE '' END;
END
$$;
COMMENT ON FUNCTION @schema@.parse_interval(text, text) IS
    'partman: the canonical text of a partition interval or retention period, or an error naming it';

-- Returns the approximate seconds of a canonical interval (a month counts 30 days, a year 365), to compare.
CREATE FUNCTION @schema@.interval_seconds(canonical text) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT pg_catalog.split_part(canonical, ' ', 1)::bigint *
           CASE pg_catalog.rtrim(pg_catalog.split_part(canonical, ' ', 2), 's')
               WHEN 'minute' THEN 60 WHEN 'hour' THEN 3600 WHEN 'day' THEN 86400 WHEN 'week' THEN 604800
               WHEN 'month' THEN 2592000 ELSE 31536000 END
$$;

-- Returns a whole number written as digits with an optional '-' (`positive`: at least 1); `what` names it.
CREATE FUNCTION @schema@.parse_whole(raw text, what text, positive boolean) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    n bigint;
BEGIN
    IF raw !~ '^-?[0-9]+$' THEN
        PERFORM @schema@.refuse(pg_catalog.format('invalid %s ''%s'': not a whole number', what, raw));
    END IF;
    BEGIN
        n := raw::bigint;
    EXCEPTION WHEN numeric_value_out_of_range THEN
        PERFORM @schema@.refuse(pg_catalog.format('invalid %s ''%s'': out of the range of bigint', what, raw));
    END;
    IF positive AND n < 1 THEN
        PERFORM @schema@.refuse(pg_catalog.format('invalid %s ''%s'': it must be at least 1', what, raw));
    END IF;
    RETURN n;
END
$$;

-- Refuses a time zone name that the tz database does not know (an IANA name, not an abbreviation or a POSIX
-- rule: partman computes boundaries with the same database on the client).
CREATE FUNCTION @schema@.check_zone(zone text) RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF zone NOT IN ('UTC', 'Etc/UTC') AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_timezone_names WHERE name = zone) THEN
        PERFORM @schema@.refuse(pg_catalog.format('unknown time zone ''%s''', zone),
                                'use an IANA name such as ''UTC'', ''Europe/Berlin'' or ''America/New_York''');
    END IF;
END
$$;

-- Returns the instant that `raw` names: 'YYYY-MM-DD[( |T)HH:MM[:SS[.ffffff]]][Z|+HH[:MM]|-HH[:MM]]', read
-- in `zone` when it has no offset. A wall-clock time that a DST change skips is the instant of the change;
-- one that a DST change repeats takes the later offset.
CREATE FUNCTION @schema@.parse_instant(raw text, zone text) RETURNS timestamptz
LANGUAGE plpgsql STABLE STRICT AS $$
DECLARE
    m text[] := pg_catalog.regexp_match(raw,
        '^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[ Tt]([0-9]{1,2}):([0-9]{1,2})(?::([0-9]{1,2})(?:\.([0-9]{1,6}))?)?)?(?:([Zz])|([+-])([0-9]{1,2})(?::([0-9]{2}))?)?$');
    local timestamp;
    offset_minutes int;
    at timestamptz;
    lo timestamptz;
    hi timestamptz;
    mid timestamptz;
BEGIN
    BEGIN
        IF m IS NULL OR coalesce(m[4]::int, 0) > 23 OR coalesce(m[5]::int, 0) > 59 OR coalesce(m[6]::int, 0) > 59
           OR coalesce(m[11]::int, 0) > 59 THEN
            RAISE EXCEPTION USING ERRCODE = 'invalid_datetime_format';
        END IF;
        IF m[1] = '0000' THEN
            PERFORM @schema@.refuse(pg_catalog.format(
                'invalid timestamp ''%s'': partman reads dates from 0001-01-01 to 9999-12-31', raw));
        END IF;
        local := pg_catalog.make_timestamp(m[1]::int, m[2]::int, m[3]::int, coalesce(m[4]::int, 0),
                                           coalesce(m[5]::int, 0), 0)
                 + pg_catalog.make_interval(secs => (coalesce(m[6], '0') || '.' || coalesce(m[7], '0'))::float8);
    EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow THEN
        PERFORM @schema@.refuse(pg_catalog.format('invalid timestamp ''%s''', raw),
            'write it as ''2026-11-25'', ''2026-11-25 13:00'', ''2026-11-25T13:00:00Z'' or ''2026-11-25 13:00:00+01:00''');
    END;
    IF m[8] IS NOT NULL THEN
        RETURN local AT TIME ZONE 'UTC';
    END IF;
    IF m[9] IS NOT NULL THEN
        offset_minutes := (m[10]::int * 60 + coalesce(m[11]::int, 0)) * CASE m[9] WHEN '-' THEN -1 ELSE 1 END;
        IF abs(offset_minutes) > 15 * 60 + 59 THEN
            PERFORM @schema@.refuse(pg_catalog.format(
                'invalid timestamp ''%s'': its UTC offset %s%s:%s is beyond -15:59 to +15:59', raw, m[9],
                pg_catalog.lpad((abs(offset_minutes) / 60)::text, 2, '0'), pg_catalog.lpad((abs(offset_minutes) % 60)::text, 2, '0')),
                'write an offset such as +01:00 or -05:00, or Z for UTC');
        END IF;
        RETURN (local - pg_catalog.make_interval(mins => offset_minutes)) AT TIME ZONE 'UTC';
    END IF;
    at := local AT TIME ZONE zone;
    IF (at AT TIME ZONE zone) = local THEN
        RETURN at;
    END IF;
    -- Skipped by a DST change: the server read it with the offset before the change, so the change lies
    -- less than the skipped span before `at`; find the first instant whose offset is the new one.
    hi := at;
    lo := at - ((at AT TIME ZONE zone) - local);
    WHILE hi - lo > interval '1 second' LOOP
        mid := lo + (hi - lo) / 2;
        IF ((mid AT TIME ZONE zone) - (mid AT TIME ZONE 'UTC')) = ((at AT TIME ZONE zone) - (at AT TIME ZONE 'UTC')) THEN
            hi := mid;
        ELSE
            lo := mid;
        END IF;
    END LOOP;
    RETURN pg_catalog.date_trunc('second', hi);
END
$$;
COMMENT ON FUNCTION @schema@.parse_instant(text, text) IS
    'partman: the instant a start option names, read in the policy''s time zone unless it has an offset';

-- Refuses an archive location that is not file:///absolute/folder or s3://bucket[/prefix].
CREATE FUNCTION @schema@.check_storage_uri(uri text) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    scheme text := pg_catalog.lower(pg_catalog.split_part(uri, '://', 1));
    rest text := pg_catalog.substr(uri, pg_catalog.length(pg_catalog.split_part(uri, '://', 1)) + 4);
    bucket text;
    problem text;
    hint text := 'write file:///absolute/folder or s3://bucket/prefix';
    segment text;
BEGIN
    IF uri = '' THEN
        PERFORM @schema@.refuse('empty storage URI', hint);
    ELSIF uri ~ '[\x01-\x1f\x7f]' THEN
        problem := 'it contains a control character';
    ELSIF pg_catalog.strpos(uri, '://') = 0 THEN
        problem := 'no scheme';
    ELSIF scheme = 'file' AND pg_catalog.left(rest, 1) <> '/' THEN
        problem := 'not an absolute path (a host or a relative path after file:// is not supported)';
        hint := 'write three slashes and the absolute folder: file:///var/backups/partman';
    ELSIF scheme = 's3' THEN
        bucket := pg_catalog.split_part(rest, '/', 1);
        IF bucket = '' THEN
            problem := 'the bucket is empty';
            hint := 'write s3://bucket or s3://bucket/prefix';
        ELSIF bucket !~ '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' OR pg_catalog.strpos(bucket, '..') > 0 THEN
            problem := pg_catalog.format('''%s'' is not a valid bucket name', bucket);
            hint := 'a bucket name has 3 to 63 lower-case letters, digits, ''.'' or ''-''';
        END IF;
        rest := pg_catalog.substr(rest, pg_catalog.length(bucket) + 1);
    ELSIF scheme <> 'file' THEN
        problem := pg_catalog.format('unknown scheme ''%s''', scheme);
    END IF;
    IF problem IS NULL THEN
        FOR segment IN SELECT s FROM pg_catalog.regexp_split_to_table(rest, '/') AS s WHERE s IN ('.', '..') LOOP
            problem := pg_catalog.format('the path has a ''%s'' segment', segment);
            hint := 'name the folder or prefix directly, without ''.'' or ''..''';
            EXIT;
        END LOOP;
    END IF;
    IF problem IS NULL AND scheme = 'file' AND pg_catalog.btrim(rest, '/') = '' THEN
        problem := 'it names the root folder';
        hint := 'name a folder for the archives: file:///var/backups/partman';
    END IF;
    IF problem IS NOT NULL THEN
        PERFORM @schema@.refuse(pg_catalog.format('invalid storage URI ''%s'': %s', uri, problem), hint);
    END IF;
END
$$;

-- Returns the name partman gives a child of `parent` with `suffix` ('default', 'p20261125'): parent_suffix,
-- or, where that passes 63 bytes, the parent's name cut (never inside a character) and an FNV-1a hash of it.
CREATE FUNCTION @schema@.child_name(parent name, suffix text) RETURNS name
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    room int := 63 - pg_catalog.octet_length(suffix) - 10;
    bytes bytea := pg_catalog.convert_to(parent, 'UTF8');
    h bigint := 2166136261;
    cut text := parent;
BEGIN
    IF pg_catalog.octet_length(parent) + 1 + pg_catalog.octet_length(suffix) <= 63 THEN
        RETURN parent || '_' || suffix;
    END IF;
    FOR i IN 0 .. pg_catalog.length(bytes) - 1 LOOP
        h := ((h # pg_catalog.get_byte(bytes, i)) * 16777619) & 4294967295;
    END LOOP;
    WHILE pg_catalog.octet_length(cut) > room LOOP
        cut := pg_catalog.left(cut, -1);
    END LOOP;
    RETURN cut || '_' || pg_catalog.lpad(pg_catalog.to_hex(h), 8, '0') || '_' || suffix;
END
$$;

-- Returns LIST values as the key's type (`key_type`, as format_type() prints it) prints them, in the order
-- given, or refuses them: a value that is not of the type, NULL, a text value the type would change (cut
-- to a varchar's length), and a value given twice. `what` names where they come from in the messages.
CREATE FUNCTION @schema@.checked_values(given text[], key_type text, what text, once boolean) RETURNS text[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
    printed text[];
    out text[] := '{}';
    seen text[] := '{}';
    textual boolean := key_type IN ('text', 'character varying') OR key_type LIKE 'character varying(%';
    i int;
    j int;
BEGIN
    BEGIN
        EXECUTE pg_catalog.format('SELECT pg_catalog.array_agg(v::%s::text ORDER BY n) FROM pg_catalog.unnest($1) WITH ORDINALITY AS u(v, n)',
                                  key_type)
            INTO printed USING given;
    EXCEPTION WHEN data_exception THEN
        PERFORM @schema@.refuse(pg_catalog.format('%s: %s', what, SQLERRM),
                                pg_catalog.format('every value must be a valid %s', key_type));
    END;
    FOR i IN 1 .. coalesce(pg_catalog.array_length(given, 1), 0) LOOP
        IF given[i] IS NULL THEN
            PERFORM @schema@.refuse(what || ' gives NULL',
                'partman makes partitions for values, not NULL; rows with a NULL key go to a default '
                'partition (add WHERE ... IS NOT NULL to a query)');
        END IF;
        IF textual AND printed[i] <> given[i] THEN
            PERFORM @schema@.refuse(pg_catalog.format('%s: value %s does not fit the key''s type %s', what,
                                                      @schema@.quote_text(given[i]), key_type),
                                    'it would be stored as ' || @schema@.quote_text(printed[i]));
        END IF;
        j := pg_catalog.array_position(out, printed[i]);
        IF j IS NOT NULL AND once THEN
            PERFORM @schema@.refuse(pg_catalog.format('%s: value %s is given twice%s', what, @schema@.quote_text(given[i]),
                                                      CASE WHEN seen[j] <> given[i] THEN ' (also as ' || @schema@.quote_text(seen[j]) || ')' ELSE '' END),
                                    'list each value once');
        ELSIF j IS NULL THEN
            out := out || printed[i];
            seen := seen || given[i];
        END IF;
    END LOOP;
    RETURN out;
END
$$;

-- Returns the values a LIST policy's values query gives now (its first column, each value once, as the
-- key's type prints them), or refuses the query. It runs as plan runs it: as exactly one SELECT (a cursor
-- takes one statement only, and the query is a subquery, where a data-modifying WITH is refused), in a
-- read-only subtransaction that is always rolled back. It runs within the caller's statement, whose
-- statement_timeout bounds it (`partman manage` sets at most 60 s, as plan allows a values query).
CREATE FUNCTION @schema@.query_values(query text, key_type text, owner text) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
    q text := pg_catalog.regexp_replace(query, '[[:space:];]+$', '');
    what text := 'the values query of ' || owner;
    row record;
    given text[] := '{}';
    failure text;
BEGIN
    IF pg_catalog.upper(pg_catalog.substring(q, '^(?:[[:space:](]|--[^\n]*\n?|/\*(?:[^*]|\*+[^*/])*\*+/)*([A-Za-z]*)'))
       NOT IN ('SELECT', 'WITH', 'VALUES', 'TABLE') THEN
        PERFORM @schema@.refuse(pg_catalog.format(
            'the values query must be one SELECT (or WITH, VALUES, TABLE) statement, not ''%s''', pg_catalog.left(query, 40)),
            'for example ''SELECT code FROM regions''');
    END IF;
    BEGIN
        PERFORM pg_catalog.set_config('transaction_read_only', 'on', true);
        FOR row IN EXECUTE 'SELECT DISTINCT q.x::text AS v FROM (' || q || E'\n) AS q(x)' LOOP
            given := given || row.v;
        END LOOP;
        RAISE EXCEPTION USING ERRCODE = 'PMUND', MESSAGE = 'partman: undo the values query';
    EXCEPTION
        WHEN SQLSTATE 'PMUND' THEN
            NULL; -- the subtransaction is rolled back: whatever the query did, and the settings above
        WHEN invalid_cursor_definition THEN
            PERFORM @schema@.refuse(what || ' holds more than one statement, which partman never runs',
                                    'give one SELECT whose first column is the values');
        WHEN syntax_error THEN
            IF pg_catalog.strpos(q, ';') > 0 THEN
                PERFORM @schema@.refuse(what || ' holds more than one statement, which partman never runs',
                                        'give one SELECT whose first column is the values');
            END IF;
            failure := pg_catalog.split_part(SQLERRM, E'\n', 1);
        WHEN OTHERS THEN
            failure := pg_catalog.split_part(SQLERRM, E'\n', 1);
    END;
    IF failure IS NOT NULL THEN
        PERFORM @schema@.refuse(pg_catalog.format('%s failed: %s', what, failure),
                                'it runs read-only at plan time, for at most 60 s, and its first column gives the values');
    END IF;
    RETURN @schema@.checked_values(given, key_type, what, false);
END
$$;
COMMENT ON FUNCTION @schema@.query_values(text, text, text) IS
    'partman: the values a LIST values query gives now, run as plan runs it (one SELECT, read-only), or an error';

-- Returns the names option as the policy table keeps it: 'partman', 'pg_partman', or 'pg_partman:FORMAT'
-- (the format read by read_name_format()), split into partition_names and name_format (NULL: none given).
CREATE FUNCTION @schema@.parse_partition_names(raw text, OUT partition_names text, OUT name_format text)
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
    IF raw IN ('partman', 'pg_partman') THEN
        partition_names := raw;
    ELSIF pg_catalog.starts_with(raw, 'pg_partman:') AND pg_catalog.length(raw) > 11 THEN
        partition_names := 'pg_partman';
        name_format := pg_catalog.substr(raw, 12);
        PERFORM @schema@.read_name_format(name_format);
    ELSE
        PERFORM @schema@.refuse(pg_catalog.format('invalid partition names ''%s''', raw),
            'use ''partman'', ''pg_partman'', or ''pg_partman:FORMAT'' with pg_partman''s datetime_string '
            '(pg_partman:YYYY_MM_DD)');
    END IF;
END
$$;

-- Reads a name format, pg_partman's datetime_string, as partman writes it (YYYY, IYYY, Q, MM, IW, DD, HH24,
-- MI and SS, text in double quotes, digits and punctuation): returns the bytes each suffix takes and the
-- patterns it holds, or refuses what partman cannot write, with the reasons the planner's reader gives.
CREATE FUNCTION @schema@.read_name_format(pattern text, OUT width integer, OUT fields text[])
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    i int := 1;
    c text;
    token text;
    closing int;
    why text;
BEGIN
    width := 0;
    fields := '{}';
    WHILE i <= pg_catalog.length(pattern) AND why IS NULL LOOP
        c := pg_catalog.substr(pattern, i, 1);
        IF c = '"' THEN
            closing := pg_catalog.strpos(pg_catalog.substr(pattern, i + 1), '"');
            IF closing = 0 THEN
                why := 'a double quote is not closed';
                EXIT;
            END IF;
            width := width + pg_catalog.octet_length(pg_catalog.substr(pattern, i + 1, closing - 1));
            i := i + closing + 1;
            CONTINUE;
        END IF;
        -- the patterns, longest first where one starts another; DDD (day of the year) is refused
        SELECT t INTO token FROM pg_catalog.unnest(ARRAY['HH24', 'IYYY', 'YYYY', 'DDD', 'MM', 'MI', 'SS', 'DD', 'IW', 'Q'])
                                 WITH ORDINALITY AS u(t, k)
         WHERE pg_catalog.substr(pattern, i, pg_catalog.length(t)) = t ORDER BY k LIMIT 1;
        IF token IS NOT NULL AND token <> 'DDD' THEN
            fields := fields || token;
            width := width + CASE token WHEN 'Q' THEN 1 WHEN 'IYYY' THEN 4 WHEN 'YYYY' THEN 4 ELSE 2 END;
            i := i + pg_catalog.length(token);
        ELSIF c ~ '^[A-Za-z\\]$' OR pg_catalog.ascii(c) >= 128 THEN
            why := pg_catalog.format('''%s'' is not a pattern partman writes, nor plain text', coalesce(token, c));
        ELSIF pg_catalog.ascii(c) < 32 OR pg_catalog.ascii(c) = 127 THEN
            why := 'it holds a control character';
        ELSE
            width := width + 1;
            i := i + 1;
        END IF;
    END LOOP;
    IF why IS NULL AND width = 0 THEN
        why := 'it writes nothing';
    ELSIF why IS NULL AND width > 40 THEN
        why := pg_catalog.format('its names take %s bytes, which leaves too little of a 63-byte name for the parent''s', width);
    END IF;
    IF why IS NOT NULL THEN
        PERFORM @schema@.refuse(pg_catalog.format('name format ''%s'': %s', pattern, why),
            'partman writes YYYY, IYYY, Q, MM, IW, DD, HH24, MI and SS, text in double quotes, and digits and '
            'punctuation, as pg_partman''s datetime_string does');
    END IF;
END
$$;
COMMENT ON FUNCTION @schema@.read_name_format(text) IS
    'partman: the width and patterns of a pg_partman datetime_string partman can write, or an error naming it';
