#!/usr/bin/env bash
# The Node peer's adapter (conformance/adapters/node/adapter.js) over real stdio: one session with
# a decode, an encode and an error per layer, the protocol's error paths and bye; then --modules
# pointing at a folder without the packages. Exits 77 (ctest: skipped) when node or the pinned
# node_modules are missing.
set -uo pipefail
adapter=$1
fail=0

if ! command -v node >/dev/null; then
  echo "SKIP: node is not installed (ci/setup installs it)"
  exit 77
fi
if [[ ! -d $(dirname "$adapter")/node_modules/socket.io-parser ]]; then
  echo "SKIP: $(dirname "$adapter")/node_modules is missing (ci/setup runs npm ci there)"
  exit 77
fi

requests=(
  '{"op":"hello","protocol":1}'
  # sio: a binary event (keeps its wire type 5), an ack, a bad event name
  '{"op":"decode","id":"sio.d","layer":"sio","input":[{"text":"51-[\"a\",{\"_placeholder\":true,\"num\":0}]"},{"base64":"AQID"}]}'
  '{"op":"encode","id":"sio.e","layer":"sio","items":[{"type":3,"nsp":"/admin","id":13,"data":["bar"]}]}'
  '{"op":"decode","id":"sio.x","layer":"sio","input":[{"text":"2[\"a\"]"},{"text":"2[{}]"}]}'
  '{"op":"decode","id":"sio.lim","layer":"sio","input":[{"text":"53-[\"a\"]"}],"limits":{"max_attachments":2}}'
  '{"op":"decode","id":"sio.ls","layer":"sio","input":[{"text":"2[\"\\ud800\"]"}]}'
  # eio: a text and a binary message; a bad type; an encode
  '{"op":"decode","id":"eio.d","layer":"eio","input":[{"text":"4hello"},{"base64":"AQIDBA=="}]}'
  '{"op":"encode","id":"eio.e","layer":"eio","items":[{"type":"ping","data":"probe"},{"type":"message","data":{"$binary":"AQ=="}}]}'
  '{"op":"decode","id":"eio.x","layer":"eio","input":[{"text":"9"}]}'
  # eio-payload: one body of three records; a doubled separator; an encode
  '{"op":"decode","id":"eiop.d","layer":"eio-payload","input":[{"text":"4hello\u001e2\u001ebAQIDBA=="}]}'
  '{"op":"encode","id":"eiop.e","layer":"eio-payload","items":[{"type":"message","data":"hello"},{"type":"message","data":{"$binary":"AQIDBA=="}}]}'
  '{"op":"decode","id":"eiop.x","layer":"eio-payload","input":[{"text":"4a\u001e\u001e4b"}]}'
  # ws: RFC 6455 5.7's masked "Hello" split in two chunks; an unmasked frame to a server; a
  # client's masked "Hello"; a message over ws_max_message_bytes
  '{"op":"decode","id":"ws.d","layer":"ws","options":{"role":"server"},"input":[{"base64":"gYU3+g=="},{"base64":"IT1/n01RWA=="}]}'
  '{"op":"decode","id":"ws.x","layer":"ws","options":{"role":"server"},"input":[{"base64":"gQVIZWxsbw=="}]}'
  '{"op":"encode","id":"ws.e","layer":"ws","options":{"role":"client"},"items":[{"opcode":"text","data":"Hello"}]}'
  '{"op":"decode","id":"ws.lim","layer":"ws","options":{"role":"client"},"limits":{"ws_max_message_bytes":4},"input":[{"base64":"gQVIZWxsbw=="}]}'
  # ndjson: two lines across chunks; an empty line; an encode
  '{"op":"decode","id":"nd.d","layer":"ndjson","input":[{"text":"{\"a\":1}\n[2"},{"text":"]\r\n"}]}'
  '{"op":"encode","id":"nd.e","layer":"ndjson","items":[{"value":{"a":[1,"x"]}}]}'
  '{"op":"decode","id":"nd.x","layer":"ndjson","input":[{"text":"1\n\n2\n"}]}'
  # input that ends inside an item is pending; a follow-up goes to the same Decoder
  '{"op":"decode","id":"sio.p","layer":"sio","input":[{"text":"52-[\"a\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]"},{"base64":"AQ=="}]}'
  '{"op":"decode","id":"sio.n","layer":"sio","input":[{"text":"2[{}]"}],"next":[{"text":"2[\"b\"]"}]}'
  '{"op":"decode","id":"ws.p","layer":"ws","options":{"role":"server"},"input":[{"base64":"gYU3"}]}'
  '{"op":"decode","id":"nd.p","layer":"ndjson","input":[{"text":"[1]\n[2"}]}'
  # the protocol's error paths
  '{"op":"decode","id":"unk","layer":"wsframe","input":[]}'
  '{"op":"decode","id":"lim","layer":"sio","input":[{"text":"2[\"a\"]"}],"limits":{"max_depth":1}}'
  'this is not json'
  '{"op":"frobnicate","id":"op"}'
  '{"op":"bye"}'
  '{"op":"hello","protocol":1}'
)
expected=(
  '"name":"node","version":"socket.io-parser@'
  '{"id":"sio.d","ok":true,"items":[{"type":5,"nsp":"/","data":["a",{"$binary":"AQID"}]}]}'
  '{"id":"sio.e","ok":true,"output":[{"text":"3/admin,13[\"bar\"]"}]}'
  '"condition":"protocol","message":"invalid payload","items":[{"type":2,"nsp":"/","data":["a"]}]}'
  '"error":"limit_attachments","condition":"limit","message":"too many attachments"'
  '{"id":"sio.ls","ok":true,"items":[{"type":2,"nsp":"/","data":["�"]}]}'
  '{"id":"eio.d","ok":true,"items":[{"type":"message","data":"hello"},{"type":"message","data":{"$binary":"AQIDBA=="}}]}'
  '{"id":"eio.e","ok":true,"output":[{"text":"2probe"},{"base64":"AQ=="}]}'
  '{"id":"eio.x","ok":false,"error":"eio_bad_packet_type","condition":"protocol","message":"parser error","items":[]}'
  '{"id":"eiop.d","ok":true,"items":[{"type":"message","data":"hello"},{"type":"ping"},{"type":"message","data":{"$binary":"AQIDBA=="}}]}'
  '{"id":"eiop.e","ok":true,"output":[{"text":"4hello\u001ebAQIDBA=="}]}'
  '"error":"eio_empty_record","condition":"protocol","message":"parser error","items":[{"type":"message","data":"a"}]}'
  '{"id":"ws.d","ok":true,"items":[{"opcode":"text","data":"Hello"}]}'
  '"error":"ws_unmasked_frame","condition":"protocol","message":"Invalid WebSocket frame: MASK must be set","close_code":1002'
  '{"id":"ws.e","ok":true,"output":[{"base64":"gYU3+iE9f59NUVg="}]}'
  '"error":"limit_ws_message_bytes","condition":"limit","message":"Max payload size exceeded","close_code":1009'
  '{"id":"nd.d","ok":true,"items":[{"value":{"a":1}},{"value":[2]}]}'
  '{"id":"nd.e","ok":true,"output":[{"text":"{\"a\":[1,\"x\"]}\n"}]}'
  '"error":"ndjson_empty_line","condition":"protocol"'
  '{"id":"sio.p","ok":true,"items":[],"pending":true}'
  '"message":"invalid payload","items":[],"next":{"ok":true,"items":[{"type":2,"nsp":"/","data":["b"]}]}}'
  '{"id":"ws.p","ok":true,"items":[],"pending":true}'
  '{"id":"nd.p","ok":true,"items":[{"value":[1]}],"pending":true}'
  '{"id":"unk","unsupported":"layer wsframe"}'
  '{"id":"lim","unsupported":"limit max_depth"}'
  '{"id":null,"ok":false,"error":"bad_request","condition":"protocol"'
  '{"id":"op","unsupported":"op frobnicate"}'
)

source "$(dirname "${BASH_SOURCE[0]}")/adapter_session.sh"
check_session node "$adapter"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# --modules (and SIOCONF_NODE_MODULES) pointing at a folder without the packages: a clear message
# on stderr and a non-zero exit before any answer.
empty=$scratch/empty
mkdir "$empty"
for how in option env; do
  if [[ $how == option ]]; then
    out=$(echo '{"op":"hello","protocol":1}' | timeout 20 node "$adapter" --modules "$empty" 2>"$scratch/stderr")
  else
    out=$(echo '{"op":"hello","protocol":1}' | SIOCONF_NODE_MODULES=$empty timeout 20 node "$adapter" 2>"$scratch/stderr")
  fi
  code=$?
  if [[ $code -eq 0 || -n $out ]] || ! grep -q "socket.io-parser is not installed in" "$scratch/stderr"; then
    echo "FAIL: modules from an empty folder ($how): exit $code, stdout '$out', stderr: $(cat "$scratch/stderr")"
    fail=1
  fi
done

# --end-of-input error: the same wait said as the error "truncated", as older adapters did.
out=$(printf '%s\n' '{"op":"decode","id":"p","layer":"ndjson","input":[{"text":"[1]\n[2"}]}' |
  timeout 20 node "$adapter" --end-of-input error)
if [[ $out != '{"id":"p","ok":false,"error":"truncated","condition":"protocol","message":"the input ended inside an item","items":[{"value":[1]}]}' ]]; then
  echo "FAIL: --end-of-input error answered: $out"
  fail=1
fi

# socket.io-parser 3.x (the bug zoo's 3.4.1, when installed): its decoded ERROR packets are
# refusals, its callback Encoder answers, and a binary item is encoded as given.
zoo=$(dirname "$adapter")/../../zoo/node_modules
v3=skipped
if [[ -f $zoo/socket.io-parser-3.4.1/package.json ]]; then
  v3=checked
  mods=$scratch/v3
  mkdir -p "$mods"
  ln -s "$(cd "$zoo/socket.io-parser-3.4.1" && pwd)" "$mods/socket.io-parser"
  for p in engine.io-parser ws; do ln -s "$(cd "$(dirname "$adapter")/node_modules/$p" && pwd)" "$mods/$p"; done
  v3_requests=(
    '{"op":"decode","id":"a","layer":"sio","input":[{"text":"2/x,7[\"a\"]"}]}'
    '{"op":"decode","id":"b","layer":"sio","input":[{"text":"2[\"a\"]"},{"text":"2{}"}]}'
    '{"op":"decode","id":"c","layer":"sio","input":[{"text":"9"}]}'
    '{"op":"encode","id":"d","layer":"sio","items":[{"type":5,"nsp":"/","data":["a",{"$binary":"AQI="}]}]}'
  )
  v3_expected=(
    '{"id":"a","ok":true,"items":[{"type":2,"nsp":"/x","id":7,"data":["a"]}]}'
    '{"id":"b","ok":false,"error":"sio_event_not_array","condition":"protocol","message":"invalid payload","items":[{"type":2,"nsp":"/","data":["a"]}]}'
    '{"id":"c","ok":false,"error":"sio_bad_packet_type","condition":"protocol","message":"unknown packet type 9","items":[]}'
    '{"id":"d","ok":true,"output":[{"text":"51-[\"a\",{\"_placeholder\":true,\"num\":0}]"},{"base64":"AQI="}]}'
  )
  mapfile -t v3_answers < <(printf '%s\n' "${v3_requests[@]}" | timeout 20 node "$adapter" --modules "$mods")
  for i in "${!v3_expected[@]}"; do
    if [[ ${v3_answers[$i]:-} != "${v3_expected[$i]}" ]]; then
      echo "FAIL: socket.io-parser 3.4.1, request $i: expected ${v3_expected[$i]}"
      echo "      got ${v3_answers[$i]:-(nothing)}"
      fail=1
    fi
  done
fi

[[ $fail -eq 0 ]] && echo "node adapter session: ${#expected[@]} answers as expected; an empty --modules folder is refused; socket.io-parser 3.x: $v3"
exit $fail
