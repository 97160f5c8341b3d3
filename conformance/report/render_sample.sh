#!/usr/bin/env bash
# Renders the HTML report template with the sample report, to look at in a browser:
#   conformance/report/render_sample.sh [OUT_HTML] [REPORT_JSON]
# defaults: build/report-sample.html and conformance/report/sample-report.json.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${1:-$repo/build/report-sample.html}
report=${2:-$here/sample-report.json}
mkdir -p "$(dirname "$out")"
node "$here/render.js" "$here/report.html" "$report" "$out"
echo "wrote $out"
