#!/usr/bin/env bash
# Runs report_test.js (arguments passed on) with Debian's Node module folder on NODE_PATH: the
# node-jsdom package installs jsdom and its dependencies there, and only Debian's own build of
# node searches it by default.
set -euo pipefail
if ! command -v node >/dev/null; then
  echo "SKIP: node is not installed (ci/setup installs it)"
  exit 77
fi
export NODE_PATH="${NODE_PATH:+$NODE_PATH:}/usr/share/nodejs"
exec node "$(dirname "$0")/report_test.js" "$@"
