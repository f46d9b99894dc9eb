#!/usr/bin/env bash
# Installs what is missing on Debian 12 (build tools, libraries, PostgreSQL 15) and builds partman into
# build/. Safe to rerun: it installs only missing packages and rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ cmake make pkg-config libpqxx-dev libcli11-dev libhowardhinnant-date-dev libspdlog-dev catch2
          nlohmann-json3-dev libcurl4-openssl-dev libzstd-dev zlib1g-dev libssl-dev libpugixml-dev libinih-dev libtomlplusplus-dev libcpp-httplib-dev libsystemd-dev openssl zstd time tzdata
          postgresql-15 postgresql-client-15 postgresql-15-partman clang-14 libclang-rt-14-dev faketime prometheus systemd
          debhelper devscripts lintian help2man dpkg-dev bash-completion fakeroot file
          python3-django python3-psycopg2)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  # A cluster created by the package's post-install is not used; tests/pg_temp.sh starts its own.
  if ! "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/partman-apt.log 2>&1; then
    "${sudo[@]}" apt-get update -q >>/tmp/partman-apt.log 2>&1
    "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >>/tmp/partman-apt.log 2>&1 \
      || { tail -20 /tmp/partman-apt.log >&2; exit 1; }
  fi
fi

build_type=${BUILD_TYPE:-RelWithDebInfo}
cmake -S . -B build -DCMAKE_BUILD_TYPE="$build_type" >/dev/null
# (A failed build ends the script: the pipeline's status is the build's, not that of an older binary.)
cmake --build build -j"$(nproc)" 2>&1 | { grep -Ev '^\[ *[0-9]+%\]|^Consolidate|^-- ' || true; }
