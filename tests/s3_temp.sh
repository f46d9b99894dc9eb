#!/usr/bin/env bash
# Runs a command against a throwaway S3-compatible server: s3rver (see tests/s3rver.sh) on a free loopback
# port with a temporary data folder and the bucket partman-test, exports PARTMAN_TEST_S3_URI and the AWS_*
# variables for the command, then stops the server and removes the folder.
# Usage: tests/s3_temp.sh COMMAND [ARG...]    (the command's exit code is passed through)
set -euo pipefail
# shellcheck source=tests/s3rver.sh
. "$(dirname "$0")/s3rver.sh"

s3rver_install || exit 4

dir=$(mktemp -d /tmp/partman-s3.XXXXXX)
s3rver_pid=
cleanup() {
  if [ -n "$s3rver_pid" ]; then
    kill "$s3rver_pid" 2>/dev/null || true
    wait "$s3rver_pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT

s3rver_start "$dir/data" "$dir/server.log" || exit 4

export PARTMAN_TEST_S3_URI=s3://partman-test
export AWS_ENDPOINT_URL="http://127.0.0.1:$s3rver_port"
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1
unset AWS_ENDPOINT_URL_S3 AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_REGION
set +e
"$@"
rc=$?
set -e
exit $rc
