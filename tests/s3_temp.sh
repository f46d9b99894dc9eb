#!/usr/bin/env bash
# Runs a command against a throwaway S3-compatible server: s3rver (the @20minutes fork, which checks SigV4
# signatures; the original s3rver does not) on a free loopback port with a temporary data folder and the
# bucket partman-test, exports PARTMAN_TEST_S3_URI and the AWS_* variables for the command, then stops the
# server and removes the folder. s3rver is installed from npm on first use into a cache folder kept between
# runs (PARTMAN_TEST_NODE_DIR, default ${XDG_CACHE_HOME:-$HOME/.cache}/partman-test-node).
# Usage: tests/s3_temp.sh COMMAND [ARG...]    (the command's exit code is passed through)
set -euo pipefail

s3rver_package=@20minutes/s3rver@5.0.0
node_dir=${PARTMAN_TEST_NODE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/partman-test-node}

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "s3_temp: installing nodejs and npm"
  sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends nodejs npm \
    >/tmp/partman-apt-node.log 2>&1 || { tail -20 /tmp/partman-apt-node.log >&2; exit 4; }
fi

mkdir -p "$node_dir"
(
  # One install at a time when several runs start together.
  flock 9
  if [ ! -f "$node_dir/node_modules/@20minutes/s3rver/package.json" ]; then
    echo "s3_temp: installing $s3rver_package into $node_dir"
    npm install --prefix "$node_dir" --no-audit --no-fund --loglevel=error "$s3rver_package" \
      >"$node_dir/install.log" 2>&1 || { cat "$node_dir/install.log" >&2; exit 4; }
  fi
) 9>"$node_dir/.lock"

dir=$(mktemp -d /tmp/partman-s3.XXXXXX)
pid=
cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT

# The package has no command of its own: start it from node. Port 0 lets the kernel pick a free port,
# which the script prints.
mkdir "$dir/data"
NODE_PATH="$node_dir/node_modules" node -e '
const S3rver = require("@20minutes/s3rver");
new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: process.argv[1],
             configureBuckets: [{ name: "partman-test" }] })
  .run()
  .then((address) => console.log("port " + address.port))
  .catch((err) => { console.error(err); process.exit(1); });
' "$dir/data" >"$dir/server.log" 2>&1 &
pid=$!

port=
for _ in $(seq 1 300); do
  port=$(sed -n 's/^port \([0-9][0-9]*\)$/\1/p' "$dir/server.log")
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$port" ] || ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "s3_temp: s3rver did not start" >&2
  cat "$dir/server.log" >&2
  exit 4
fi

export PARTMAN_TEST_S3_URI=s3://partman-test
export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1
unset AWS_ENDPOINT_URL_S3 AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_REGION
set +e
"$@"
rc=$?
set -e
exit $rc
