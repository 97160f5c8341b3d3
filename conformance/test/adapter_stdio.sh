#!/usr/bin/env bash
# The adapter protocol over real stdio: a whole session against `sioconf adapter`, checking each
# answer line (an example of conformance/PROTOCOL.md per layer, and the error paths).
set -uo pipefail
sioconf=$1
fail=0

requests=(
  '{"op":"hello","protocol":1}'
  '{"op":"decode","id":"sio.event.object-name","layer":"sio","input":[{"text":"2[{}]"}],"limits":{"max_attachments":10}}'
  '{"op":"decode","id":"sio.binary.one","layer":"sio","input":[{"text":"51-[\"a\",{\"_placeholder\":true,\"num\":0}]"},{"base64":"AQID"}]}'
  '{"op":"encode","id":"sio.encode.ack","layer":"sio","items":[{"type":3,"nsp":"/admin","id":13,"data":["bar"]}]}'
  '{"op":"decode","id":"ws.x","layer":"wsframe","input":[]}'
  '{"op":"decode","id":"eio.hello","layer":"eio","input":[{"text":"4hello"},{"base64":"AQIDBA=="}]}'
  '{"op":"decode","id":"eio-payload.three","layer":"eio-payload","input":[{"text":"4hello\u001e2\u001ebAQIDBA=="}]}'
  '{"op":"decode","id":"ws.rfc-hello","layer":"ws","options":{"role":"server"},"input":[{"hex":"81 85 37fa213d 7f9f4d5158"}]}'
  '{"op":"decode","id":"ws.unmasked","layer":"ws","options":{"role":"server"},"input":[{"hex":"81 05 48656c6c6f"}]}'
  '{"op":"decode","id":"ndjson.two","layer":"ndjson","input":[{"text":"{\"a\":1}\n[2"},{"text":"]\n"}]}'
  '{"op":"decode","id":"lim","layer":"sio","input":[{"text":"2[\"a\"]"}],"limits":{"no_such_limit":1}}'
  'this is not json'
  '{"op":"frobnicate","id":"x"}'
  '{"op":"bye"}'
  '{"op":"hello","protocol":1}'
)
expected=(
  '"layers":["sio","eio","eio-payload","ws","ndjson"]'
  '"error":"sio_bad_event_name","id":"sio.event.object-name","items":[]'
  '{"id":"sio.binary.one","items":[{"data":["a",{"$binary":"AQID"}],"nsp":"/","type":5}],"ok":true}'
  '{"id":"sio.encode.ack","ok":true,"output":[{"text":"3/admin,13[\"bar\"]"}]}'
  '{"id":"ws.x","unsupported":"layer wsframe"}'
  '{"id":"eio.hello","items":[{"data":"hello","type":"message"},{"data":{"$binary":"AQIDBA=="},"type":"message"}],"ok":true}'
  '{"id":"eio-payload.three","items":[{"data":"hello","type":"message"},{"type":"ping"},{"data":{"$binary":"AQIDBA=="},"type":"message"}],"ok":true}'
  '{"id":"ws.rfc-hello","items":[{"data":"Hello","opcode":"text"}],"ok":true}'
  '"close_code":1002,"condition":"protocol","error":"ws_unmasked_frame"'
  '{"id":"ndjson.two","items":[{"value":{"a":1}},{"value":[2]}],"ok":true}'
  '{"id":"lim","unsupported":"limit no_such_limit"}'
  '"error":"bad_request"'
  '{"id":"x","unsupported":"op frobnicate"}'
)

source "$(dirname "${BASH_SOURCE[0]}")/adapter_session.sh"
check_session "$sioconf" adapter
[[ $fail -eq 0 ]] && echo "adapter session: ${#expected[@]} answers as expected"
exit $fail
