#!/usr/bin/env bash
# The extension partman from the build's files (build/extension), on a throwaway server:
# - CREATE EXTENSION partman, CREATE EXTENSION partman VERSION '1' + ALTER EXTENSION UPDATE, and `partman
#   install` give the same tables, columns, constraints, indexes, functions and triggers, at one version;
# - `partman install` on the extension says so, or updates it (ALTER EXTENSION UPDATE) from an older one;
# - CREATE EXTENSION refuses a schema that `partman install` filled, or that holds pg_partman;
# - pg_dump and pg_restore keep the policy, history, archive and run_state rows and the sequences, and
#   partman plans and applies on the restored database.
# The server reads extensions from its share folder only, so the files are copied there for the test and
# removed after it: it needs root, and is skipped when a partman package owns them.
# Usage: tests/packaging/test_extension.sh PARTMAN_BINARY EXTENSION_FOLDER
set -euo pipefail
partman=$(realpath "$1")
files=$(realpath "$2")
here=$(dirname "$(realpath "$0")")
target=$(/usr/lib/postgresql/15/bin/pg_config --sharedir)/extension

if [ "$(id -u)" != 0 ] && [ ! -w "$target" ]; then
  echo "SKIPPED: the server's extension folder $target is not writable (run as root)"
  exit 77
fi
if dpkg -S "$target/partman.control" >/dev/null 2>&1; then
  echo "SKIPPED: a partman package owns $target/partman.control; remove it to test the build's files"
  exit 77
fi
copied=()
cleanup() { rm -f "${copied[@]}"; }
trap cleanup EXIT
for f in "$files"/partman.control "$files"/partman--*.sql; do
  cp "$f" "$target/" && copied+=("$target/$(basename "$f")")
done
version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$files/partman.control")

PARTMAN="$partman" VERSION="$version" "$(dirname "$here")/pg_temp.sh" bash "$here/extension_db.sh"
