# Functions to install and start s3rver (the @20minutes fork, which checks SigV4 signatures; the original
# s3rver does not), sourced by tests/s3_temp.sh and tests/bench/faults.sh. s3rver is installed from npm on
# first use into a cache folder kept between runs (PARTMAN_TEST_NODE_DIR, default
# ${XDG_CACHE_HOME:-$HOME/.cache}/partman-test-node).

s3rver_package=@20minutes/s3rver@5.0.0
s3rver_node_dir=${PARTMAN_TEST_NODE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/partman-test-node}

# Installs nodejs, npm and s3rver where they are missing; returns 4 when that fails.
s3rver_install() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "s3rver: installing nodejs and npm"
    local sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo)
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends nodejs npm \
      >/tmp/partman-apt-node.log 2>&1 || { tail -20 /tmp/partman-apt-node.log >&2; return 4; }
  fi
  mkdir -p "$s3rver_node_dir"
  (
    # One install at a time when several runs start together.
    flock 9
    if [ ! -f "$s3rver_node_dir/node_modules/@20minutes/s3rver/package.json" ]; then
      echo "s3rver: installing $s3rver_package into $s3rver_node_dir"
      npm install --prefix "$s3rver_node_dir" --no-audit --no-fund --loglevel=error "$s3rver_package" \
        >"$s3rver_node_dir/install.log" 2>&1 || { cat "$s3rver_node_dir/install.log" >&2; exit 4; }
    fi
  ) 9>"$s3rver_node_dir/.lock"
}

# Starts s3rver on loopback with its data in folder $1 (which holds the bucket partman-test) and its log in
# file $2, on port $3 (0 or none: a free port the kernel picks). Sets s3rver_pid and s3rver_port; returns 4
# when the server does not answer.
s3rver_start() {
  local data=$1 log=$2 want=${3:-0}
  mkdir -p "$data"
  # The package has no command of its own: start it from node; it prints the port it listens on.
  NODE_PATH="$s3rver_node_dir/node_modules" node -e '
const S3rver = require("@20minutes/s3rver");
new S3rver({ address: "127.0.0.1", port: Number(process.argv[2]), silent: true, directory: process.argv[1],
             configureBuckets: [{ name: "partman-test" }] })
  .run()
  .then((address) => console.log("port " + address.port))
  .catch((err) => { console.error(err); process.exit(1); });
' "$data" "$want" >"$log" 2>&1 &
  s3rver_pid=$!
  s3rver_port=
  for _ in $(seq 1 300); do
    s3rver_port=$(sed -n 's/^port \([0-9][0-9]*\)$/\1/p' "$log")
    [ -n "$s3rver_port" ] && break
    kill -0 "$s3rver_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$s3rver_port" ] || ! (exec 3<>"/dev/tcp/127.0.0.1/$s3rver_port") 2>/dev/null; then
    echo "s3rver: the server did not start" >&2
    cat "$log" >&2
    return 4
  fi
}
