#!/usr/bin/env bash
# The Debian package, end to end: build it from a copy of the tree (packaging/debian as debian/), check
# its contents and lintian (no errors), install it, run the installed binary, CREATE EXTENSION partman and
# ALTER EXTENSION partman UPDATE from the installed files on a throwaway server, verify the installed
# systemd units, then purge it and check that nothing is left.
# Needs root (dpkg -i) and dpkg-buildpackage with debhelper; exits 77 (skipped) without them.
# Usage: tests/packaging/test_package.sh SOURCE_DIR   (PARTMAN_PACKAGE_JOBS: parallel jobs, default 2)
set -euo pipefail
src=$(realpath "$1")
here=$(dirname "$(realpath "$0")")

if [ -n "${PARTMAN_SANITIZED:-}" ]; then
  echo "SKIPPED: the sanitized pass builds no package (the package holds the normal build; its test ran in the normal pass)"
  exit 77
fi
missing=()
for tool in dpkg-buildpackage dh lintian help2man systemd-analyze; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ "$(id -u)" != 0 ] || [ ${#missing[@]} -gt 0 ]; then
  echo "SKIPPED: the package test needs root (dpkg -i) and dpkg-buildpackage, debhelper, lintian, help2man," \
    "systemd-analyze (missing: ${missing[*]:-none}; uid $(id -u)); packaging/bootstrap.sh installs them"
  exit 77
fi
if dpkg-query -W -f='${Status}' partman 2>/dev/null | grep -q "install ok installed"; then
  echo "SKIPPED: a partman package is installed on this machine already; this test would replace it"
  exit 77
fi

dir=$(mktemp -d /tmp/partman-package.XXXXXX)
installed=""
cleanup() {
  if [ -n "$installed" ]; then dpkg --purge partman >/dev/null 2>&1 || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAILED: $*"; exit 1; }

# A copy of the tree without build folders, with debian/ where dpkg-buildpackage looks for it.
mkdir "$dir/partman"
tar -C "$src" --exclude='./build*' --exclude='./obj-*' --exclude=./.git --exclude=./debian -cf - . |
  tar -C "$dir/partman" -xf -
cp -r "$src/packaging/debian" "$dir/partman/debian"

# ccache (CCACHE_DIR, or its default folder) finds earlier builds of other copies: paths relative to the
# copy, no file-prefix map, no working directory in the hash.
if command -v ccache >/dev/null; then
  export CMAKE_CXX_COMPILER_LAUNCHER=ccache CCACHE_BASEDIR="$dir/partman" CCACHE_NOHASHDIR=1
  export DEB_BUILD_MAINT_OPTIONS="hardening=+all reproducible=-fixfilepath"
fi
start=$SECONDS
(cd "$dir/partman" && dpkg-buildpackage -b -us -uc -j"${PARTMAN_PACKAGE_JOBS:-2}") >"$dir/build.log" 2>&1 ||
  { tail -40 "$dir/build.log"; fail "dpkg-buildpackage"; }
echo "ok: dpkg-buildpackage in $((SECONDS - start)) s"
deb=$(ls "$dir"/partman_*.deb)

# Contents: each expected file, listed by dpkg-deb -c.
dpkg-deb -c "$deb" >"$dir/contents"
version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$src/build/extension/partman.control" 2>/dev/null || true)
[ -n "$version" ] || version=$(ls "$src"/sql/[0-9]*.sql | sed 's|.*/0*\([0-9]*\)_.*|\1|' | sort -n | tail -1)
expected=(./usr/bin/partman
          ./usr/share/postgresql/15/extension/partman.control
          "./usr/share/postgresql/15/extension/partman--$version.sql"
          ./usr/share/postgresql/15/extension/partman--1.sql
          "./usr/share/postgresql/15/extension/partman--$((version - 1))--$version.sql"
          ./lib/systemd/system/partman-worker.service
          ./lib/systemd/system/partman-apply.service
          ./lib/systemd/system/partman-apply.timer
          ./etc/partman/worker.toml
          ./usr/share/man/man1/partman.1.gz
          ./usr/share/man/man1/partman-plan.1.gz
          ./usr/share/man/man1/partman-archive-list.1.gz
          ./usr/share/bash-completion/completions/partman
          ./usr/share/doc/partman/README.md.gz)
for path in "${expected[@]}"; do
  grep -q " $path\$" "$dir/contents" || { cat "$dir/contents"; fail "dpkg-deb -c lacks $path"; }
done
dpkg-deb -I "$deb" conffiles | grep -qx /etc/partman/worker.toml || fail "/etc/partman/worker.toml is no conffile"
# The binary is stripped: its debug symbols are in the -dbgsym package.
file_info=$(dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./usr/bin/partman | file -)
grep -q ", stripped" <<<"$file_info" || fail "/usr/bin/partman is not stripped: $file_info"
echo "ok: dpkg-deb -c lists the binary (stripped), the extension (version $version), units, conffile, man pages, completion"

lintian --fail-on error "$dir"/partman_*.changes >"$dir/lintian" 2>&1 || { cat "$dir/lintian"; fail "lintian reports errors"; }
echo "ok: lintian reports no errors ($(grep -c '^W:' "$dir/lintian" || true) warnings):"
sed 's/^/  | /' "$dir/lintian"

dpkg -i "$deb" >"$dir/dpkg.log" 2>&1 || { cat "$dir/dpkg.log"; fail "dpkg -i"; }
installed=yes
out=$(/usr/bin/partman --version)
[[ $out == "partman "* ]] || fail "partman --version printed '$out'"
man -w partman-install >/dev/null || fail "man -w partman-install finds no page"
bash -c 'source /usr/share/bash-completion/bash_completion; source /usr/share/bash-completion/completions/partman;
         complete -p partman' >/dev/null || fail "the bash completion does not load"
echo "ok: installed; $out; man partman-install; the completion loads"

# The extension from the installed files: the newest version at once, and version 1 updated to it.
"$src/tests/pg_temp.sh" bash "$here/package_db.sh" "$version" || fail "the extension on a throwaway server"

for unit in /lib/systemd/system/partman-worker.service /lib/systemd/system/partman-apply.service \
            /lib/systemd/system/partman-apply.timer; do
  out=$(systemd-analyze verify "$unit" 2>&1) && [ -z "$out" ] || fail "systemd-analyze verify $unit: $out"
done
echo "ok: systemd-analyze verify passes on the installed units"

dpkg --purge partman >"$dir/dpkg.log" 2>&1 || { cat "$dir/dpkg.log"; fail "dpkg --purge"; }
installed=""
for path in /usr/bin/partman /usr/share/postgresql/15/extension/partman.control /etc/partman/worker.toml \
            /lib/systemd/system/partman-worker.service; do
  [ ! -e "$path" ] || fail "$path is left after dpkg --purge"
done
echo "ok: dpkg --purge removes every file, the conffile too"
echo "package test passed in $SECONDS s"
