#!/usr/bin/env bash
# The page as the runner writes it: `sioconf vectors --html` over the whole corpus with the
# reference's own adapter, then `report_test.js page` on that file (it loads, one row per case,
# every case's detail opens).
#   runner_page.sh SIOCONF OUT_HTML
set -euo pipefail
sioconf=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -f "$out"
# The run's own verdicts are other tests' business (conformance.reference-adapter-vectors): only
# the page is checked here, so a failing vector does not fail this test.
"$sioconf" vectors --adapter "$sioconf adapter" --html "$out" "$here/../../../corpus/spec" >/dev/null || true
[[ -s $out ]] || { echo "sioconf vectors wrote no HTML report at $out"; exit 1; }
exec bash "$here/report_test.sh" page "$out"
