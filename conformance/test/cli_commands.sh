#!/usr/bin/env bash
# `sioconf decode` / `encode` / `--help` as a user runs them, and every kind of usage error.
set -uo pipefail
sioconf=$1
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
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
# --help of each command (and -h, and with other arguments): its text on stdout, exit 0.
for cmd in decode encode adapter vectors serve live client-check driver; do
  for h in --help -h; do
    out=$("$sioconf" "$cmd" $h 2>"$tmp/err"); code=$?
    check "$cmd $h exit code" 0 "$code"
    [[ $out == *"usage: sioconf $cmd"* ]] || { echo "FAIL $cmd $h: $out"; fail=1; }
    check "$cmd $h stderr" "" "$(cat "$tmp/err")"
  done
done
"$sioconf" decode --layer sio --help | grep -q "usage: sioconf decode" || { echo "FAIL decode --layer sio --help"; fail=1; }
"$sioconf" vectors --help | grep -q -- "--adapter CMD" || { echo "FAIL vectors --help options"; fail=1; }
for h in --help -h help; do
  out=$("$sioconf" $h); code=$?
  check "sioconf $h exit code" 0 "$code"
  [[ $out == *"commands:"* ]] || { echo "FAIL sioconf $h: $out"; fail=1; }
done
"$sioconf" >/dev/null 2>&1; check "no command exit code" 2 "$?"
[[ $("$sioconf" --version) =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "FAIL --version"; fail=1; }

# Usage errors: exit 2, nothing on stdout, one line on stderr that names what is wrong.
refused() {  # refused NAME WORD ARGS...: `sioconf ARGS` is a usage error mentioning WORD
  local name=$1 word=$2; shift 2
  "$sioconf" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"; local code=$?
  check "$name: exit code" 2 "$code"
  check "$name: stdout" "" "$(cat "$tmp/out")"
  check "$name: stderr lines" 1 "$(wc -l <"$tmp/err")"
  grep -q -e "$word" "$tmp/err" || { echo "FAIL $name: stderr does not say $word: $(cat "$tmp/err")"; fail=1; }
}
refused "vectors' --strict given to decode" --strict decode --layer sio --strict
refused "decode's --layer given to vectors" --layer vectors --layer sio corpus/spec
refused "decode's --input given to encode" --input encode --layer sio --input raw
refused "encode's --output given to decode" --output decode --layer sio --output raw
refused "decode's --layer given to adapter" --layer adapter --layer sio
refused "an option before the command" --layer --layer sio decode
refused "unknown option" --bogus decode --layer sio --bogus
refused "unknown option, --layer missing too" --bogus decode --bogus
refused "unknown option of sioconf" --bogus --bogus
refused "missing --layer" "--layer is required" decode
refused "missing --layer of encode" "--layer is required" encode --output text
refused "--layer without its value" --layer decode --layer
refused "bad --layer" nope decode --layer nope
refused "bad --input" foo decode --layer sio --input foo
refused "live without a server" "give a server" live
refused "live: bad --transport" bogus live --url http://127.0.0.1:1 --transport bogus
refused "live: bad --shaping" bogus live --url http://127.0.0.1:1 --shaping bogus
refused "live: bad --time-scale" "not a scale" live --url http://127.0.0.1:1 --time-scale 0
refused "live: bad --url" "not http://HOST:PORT" live --url ftp://x --case nothing
refused "live: --server without NAME=" "not NAME=COMMAND" live --server justacommand --case nothing
refused "vectors' --adapter given to live" --adapter live --url http://127.0.0.1:1 --adapter x
refused "client-check without a driver" "give a client" client-check
refused "client-check: bad --transport" bogus client-check --driver x --transport bogus
refused "client-check: bad --jobs" "--jobs" client-check --driver x --jobs 0
refused "live's --url given to client-check" --url client-check --driver x --url http://127.0.0.1:1
refused "bad --output" foo encode --layer sio --output foo
refused "bad --role" foo decode --layer ws --role foo
refused "unknown --limit key" no_such_limit decode --layer sio --limit no_such_limit=1
refused "--limit not key=value" max_depth decode --layer sio --limit max_depth
refused "--limit value not a number" max_depth=x decode --layer sio --limit max_depth=x
refused "--limit value too large" max_depth=4294967296 decode --layer sio --limit max_depth=4294967296
refused "bad --timeout" 3601 vectors --timeout 3601 corpus/spec
refused "stray argument to decode" stray decode --layer sio stray
refused "stray argument to adapter" stray adapter stray
refused "vectors without PATH" PATH vectors --strict
refused "unknown command" frobnicate frobnicate
refused "serve --limit unknown key" "--limit nope=1" serve --limit nope=1
refused "serve --port out of range" "--port" serve --port 70000
refused "serve --ping-interval 0" "--ping-interval" serve --ping-interval 0
printf 'x\n' | "$sioconf" decode --layer sio --input jsonl >"$tmp/out" 2>"$tmp/err"
check "jsonl line not JSON: exit code" 2 "$?"
check "jsonl line not JSON: stderr" "sioconf: --input jsonl: a line is not JSON" "$(cat "$tmp/err")"
printf 'x\n' | "$sioconf" encode --layer sio >/dev/null 2>"$tmp/err"
check "encode line not JSON: exit code" 2 "$?"
check "encode line not JSON: stderr lines" 1 "$(wc -l <"$tmp/err")"

# Repeated options all count.
check "two --limit, the first" '{"condition":"limit","error":"limit_attachments","offset":1}' \
  "$(printf '52-["a"]\n' | "$sioconf" decode --layer sio --limit max_attachments=1 --limit max_depth=1)"
check "two --limit, the second" '{"condition":"limit","error":"limit_depth","offset":1}' \
  "$(printf '2["a",[1]]\n' | "$sioconf" decode --layer sio --limit max_attachments=1 --limit max_depth=1)"
spec=$(dirname "$0")/../../corpus/spec
out=$("$sioconf" vectors --dry-run --case 'sio.event.foo' "$spec" --case 'ws.close.*')
[[ $out == *"sio.event.foo "* && $out == *"ws.close."* && $out != *"sio.event.admin "* ]] ||
  { echo "FAIL two --case, options after PATH: $out"; fail=1; }
out=$("$sioconf" vectors --dry-run --adapter 'false' --adapter 'true' --case 'sio.event.foo' "$spec"); code=$?
check "two --adapter, --dry-run: exit code" 0 "$code"
[[ $out == *"sio.event.foo"* ]] || { echo "FAIL two --adapter: $out"; fail=1; }

# decode streams: items come out before the input ends (a jsonl element over the limit is the
# limit's error, not a line held whole).
check "decode jsonl over the limit" '{"condition":"limit","error":"limit_payload_bytes","offset":8}' \
  "$(printf '{"text":"2[\\"abcdefghij\\"]"}\n' | "$sioconf" decode --layer sio --input jsonl --limit max_payload_bytes=8)"
check "decode lines over the limit, then more" '{"data":["a"],"nsp":"/","type":2}
{"condition":"limit","error":"limit_payload_bytes","offset":14}' \
  "$(printf '2["a"]\n2["abcdefghij"]\n2["b"]\n' | "$sioconf" decode --layer sio --limit max_payload_bytes=8)"
check "decode eio-payload bodies as lines" '{"data":"hello","type":"message"}
{"type":"ping"}
{"condition":"protocol","error":"eio_empty_record","offset":8}' \
  "$(printf '4hello\x1e2\n\x1e4\n' | "$sioconf" decode --layer eio-payload --input lines)"
# live: --dry-run lists the cases of the selection, id@transport, without a server.
out=$("$sioconf" live --dry-run --case 'sio.connect.main' --transport polling --transport upgrade); code=$?
check "live --dry-run exit code" 0 "$code"
check "live --dry-run cases" "sio.connect.main@polling sio.connect.main@upgrade 2" \
  "$(echo "$out" | awk '/@/{printf "%s ", $1} /cases selected/{print $1}')"
# A server nobody runs: every case is ERROR, exit 1, and the run says where it looked.
out=$("$sioconf" live --url http://127.0.0.1:9 --case 'sio.connect.main' --transport websocket); code=$?
check "live, no server: exit code" 1 "$code"
[[ $out == *"ERROR  http://127.0.0.1:9  sio.connect.main@websocket"* && $out == *"nothing answers on 127.0.0.1:9"* ]] ||
  { echo "FAIL live, no server: $out"; fail=1; }
# client-check: --dry-run lists the client cases, without a driver.
out=$("$sioconf" client-check --dry-run --case 'sio.emit.ack' --transport websocket); code=$?
check "client-check --dry-run exit code" 0 "$code"
check "client-check --dry-run cases" "sio.emit.ack@websocket 1" \
  "$(echo "$out" | awk '/@/{printf "%s ", $1} /cases selected/{print $1}')"
# driver: the client driver protocol over stdio (DRIVER.md): hello, an option it does not know,
# bye and the end of stdin both end it with 0.
check "driver hello, unsupported option, bye" \
  '{"name":"sioconf","report":"hello","version":"'"$("$sioconf" --version)"'"}
{"report":"unsupported","what":"option bogus"}
0' "$(printf '%s\n' '{"op":"hello","protocol":1}' '{"op":"connect","url":"http://127.0.0.1:9/","options":{"bogus":1}}' \
        '{"op":"bye"}' | "$sioconf" driver; echo $?)"
check "driver, end of stdin" "0" "$(true | "$sioconf" driver >/dev/null; echo $?)"
"$sioconf" driver </dev/null >/dev/null 2>"$tmp/err"; code=$?
check "driver, stdin not a pipe: exit code" 1 "$code"
grep -q "stdin is not a pipe or a socket" "$tmp/err" || { echo "FAIL driver, stdin not a pipe: $(cat "$tmp/err")"; fail=1; }
[[ $fail -eq 0 ]] && echo "cli commands: all as expected"
exit $fail
