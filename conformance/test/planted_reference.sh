#!/usr/bin/env bash
# The vectors against a planted bug in the reference itself: TWIN is `sioconf` built with
# planted/sio_no_attachment_cap.patch, a Socket.IO decoder without an attachment cap (the
# CVE-2026-33151 class). Given '53-' with three placeholders under max_attachments 2, it waits for
# the attachments: its answer is pending, and the pending rule makes the vector FAIL (its
# follow-up, which the waiting decoder cannot take, would too). Without placeholders
# ('51000000-["a"]') the twin still refuses the text, as no placeholder names the attachments, so
# those vectors are NON-STRICT only (rejected, for another reason). The run must fail.
set -uo pipefail
twin=$1
corpus=$2
out=$("$twin" vectors --case 'sio.limits.attachments-*' "$corpus")
code=$?
fail=0
[[ $code == 1 ]] || { echo "FAIL: the run of the planted twin exited $code, not 1"; fail=1; }
for id in sio.limits.attachments-3-of-2; do
  block=$(echo "$out" | grep -A6 "^FAIL  sioconf  $id ")
  if [[ -z $block ]]; then
    echo "FAIL: $id is not a FAIL against the planted twin"
    fail=1
  elif ! echo "$block" | grep -q "still waits for more input (pending)"; then
    echo "FAIL: $id failed, but not for waiting: $block"
    fail=1
  fi
done
echo "$out" | grep -q '"next":{"items":\[\],"ok":true,"pending":true}' ||
  { echo "FAIL: the follow-up of the waiting decoder was not left pending"; fail=1; }
echo "$out" | tail -n 4
[[ $fail == 0 ]] && echo "OK: the planted twin's missing attachment cap FAILs the attachment vectors"
exit $fail
