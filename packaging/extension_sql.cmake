# Writes the PostgreSQL extension "partman" from the same numbered scripts sql/NNN_*.sql that
# `partman install` runs (packaging/embed_sql.cmake compiles them in), into OUTDIR:
#   partman.control           default_version = the last script's number
#   partman--1.sql            version 1 (so that every older version can be created and then updated)
#   partman--N.sql            the last version N in one script (what CREATE EXTENSION partman runs)
#   partman--K--L.sql         the update from each version K to the next, L (ALTER EXTENSION partman UPDATE)
# Each script replaces @schema@ with @extschema@ (the control file fixes the schema: partman), turns the
# "--extension-only " lines into statements (pg_extension_config_dump) and records its version in meta.
# Usage: cmake -DOUTDIR=dir -DCONTROL_IN=sql/partman.control.in "-DFILES=a.sql|b.sql" -P extension_sql.cmake
string(REPLACE "|" ";" FILES "${FILES}")

set(guard "\\echo Use \"CREATE EXTENSION partman\" to load this file. \\quit\n")
# A full install refuses a schema that `partman install` filled, or that holds another extension
# (pg_partman is often installed in a schema named partman).
set(refuse_others [=[
DO $partman$
DECLARE
    other name;
BEGIN
    IF to_regclass('@extschema@.meta') IS NOT NULL THEN
        RAISE EXCEPTION 'schema "@extschema@" already holds partman''s tables, installed by ''partman install'' (not as an extension)'
            USING HINT = 'keep upgrading it with ''partman install'' (it is the same schema at the same version); '
                         'README ("Installing") says how to move to the extension';
    END IF;
    SELECT e.extname INTO other FROM pg_catalog.pg_extension e
     WHERE e.extnamespace = '@extschema@'::regnamespace AND e.extname <> 'partman' ORDER BY 1 LIMIT 1;
    IF other IS NOT NULL THEN
        RAISE EXCEPTION 'schema "@extschema@" holds the extension "%"; partman keeps its tables apart from it', other
            USING HINT = 'use ''partman --schema partman_policy install'' instead of the extension, '
                         'or move the other extension out of schema "@extschema@"';
    END IF;
END
$partman$;
]=])

# Returns in `out` the text of script `file` as the extension runs it.
function(extension_text file out)
  file(READ ${file} text)
  string(REPLACE "@schema@" "@extschema@" text "${text}")
  string(REGEX REPLACE "(^|\n)--extension-only " "\\1" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# Returns in `out` the statement that records `version` in meta.
function(stamp version out)
  string(CONCAT text "\nINSERT INTO @extschema@.meta (key, value) VALUES ('schema_version', '${version}')\n"
                     "    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;\n")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

file(MAKE_DIRECTORY ${OUTDIR})
file(GLOB old ${OUTDIR}/partman--*.sql)
if(old)
  file(REMOVE ${old}) # a renumbered or removed script leaves no stale file behind
endif()

set(full "${guard}-- Generated from sql/*.sql by packaging/extension_sql.cmake; do not edit.\n${refuse_others}")
set(previous "")
foreach(f ${FILES})
  get_filename_component(name ${f} NAME)
  string(REGEX MATCH "^[0-9]+" num ${name})
  math(EXPR num "${num} + 0")
  extension_text(${f} text)
  stamp(${num} version_row)
  string(APPEND full "\n-- ${name}\n${text}")
  if(previous STREQUAL "")
    file(WRITE ${OUTDIR}/partman--${num}.sql "${full}${version_row}")
  else()
    file(WRITE ${OUTDIR}/partman--${previous}--${num}.sql
         "${guard}-- Generated from sql/${name} by packaging/extension_sql.cmake; do not edit.\n${text}${version_row}")
  endif()
  set(previous ${num})
endforeach()
if(NOT previous STREQUAL "")
  file(WRITE ${OUTDIR}/partman--${previous}.sql "${full}${version_row}")
endif()
set(PARTMAN_EXTENSION_VERSION ${previous})
configure_file(${CONTROL_IN} ${OUTDIR}/partman.control @ONLY)
