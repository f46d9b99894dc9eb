# What `cmake --install build` puts where (included by CMakeLists.txt after the targets):
#   the binary                        CMAKE_INSTALL_BINDIR
#   the PostgreSQL extension          PARTMAN_PG_EXTENSION_DIR (pg_config --sharedir of PARTMAN_PG_CONFIG,
#                                     /extension: an absolute path, where the server looks for it)
#   systemd units                     PARTMAN_SYSTEMD_UNITDIR (default PREFIX/lib/systemd/system)
#   the sample worker.toml            PARTMAN_CONFIG_DIR/worker.toml (default /etc/partman; kept if present)
#   man pages                         CMAKE_INSTALL_MANDIR/man1 (when help2man is found)
#   bash completion                   CMAKE_INSTALL_DATADIR/bash-completion/completions/partman

# The extension: the control file and scripts written from sql/NNN_*.sql (packaging/extension_sql.cmake).
set(PARTMAN_EXTENSION_BUILD_DIR ${CMAKE_BINARY_DIR}/extension)
set(PARTMAN_EXTENSION_FILES ${PARTMAN_EXTENSION_BUILD_DIR}/partman.control)
set(previous "")
foreach(f ${PARTMAN_SQL_FILES})
  get_filename_component(name ${f} NAME)
  string(REGEX MATCH "^[0-9]+" num ${name})
  math(EXPR num "${num} + 0")
  if(previous STREQUAL "")
    list(APPEND PARTMAN_EXTENSION_FILES ${PARTMAN_EXTENSION_BUILD_DIR}/partman--${num}.sql)
  else()
    list(APPEND PARTMAN_EXTENSION_FILES ${PARTMAN_EXTENSION_BUILD_DIR}/partman--${previous}--${num}.sql)
  endif()
  set(previous ${num})
endforeach()
list(APPEND PARTMAN_EXTENSION_FILES ${PARTMAN_EXTENSION_BUILD_DIR}/partman--${previous}.sql)
list(REMOVE_DUPLICATES PARTMAN_EXTENSION_FILES)
add_custom_command(
  OUTPUT ${PARTMAN_EXTENSION_FILES}
  COMMAND ${CMAKE_COMMAND} -DOUTDIR=${PARTMAN_EXTENSION_BUILD_DIR} "-DFILES=${PARTMAN_SQL_FILES_ARG}"
          -DCONTROL_IN=${CMAKE_SOURCE_DIR}/sql/partman.control.in -P ${CMAKE_SOURCE_DIR}/packaging/extension_sql.cmake
  DEPENDS ${PARTMAN_SQL_FILES} ${CMAKE_SOURCE_DIR}/sql/partman.control.in
          ${CMAKE_SOURCE_DIR}/packaging/extension_sql.cmake
  COMMENT "Writing the extension partman from sql/*.sql"
  VERBATIM)
add_custom_target(partman_extension ALL DEPENDS ${PARTMAN_EXTENSION_FILES})

# Man pages (help2man) and bash completion, from the built binary's --help (packaging/help_docs.cmake).
find_program(HELP2MAN help2man)
if(NOT HELP2MAN)
  message(STATUS "help2man not found: no man pages (apt-get install help2man)")
  set(HELP2MAN "")
endif()
set(PARTMAN_DOCS_DIR ${CMAKE_BINARY_DIR}/docs)
add_custom_command(
  OUTPUT ${PARTMAN_DOCS_DIR}/partman
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${PARTMAN_DOCS_DIR}/man
  COMMAND ${CMAKE_COMMAND} -DPARTMAN=$<TARGET_FILE:partman> -DOUTDIR=${PARTMAN_DOCS_DIR}
          -DVERSION=${PROJECT_VERSION} -DHELP2MAN=${HELP2MAN}
          -DCOMPLETION_IN=${CMAKE_SOURCE_DIR}/packaging/bash_completion.in
          -P ${CMAKE_SOURCE_DIR}/packaging/help_docs.cmake
  DEPENDS partman ${CMAKE_SOURCE_DIR}/packaging/help_docs.cmake ${CMAKE_SOURCE_DIR}/packaging/bash_completion.in
  COMMENT "Writing man pages and bash completion from partman --help"
  VERBATIM)
add_custom_target(partman_docs ALL DEPENDS ${PARTMAN_DOCS_DIR}/partman)

# Where the server looks for extensions: pg_config --sharedir of the PostgreSQL it runs.
set(PARTMAN_PG_CONFIG /usr/lib/postgresql/15/bin/pg_config CACHE FILEPATH
    "pg_config of the PostgreSQL whose extension folder gets partman's extension files")
if(NOT PARTMAN_PG_EXTENSION_DIR)
  execute_process(COMMAND ${PARTMAN_PG_CONFIG} --sharedir OUTPUT_VARIABLE sharedir
                  OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc ERROR_QUIET)
  if(rc EQUAL 0 AND sharedir)
    set(dir ${sharedir}/extension)
  else()
    message(WARNING "'${PARTMAN_PG_CONFIG} --sharedir' failed: the extension files go to "
                    "PREFIX/share/postgresql/15/extension; set PARTMAN_PG_CONFIG or PARTMAN_PG_EXTENSION_DIR")
    set(dir ${CMAKE_INSTALL_DATADIR}/postgresql/15/extension)
  endif()
  set(PARTMAN_PG_EXTENSION_DIR ${dir} CACHE PATH "Folder for partman.control and partman--*.sql")
endif()
set(PARTMAN_SYSTEMD_UNITDIR lib/systemd/system CACHE PATH "Folder for the systemd units (relative: to the prefix)")
set(PARTMAN_CONFIG_DIR /etc/partman CACHE PATH "Folder of worker.toml, which the worker unit reads")

install(TARGETS partman RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PARTMAN_EXTENSION_FILES} DESTINATION ${PARTMAN_PG_EXTENSION_DIR})
install(FILES ${CMAKE_BINARY_DIR}/systemd/partman-apply.service ${CMAKE_BINARY_DIR}/systemd/partman-apply.timer
              ${CMAKE_BINARY_DIR}/systemd/partman-worker.service
        DESTINATION ${PARTMAN_SYSTEMD_UNITDIR})
install(FILES ${PARTMAN_DOCS_DIR}/partman DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
if(HELP2MAN)
  install(DIRECTORY ${PARTMAN_DOCS_DIR}/man/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 FILES_MATCHING PATTERN "*.1")
endif()
# The sample configuration, unless one is there already (an edited file is never replaced).
install(CODE "
  set(target \"\$ENV{DESTDIR}${PARTMAN_CONFIG_DIR}/worker.toml\")
  if(EXISTS \"\${target}\")
    message(STATUS \"Kept: \${target}\")
  else()
    file(INSTALL \"${CMAKE_SOURCE_DIR}/packaging/worker.toml\" DESTINATION \"${PARTMAN_CONFIG_DIR}\") # adds DESTDIR
  endif()")
