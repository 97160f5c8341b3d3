#!/usr/bin/env bash
# `sioconf client-check` against drivers that misbehave on purpose (misbehaving_driver.py): each
# way gets its verdict and its words, and the exit status says the run failed.
#   client_check_runner.sh SIOCONF
set -uo pipefail
sioconf=$1
here=$(cd "$(dirname "$0")" && pwd)
corpus=$here/../../corpus/live-client
fails=0
check() {  # MODE VERDICT WORDS
  local out
  out=$("$sioconf" client-check --driver "$1=python3 $here/misbehaving_driver.py $1" --case sio.connect.main \
        --transport websocket "$corpus" 2>&1)
  local status=$?
  if [[ $status -ne 1 ]] || ! grep -q "^$2 .*sio.connect.main@websocket" <<<"$out" || ! grep -q "$3" <<<"$out"; then
    echo "FAIL: driver mode $1: expected $2 with \"$3\" and exit status 1, got status $status:"
    echo "$out" | head -20
    fails=$((fails + 1))
  fi
}
check crash FAIL "the client crashed (exit status 3)"
check signal FAIL "the client crashed (exit status 139: killed by signal 11 (SIGSEGV))"
check garbage ERROR "the driver broke DRIVER.md: a line that is not a JSON object"
check unknown ERROR "an unknown report"
check no-hello ERROR "first report is not hello"
# UNSUPPORTED does not fail a run: the exit status is 0 and the verdict is said.
out=$("$sioconf" client-check --driver "u=python3 $here/misbehaving_driver.py unsupported" --case sio.connect.main \
      --transport websocket --verbose "$corpus" 2>&1)
status=$?
if [[ $status -ne 0 ]] || ! grep -q "^UNSUPPORTED .*sio.connect.main@websocket" <<<"$out" ||
   ! grep -q "the driver cannot: op connect" <<<"$out"; then
  echo "FAIL: driver mode unsupported: status $status"; echo "$out" | head -20; fails=$((fails + 1))
fi
# A driver that does not start at all.
out=$("$sioconf" client-check --driver "gone=/nonexistent/driver" --case sio.connect.main --transport websocket \
      "$corpus" 2>&1)
status=$?
if [[ $status -ne 1 ]] || ! grep -q "^ERROR" <<<"$out" ||
   ! grep -q "before it answered hello (exit status 127)" <<<"$out"; then
  echo "FAIL: a driver that does not exist: status $status"; echo "$out" | head -20; fails=$((fails + 1))
fi
[[ $fails -eq 0 ]] && echo "client-check runner: every misbehaviour judged as it should be"
exit $((fails > 0))
