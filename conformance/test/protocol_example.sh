#!/usr/bin/env bash
# The example adapter of conformance/PROTOCOL.md, copied out of the page as a user would, run by
# the runner over the ndjson vectors: it must pass them all (every other layer is UNSUPPORTED),
# so the page's example stays complete and correct.
set -uo pipefail
sioconf=$1
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
awk '/^```python$/ {inside = 1; next} /^```$/ {inside = 0} inside' "$root/conformance/PROTOCOL.md" >"$work/example.py"
[[ -s $work/example.py ]] || { echo "FAIL: no python example in PROTOCOL.md"; exit 1; }
out=$("$sioconf" vectors --adapter "python3 $work/example.py" --case 'ndjson.*' "$root/corpus/spec")
code=$?
echo "$out" | tail -n 8
passed=$(echo "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
[[ $code == 0 ]] || { echo "FAIL: the example adapter does not pass the ndjson vectors"; exit 1; }
[[ ${passed:-0} -ge 20 ]] || { echo "FAIL: only ${passed:-0} ndjson vectors passed"; exit 1; }
echo "OK: the example adapter passes $passed ndjson vectors"
