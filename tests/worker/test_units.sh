#!/usr/bin/env bash
# The systemd units as CMake writes them (build/systemd): `systemd-analyze verify` finds nothing wrong with
# any, with ExecStart pointing at the binary just built (the install path may not exist on this machine).
# Usage: tests/worker/test_units.sh PARTMAN_BINARY UNIT_FOLDER
set -euo pipefail
partman=$(realpath "$1")
units=$(realpath "$2")
dir=$(mktemp -d /tmp/partman-units.XXXXXX)
trap 'rm -rf "$dir"' EXIT
cp "$units"/*.service "$units"/*.timer "$dir"/
sed -i "s|^ExecStart=[^ ]*/partman |ExecStart=$partman |" "$dir"/*.service
status=0
for u in "$dir"/*.service "$dir"/*.timer; do
  if out=$(systemd-analyze verify "$u" 2>&1) && [ -z "$out" ]; then
    echo "ok: $(basename "$u")"
  else
    echo "FAILED: systemd-analyze verify $(basename "$u"):"
    sed 's/^/  | /' <<<"$out"
    status=1
  fi
done
exit $status
