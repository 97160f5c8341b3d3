#!/usr/bin/env bash
# The page `sioconf live --html` writes: part of corpus/live (enough for every kind of step and
# transport; conformance.live-reference runs it all) against the reference server
# (`sioconf serve`), then `report_test.js page` on that file (it loads, one row per case, every
# case's detail opens with its steps and a wire table per result).
#   live_page.sh SIOCONF OUT_HTML
set -euo pipefail
sioconf=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -f "$out"
# The run's own verdicts are other tests' business: only the page is checked here, so a failing
# scenario does not fail this test.
"$sioconf" live --server ref="$(printf %q "$sioconf") serve --port {port}" --html "$out" \
  --case 'sio.message.*' --case 'eio.handshake.*' --case 'eio.upgrade.*' "$here/../../../corpus/live" >/dev/null 2>&1 || true
[[ -s $out ]] || { echo "sioconf live wrote no HTML report at $out"; exit 1; }
exec bash "$here/report_test.sh" page "$out"
