#!/usr/bin/env bash
# `sioconf decode` / `encode` / `--help` as a user runs them.
set -uo pipefail
sioconf=$1
fail=0
check() {  # check NAME EXPECTED ACTUAL
  if [[ "$3" != "$2" ]]; then
    printf 'FAIL %s\n     expected: %q\n     got:      %q\n' "$1" "$2" "$3"
    fail=1
  fi
}

check "decode sio lines" '{"data":["hello",1],"nsp":"/","type":2}' \
  "$(printf '2["hello",1]\n' | "$sioconf" decode --layer sio)"
out=$(printf '2[{}]\n' | "$sioconf" decode --layer sio); code=$?
check "decode sio error exit code" 1 "$code"
[[ $out == *'"error":"sio_bad_event_name"'* ]] || { echo "FAIL decode error line: $out"; fail=1; }
check "decode with --limit" '{"condition":"limit","error":"limit_attachments","offset":1}' \
  "$(printf '52-["a"]\n' | "$sioconf" decode --layer sio --limit max_attachments=1 | sed 's/"offset":[0-9]*/"offset":1/')"
check "decode eio-payload raw" '{"data":"hello","type":"message"}
{"type":"ping"}' "$(printf '4hello\x1e2' | "$sioconf" decode --layer eio-payload)"
check "decode ws raw, client role" '{"data":"Hello","opcode":"text"}' \
  "$(printf '\x81\x05Hello' | "$sioconf" decode --layer ws --role client)"
check "decode ndjson raw" '{"value":{"a":[1,2]}}' "$(printf '{"a":[1,2]}\n' | "$sioconf" decode --layer ndjson)"
check "encode sio text" '3/admin,13["bar"]' \
  "$(echo '{"type":3,"nsp":"/admin","id":13,"data":["bar"]}' | "$sioconf" encode --layer sio --output text)"
check "encode sio binary jsonl" '{"text":"51-[\"baz\",{\"_placeholder\":true,\"num\":0}]"}
{"base64":"AQIDBA=="}' \
  "$(echo '{"type":2,"nsp":"/","data":["baz",{"$binary":"AQIDBA=="}]}' | "$sioconf" encode --layer sio)"
check "encode ws raw (server frame)" '810548656c6c6f' \
  "$(echo '{"opcode":"text","data":"Hello"}' | "$sioconf" encode --layer ws | od -An -tx1 | tr -d ' \n')"
for cmd in decode encode adapter vectors; do
  "$sioconf" "$cmd" --help | grep -q "usage: sioconf $cmd" || { echo "FAIL $cmd --help"; fail=1; }
done
"$sioconf" --help | grep -q "commands:" || { echo "FAIL --help"; fail=1; }
"$sioconf" decode --layer nope </dev/null >/dev/null 2>&1; check "unknown layer exit code" 2 "$?"
"$sioconf" frobnicate >/dev/null 2>&1; check "unknown command exit code" 2 "$?"
[[ $fail -eq 0 ]] && echo "cli commands: all as expected"
exit $fail
