#!/usr/bin/env node
// The Node peer's adapter: adapter protocol v1 (conformance/PROTOCOL.md) answered by the real npm
// packages of the Socket.IO stack, so the runner can judge them on the same vectors as sioconf.
//
//   node conformance/adapters/node/adapter.js [--modules DIR]
//
// Layers and the package behind each:
//   sio          socket.io-parser: Decoder.add() per message, Encoder.encode() per item
//   eio          engine.io-parser: decodePacket() / encodePacket() per WebSocket message
//   eio-payload  engine.io-parser: decodePayload() / encodePayload() per HTTP long-polling body
//   ws           ws: a Receiver fed the chunks one by one, a Sender writing into a collecting socket
//   ndjson       no package: the Socket.IO stack has none. Implemented the way a Node server does
//                it by hand (split on "\n", strip one "\r", JSON.parse each line; JSON.stringify +
//                "\n" to write), and labelled so in hello. See README.md for why.
//
// The packages are loaded from DIR (--modules, or the environment variable SIOCONF_NODE_MODULES),
// by default the node_modules folder beside this file that package-lock.json pins. Pointing DIR
// at another node_modules folder checks another version or a fork of the same packages.
//
// The adapter only translates: requests into the packages' calls, their results and errors into
// answers. Every exception a package throws becomes an ok:false answer with its own message; the
// package's leniency is reported as it is, never corrected here (README.md lists the few
// translations, e.g. binary packets' wire type).
"use strict";

const fs = require("fs");
const path = require("path");
const readline = require("readline");

const USAGE = `usage: node adapter.js [--modules DIR] [--end-of-input pending|error]

Speaks adapter protocol v1 on stdin/stdout with socket.io-parser, engine.io-parser and ws.
  --modules DIR   load the three packages from DIR (a node_modules folder) instead of the
                  pinned copy beside adapter.js; the environment variable SIOCONF_NODE_MODULES
                  does the same (the option wins)
  --end-of-input  how to answer input that ends inside a packet, frame or line: "pending"
                  (the default, {"ok":true,...,"pending":true}) or "error" (the error
                  "truncated", as adapters did before the protocol defined pending)`;

// ---------------------------------------------------------------------------------------------
// Loading the packages

function parseArgs(argv) {
  let modules = process.env.SIOCONF_NODE_MODULES || path.join(__dirname, "node_modules");
  let endOfInput = "pending";
  for (let i = 0; i < argv.length; ++i) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") {
      process.stdout.write(USAGE + "\n");
      process.exit(0);
    } else if (arg === "--modules" && i + 1 < argv.length) {
      modules = argv[++i];
    } else if (arg.startsWith("--modules=")) {
      modules = arg.slice("--modules=".length);
    } else if (arg === "--end-of-input" && i + 1 < argv.length && ["pending", "error"].includes(argv[i + 1])) {
      endOfInput = argv[++i];
    } else {
      fail(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
    }
  }
  return { modulesDir: path.resolve(modules), endOfInput };
}

function fail(message) {
  process.stderr.write(`adapter.js: ${message}\n`);
  process.exit(2);
}

// Loads DIR/<name> itself (never a copy found further up the tree), and its version.
function loadPackage(modulesDir, name) {
  const dir = path.join(modulesDir, name);
  const manifest = path.join(dir, "package.json");
  if (!fs.existsSync(manifest)) {
    fail(`${name} is not installed in ${modulesDir} (no ${path.join(name, "package.json")}).\n` +
         "Install the pinned copy with ci/setup (npm ci in conformance/adapters/node), or pass " +
         "--modules with a node_modules folder that holds socket.io-parser, engine.io-parser and ws.");
  }
  try {
    const version = JSON.parse(fs.readFileSync(manifest, "utf8")).version;
    return { dir, version, exports: require(dir) };
  } catch (e) {
    fail(`cannot load ${name} from ${dir}: ${e.message}`);
  }
}

const { modulesDir, endOfInput } = parseArgs(process.argv.slice(2));
const sioParser = loadPackage(modulesDir, "socket.io-parser");
const eioParser = loadPackage(modulesDir, "engine.io-parser");
const wsPackage = loadPackage(modulesDir, "ws");
const { Decoder, Encoder } = sioParser.exports;
// socket.io-parser 3.x (Socket.IO protocol v4, exports.protocol 4) differs in three ways the
// adapter bridges: decodeString() reports most errors as a decoded ERROR packet (type 4, no nsp,
// data "parser error: ..."), Encoder.encode() answers through a callback, and the Encoder takes
// BINARY_EVENT/BINARY_ACK as given instead of deriving them from the data.
const sioV3 = sioParser.exports.protocol === 4;
const { Receiver, Sender } = wsPackage.exports;
if (!Decoder || !Encoder || !eioParser.exports.decodePacket || !Receiver || !Sender) {
  fail(`the packages in ${modulesDir} lack Decoder/Encoder, decodePacket or Receiver/Sender`);
}

// ws keeps an error's close code under a symbol of its lib/constants.js; older copies may not
// export it, so fall back to the symbol's description.
function closeCodeOf(error) {
  for (const symbol of Object.getOwnPropertySymbols(error)) {
    if (symbol.description === "status-code") return error[symbol];
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Which limits the loaded versions enforce: probed, not assumed, so that an older copy given with
// --modules does not claim a bound it silently ignores.

function decoderHonoursMaxAttachments() {
  try {
    new Decoder({ maxAttachments: 1 }).add('52-["a"]');
    return false;
  } catch (e) {
    return /too many attachments/.test(e.message);
  }
}

function receiverHonoursMaxFragments() {
  let failed = false;
  const receiver = new Receiver({ isServer: false, maxFragments: 1 });
  receiver.on("error", () => { failed = true; });
  receiver.write(Buffer.from([0x01, 0x01, 0x61, 0x80, 0x01, 0x62]), (err) => { if (err) failed = true; });
  return failed || Boolean(receiver.errored);
}

// The limit keys each layer and op honours; any other key is answered `unsupported`.
const LIMITS = {
  "sio decode": decoderHonoursMaxAttachments() ? ["max_attachments"] : [],
  "ws decode": ["ws_max_message_bytes"].concat(receiverHonoursMaxFragments() ? ["ws_max_fragments"] : []),
};

// ws's own defaults (WebSocketServer and WebSocket in ws 8.23), used when a vector sets no bound.
// engine.io lowers maxPayload to its maxHttpBufferSize (1e6); the vectors that need a bound say so.
const WS_DEFAULT_MAX_PAYLOAD = 100 * 1024 * 1024;
const WS_DEFAULT_MAX_FRAGMENTS = 16 * 1024;

// ---------------------------------------------------------------------------------------------
// Answers

class BadRequest extends Error {}

// An ok:false answer. `failure` is {error, condition, message, close_code?}; items are those
// decoded before it.
function errorAnswer(id, failure, items) {
  const answer = { id, ok: false, error: failure.error, condition: failure.condition, message: failure.message };
  if (failure.close_code !== undefined) answer.close_code = failure.close_code;
  if (items !== undefined) answer.items = items;
  return answer;
}

// A package that runs out of stack on deep input rejects it in effect (socket.io catches the
// RangeError and closes the connection): reported as the depth limit, with the package's message.
function isStackOverflow(e) {
  return e instanceof RangeError && /call stack/i.test(e.message);
}
function stackFailure(e) {
  return { error: "limit_depth", condition: "limit", message: e.message };
}

// JSON text of an answer. Iterative, because a package accepts JSON far deeper than
// JSON.stringify can write back (socket.io-parser decodes 10,000 nested arrays). Buffers become
// {"$binary": base64}; otherwise the same output as JSON.stringify.
function toJsonText(root) {
  const out = [];
  const stack = [{ value: root }];
  while (stack.length) {
    const frame = stack.pop();
    if (frame.text !== undefined) { out.push(frame.text); continue; }
    let value = frame.value;
    if (value !== null && typeof value === "object" && !isBinaryValue(value) && typeof value.toJSON === "function") {
      value = value.toJSON();
    }
    if (isBinaryValue(value)) {
      out.push(`{"$binary":"${toBuffer(value).toString("base64")}"}`);
    } else if (Array.isArray(value)) {
      const parts = [{ text: "[" }];
      value.forEach((x, i) => {
        if (i) parts.push({ text: "," });
        parts.push({ value: x === undefined || typeof x === "function" ? null : x });
      });
      parts.push({ text: "]" });
      for (let i = parts.length - 1; i >= 0; --i) stack.push(parts[i]);
    } else if (value !== null && typeof value === "object") {
      const parts = [{ text: "{" }];
      let first = true;
      for (const key of Object.keys(value)) {
        const member = value[key];
        if (member === undefined || typeof member === "function") continue;
        parts.push({ text: (first ? "" : ",") + JSON.stringify(wellFormed(key)) + ":" });
        parts.push({ value: member });
        first = false;
      }
      parts.push({ text: "}" });
      for (let i = parts.length - 1; i >= 0; --i) stack.push(parts[i]);
    } else {
      out.push(value === undefined ? "null" : JSON.stringify(typeof value === "string" ? wellFormed(value) : value));
    }
  }
  return out.join("");
}

// A lone UTF-16 surrogate (JSON.parse keeps "\ud800") has no UTF-8 form, and the runner's JSON
// reader refuses its escape: it is written as U+FFFD, the replacement character.
function wellFormed(text) {
  if (typeof text.toWellFormed === "function") return text.toWellFormed();
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
}

function isBinaryValue(v) {
  return Buffer.isBuffer(v) || v instanceof ArrayBuffer || ArrayBuffer.isView(v);
}
function toBuffer(v) {
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof ArrayBuffer) return Buffer.from(v);
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

// ---------------------------------------------------------------------------------------------
// Elements and item values

// An input element: {"text": s} -> {text: s}; {"base64": b} or {"hex": h} -> {bytes: Buffer}.
function elementOf(e) {
  if (e && typeof e.text === "string") return { text: e.text };
  if (e && typeof e.base64 === "string") return { bytes: Buffer.from(e.base64, "base64") };
  if (e && typeof e.hex === "string") return { bytes: Buffer.from(e.hex.replace(/\s+/g, ""), "hex") };
  throw new BadRequest('an element is {"text": ...} or {"base64": ...}');
}
function elementBytes(e) {
  return e.bytes !== undefined ? e.bytes : Buffer.from(e.text, "utf8");
}
function outputElement(x) {
  return typeof x === "string" ? { text: x } : { base64: toBuffer(x).toString("base64") };
}

function isBinaryItem(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v) && typeof v.$binary === "string" &&
         Object.keys(v).length === 1;
}

// Item data -> the value a Node program would hand the package: {"$binary": b} becomes a Buffer.
// Iterative, for the same reason as toJsonText.
function fromItemValue(root) {
  if (isBinaryItem(root)) return Buffer.from(root.$binary, "base64");
  const stack = [root];
  while (stack.length) {
    const v = stack.pop();
    if (v === null || typeof v !== "object") continue;
    for (const key of Object.keys(v)) {
      if (isBinaryItem(v[key])) v[key] = Buffer.from(v[key].$binary, "base64");
      else stack.push(v[key]);
    }
  }
  return root;
}

// ---------------------------------------------------------------------------------------------
// sio: socket.io-parser

// socket.io-parser's error texts -> sioconf's names (impl/include/sioconf/errc.def).
function sioFailure(e, text) {
  if (isStackOverflow(e)) return stackFailure(e);
  const m = e.message;
  const f = (error, condition) => ({ error, condition, message: m });
  if (/^unknown packet type/.test(m)) return f("sio_bad_packet_type", "protocol");
  if (m === "Illegal attachments") return f("sio_bad_attachments", "protocol");
  if (m === "too many attachments") return f("limit_attachments", "limit");
  if (m === "illegal attachments") return f("sio_placeholder_range", "protocol");
  if (/^got plaintext data when reconstructing/.test(m)) return f("sio_expected_binary", "state");
  if (/^got binary data when not reconstructing/.test(m)) return f("sio_unexpected_binary", "state");
  if (m === "invalid payload") return f(invalidPayloadName(text), "protocol");
  return f("unknown", "protocol");
}

// socket.io-parser says "invalid payload" whichever rule failed (JSON.parse or the type's shape).
// Only for the name, the adapter guesses the rule: by packet type, and for an EVENT by a second
// look at the JSON from the first "[" on.
function invalidPayloadName(text) {
  const type = text.charAt(0);
  const byType = { 0: "sio_connect_payload", 1: "sio_disconnect_payload", 3: "sio_ack_not_array",
                   4: "sio_connect_error_payload", 6: "sio_ack_not_array" };
  if (type !== "2" && type !== "5") return byType[type] || "unknown";
  const start = text.indexOf("[");
  if (start === -1) return "sio_event_not_array";
  let payload;
  try {
    payload = JSON.parse(text.slice(start));
  } catch (e) {
    return "json_syntax";
  }
  if (!Array.isArray(payload)) return "sio_event_not_array";
  if (payload.length === 0) return "sio_event_empty";
  const name = payload[0];
  if (RESERVED_EVENT_NAMES.includes(name)) return "sio_reserved_event_name";
  // A valid name: the parser read another part of the text as the payload.
  return typeof name === "string" || typeof name === "number" ? "unknown" : "sio_bad_event_name";
}
const RESERVED_EVENT_NAMES = ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"];

// socket.io-parser hands a reconstructed binary packet over as EVENT/ACK (type 2/3); the adapter
// protocol keeps the wire type (5/6), which the text message told us.
function sioItem(packet, wireType) {
  const item = { type: wireType !== undefined ? wireType : packet.type, nsp: packet.nsp };
  if (packet.id !== undefined) item.id = packet.id;
  if (packet.data !== undefined) item.data = packet.data;
  return item;
}

// One Decoder for the whole request: the input, then the follow-up (`next`) on the same object,
// as a server's connection goes on calling add() on it.
function sioDecoder(limits) {
  const options = {};
  if (limits.max_attachments !== undefined) options.maxAttachments = limits.max_attachments;
  const decoder = new Decoder(options);
  let items = [];
  let binaryWireType;  // set while the decoder awaits the attachments of a binary packet
  let refused;  // socket.io-parser 3.x: the message of a decoded ERROR packet of its own making
  decoder.on("decoded", (packet) => {
    if (sioV3 && isV3ParserError(packet)) {
      refused = packet.data.slice("parser error: ".length);
      return;
    }
    items.push(sioItem(packet, binaryWireType));
    binaryWireType = undefined;
  });
  return {
    feed(elements) {
      items = [];
      for (const e of elements) {
        const text = e.text !== undefined ? e.text : "";
        try {
          refused = undefined;
          decoder.add(e.text !== undefined ? e.text : e.bytes);
          if (refused !== undefined) throw new Error(refused);
        } catch (err) {
          return { items, failure: sioFailure(err, text) };
        }
        if (e.text !== undefined && decoder.reconstructor) binaryWireType = Number(e.text.charAt(0));
      }
      // A binary packet still awaiting attachments: the decoder waits for more messages.
      return { items, pending: Boolean(decoder.reconstructor) };
    },
  };
}

// A packet socket.io-parser 3.x made of an error: ERROR type, no namespace (every packet it
// decodes from the wire has one) and its "parser error: " text.
function isV3ParserError(packet) {
  return packet.type === 4 && packet.nsp === undefined && typeof packet.data === "string" &&
         packet.data.startsWith("parser error: ");
}

function sioEncodings(encoder, packet) {
  if (!sioV3) return encoder.encode(packet);
  let encodings;
  encoder.encode(packet, (out) => { encodings = out; });  // synchronous for Buffers
  return encodings;
}

function encodeSio(items) {
  const encoder = new Encoder();
  const output = [];
  for (const item of items) {
    if (!item || typeof item !== "object" || !Number.isInteger(item.type)) {
      throw new BadRequest('a sio item is an object with an integer "type"');
    }
    // socket.io's API has no BINARY_EVENT/BINARY_ACK to hand the Encoder: it makes one from an
    // EVENT/ACK whose data holds binary. So items of type 5/6 go in as 2/3 (3.x: as they are).
    const type = sioV3 ? item.type : item.type === 5 ? 2 : item.type === 6 ? 3 : item.type;
    const packet = { type, nsp: item.nsp };
    if ("id" in item) packet.id = item.id;
    if ("data" in item) packet.data = fromItemValue(item.data);
    try {
      for (const x of sioEncodings(encoder, packet)) output.push(outputElement(x));
    } catch (err) {
      return { failure: isStackOverflow(err) ? stackFailure(err) : { error: "unknown", condition: "protocol", message: err.message } };
    }
  }
  return { output };
}

// ---------------------------------------------------------------------------------------------
// eio and eio-payload: engine.io-parser

function eioItem(packet) {
  const item = { type: packet.type };
  if (isBinaryValue(packet.data)) item.data = packet.data;
  else if (packet.data !== undefined && packet.data !== "") item.data = packet.data;
  return item;
}

// decodePacket never throws: an unknown type gives {type:"error", data:"parser error"}.
function eioPacketFailure(text, emptyName) {
  return { error: text === "" ? emptyName : "eio_bad_packet_type", condition: "protocol", message: "parser error" };
}

// decodePacket() takes one message and keeps nothing between calls: nothing can be pending.
function eioDecoder() {
  return {
    feed(elements) {
      const items = [];
      for (const e of elements) {
        // engine.io's WebSocket transport hands text frames over as strings, binary ones as Buffers.
        const packet = eioParser.exports.decodePacket(e.text !== undefined ? e.text : e.bytes, "nodebuffer");
        if (packet.type === "error") return { items, failure: eioPacketFailure(e.text, "eio_empty_packet") };
        items.push(eioItem(packet));
      }
      return { items };
    },
  };
}

const RECORD_SEPARATOR = "\x1e";

// decodePayload() takes one whole body and keeps nothing between calls.
function eioPayloadDecoder() {
  return {
    feed(elements) {
      const items = [];
      for (const e of elements) {
        // engine.io's polling transport reads a POST body into a string with Buffer's UTF-8 decoding.
        const body = e.text !== undefined ? e.text : e.bytes.toString("utf8");
        const packets = eioParser.exports.decodePayload(body, "nodebuffer");
        for (const packet of packets) {
          if (packet.type === "error") {
            const record = body.split(RECORD_SEPARATOR)[packets.indexOf(packet)];
            const failure = body === "" ? eioPacketFailure("", "eio_empty_payload")
                                        : eioPacketFailure(record, "eio_empty_record");
            return { items, failure };
          }
          items.push(eioItem(packet));
        }
      }
      return { items };
    },
  };
}

const EIO_TYPES = ["open", "close", "ping", "pong", "message", "upgrade", "noop"];

function eioPacketOf(item) {
  if (!item || typeof item !== "object" || !EIO_TYPES.includes(item.type)) {
    throw new BadRequest(`an eio item is an object with "type" one of ${EIO_TYPES.join(", ")}`);
  }
  const packet = { type: item.type };
  if ("data" in item) packet.data = fromItemValue(item.data);
  return packet;
}

function encodeEio(items) {
  const output = [];
  for (const item of items) {
    const packet = eioPacketOf(item);
    try {
      // The WebSocket transport supports binary: a binary message goes out as is.
      eioParser.exports.encodePacket(packet, true, (encoded) => output.push(outputElement(encoded)));
    } catch (err) {
      return { failure: { error: "unknown", condition: "protocol", message: err.message } };
    }
  }
  return { output };
}

function encodeEioPayload(items) {
  const packets = items.map(eioPacketOf);
  let body;
  try {
    eioParser.exports.encodePayload(packets, (encoded) => { body = encoded; });
  } catch (err) {
    return { failure: { error: "unknown", condition: "protocol", message: err.message } };
  }
  // encodePayload calls back once per call, and never for an empty list: nothing is written.
  return { output: body === undefined ? [] : [{ text: body }] };
}

// ---------------------------------------------------------------------------------------------
// ws: Receiver and Sender

function roleOf(options) {
  const role = options && options.role !== undefined ? options.role : "server";
  if (role !== "server" && role !== "client") throw new BadRequest('options.role must be "server" or "client"');
  return role;
}

// A client's masking key: options.mask (8 hex digits) or 37fa213d, the RFC 6455 5.7 key, so that
// outputs are reproducible (ws draws a random key unless given generateMask).
function maskKeyOf(options) {
  const hex = options && options.mask !== undefined ? options.mask : "37fa213d";
  if (typeof hex !== "string" || !/^[0-9a-fA-F]{8}$/.test(hex)) throw new BadRequest("options.mask must be 8 hex digits");
  return Buffer.from(hex, "hex");
}

// ws's error codes -> sioconf's names. The condition follows ws's close code: 1002/1007 are
// protocol errors, 1008/1009 a policy or size bound.
function wsFailure(err, receiver) {
  const closeCode = closeCodeOf(err);
  const m = err.message;
  let error = "unknown";
  switch (err.code) {
    case "WS_ERR_UNEXPECTED_RSV_1":
    case "WS_ERR_UNEXPECTED_RSV_2_3": error = "ws_reserved_bits"; break;
    case "WS_ERR_INVALID_OPCODE":
      error = /opcode 0$/.test(m) ? "ws_unexpected_continuation"
            : /opcode [12]$/.test(m) ? "ws_expected_continuation" : "ws_reserved_opcode";
      break;
    case "WS_ERR_EXPECTED_FIN": error = "ws_control_fragmented"; break;
    case "WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH":
      error = /length 1$/.test(m) ? "ws_close_payload_one_byte" : "ws_control_too_long";
      break;
    case "WS_ERR_EXPECTED_MASK": error = "ws_unmasked_frame"; break;
    case "WS_ERR_UNEXPECTED_MASK": error = "ws_masked_frame"; break;
    case "WS_ERR_INVALID_UTF8": error = receiver._opcode === 0x08 ? "ws_close_reason_utf8" : "ws_bad_utf8"; break;
    case "WS_ERR_INVALID_CLOSE_CODE": error = "ws_bad_close_code"; break;
    case "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH": error = "limit_ws_message_bytes"; break;
    case "WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH": error = "limit_ws_frame_bytes"; break;
    case "WS_ERR_TOO_MANY_BUFFERED_PARTS": error = /fragments/.test(m) ? "limit_ws_fragments" : "unknown"; break;
  }
  const condition = closeCode === 1008 || closeCode === 1009 ? "limit" : "protocol";
  const failure = { error, condition, message: m };
  if (closeCode !== undefined) failure.close_code = closeCode;
  return failure;
}

// The byte stream is one request's input: a follow-up is more of the stream, in the input.
function wsDecoder(limits, options) {
  return { feed: (elements) => decodeWs(elements, limits, options) };
}

async function decodeWs(elements, limits, options) {
  const receiver = new Receiver({
    isServer: roleOf(options) === "server",
    maxPayload: limits.ws_max_message_bytes !== undefined ? limits.ws_max_message_bytes : WS_DEFAULT_MAX_PAYLOAD,
    maxFragments: limits.ws_max_fragments !== undefined ? limits.ws_max_fragments : WS_DEFAULT_MAX_FRAGMENTS,
  });
  const items = [];
  let closed = false;
  let failure;
  // ws 8 passes (data, isBinary); ws 7 passed a string for text messages.
  receiver.on("message", (data, isBinary) => {
    if (typeof data === "string") items.push({ opcode: "text", data });
    else if (isBinary) items.push({ opcode: "binary", data: toBuffer(data) });
    else items.push({ opcode: "text", data: toBuffer(data).toString("utf8") });
  });
  const control = (opcode) => (data) => {
    const item = { opcode };
    if (data && data.length) item.data = toBuffer(data);
    items.push(item);
  };
  receiver.on("ping", control("ping"));
  receiver.on("pong", control("pong"));
  receiver.on("conclude", (code, reason) => {
    closed = true;
    // ws reports an empty close frame as code 1005 (no status code present).
    items.push(code === 1005 ? { opcode: "close" } : { opcode: "close", code, reason: reason.toString() });
  });
  receiver.on("error", (err) => { if (!failure) failure = wsFailure(err, receiver); });

  for (const e of elements) {
    // A WebSocket stops reading its socket once the close frame arrived: so does the adapter.
    if (closed || failure) break;
    // The write callback runs once the Receiver has parsed what it can of this chunk (also when
    // a version defers its events to later ticks).
    await new Promise((resolve) => receiver.write(elementBytes(e), (err) => {
      if (err && !failure) failure = wsFailure(err, receiver);
      resolve();
    }));
  }
  await new Promise((resolve) => setImmediate(resolve));  // a pending 'error' event
  if (failure) return { items, failure };
  // Bytes of a frame not yet whole, or a message whose last fragment has not come: the Receiver
  // waits for more (after a close frame the stream is over).
  const pending = !closed && (receiver._bufferedBytes > 0 || receiver._fragmented !== 0 || receiver._state !== 0);
  return { items, pending };
}

// Sender writes into this socket; each call of a Sender method writes one frame, kept whole.
function collectingSocket() {
  const socket = {
    destroyed: false,
    chunks: [],
    cork() {},
    uncork() {},
    write(chunk, encodingOrCallback, callback) {
      socket.chunks.push(Buffer.from(chunk));
      const cb = typeof encodingOrCallback === "function" ? encodingOrCallback : callback;
      if (cb) process.nextTick(cb);
      return true;
    },
    take() {
      const frame = Buffer.concat(socket.chunks);
      socket.chunks = [];
      return frame;
    },
  };
  return socket;
}

function wsEncodeFailure(err) {
  // Sender.close throws a TypeError for a code not allowed on the wire, RangeError for a body
  // or control payload over 125 bytes.
  const error = err instanceof TypeError && /code/.test(err.message) ? "ws_bad_close_code"
              : err instanceof RangeError ? "ws_control_too_long" : "unknown";
  return { error, condition: "protocol", message: err.message };
}

function wsPayloadOf(item, asText) {
  if (!("data" in item)) return asText ? "" : Buffer.alloc(0);
  if (typeof item.data === "string") return asText ? item.data : Buffer.from(item.data, "utf8");
  if (isBinaryItem(item.data)) return Buffer.from(item.data.$binary, "base64");
  throw new BadRequest('ws item data is a string or {"$binary": ...}');
}

function encodeWs(items, options) {
  const masked = roleOf(options) === "client";
  const key = maskKeyOf(options);
  const socket = collectingSocket();
  const sender = new Sender(socket, {}, masked ? (mask) => key.copy(mask) : undefined);
  const output = [];
  let messageIsBinary;  // the opcode of the message whose fragments are being written
  for (const item of items) {
    if (!item || typeof item !== "object" || typeof item.opcode !== "string") {
      throw new BadRequest('a ws item is an object with a string "opcode"');
    }
    const fin = item.fin === undefined ? true : item.fin;
    if (typeof fin !== "boolean") throw new BadRequest("fin must be a boolean");
    const op = item.opcode;
    try {
      if (op === "text" || op === "binary" || op === "continuation") {
        if (op === "continuation" && messageIsBinary === undefined) {
          return { unsupported: "item a continuation outside a message (ws's Sender always starts a message with text or binary)" };
        }
        if (op !== "continuation") messageIsBinary = op === "binary";
        sender.send(wsPayloadOf(item, !messageIsBinary), { binary: messageIsBinary, fin, mask: masked, compress: false });
        if (fin) messageIsBinary = undefined;
      } else if (op === "ping" || op === "pong" || op === "close") {
        if (!fin) {
          return { failure: { error: "ws_control_fragmented", condition: "protocol",
                              message: "ws's Sender writes every control frame whole (it has no fin option for them)" } };
        }
        if (op === "close") {
          if (item.code !== undefined && !Number.isInteger(item.code)) throw new BadRequest("close code must be an integer");
          sender.close(item.code, item.reason, masked);
        } else {
          sender[op](wsPayloadOf(item, false), masked);
        }
      } else {
        throw new BadRequest(`unknown ws opcode ${op}`);
      }
    } catch (err) {
      if (err instanceof BadRequest) throw err;
      return { failure: wsEncodeFailure(err) };
    }
    output.push({ base64: socket.take().toString("base64") });
  }
  return { output };
}

// ---------------------------------------------------------------------------------------------
// ndjson: no package in the stack; the way a Node server reads and writes it by hand.

const LF = 0x0a;
const CR = 0x0d;

function ndjsonDecoder() {
  return { feed: decodeNdjson };
}

function decodeNdjson(elements) {
  const items = [];
  let pending = Buffer.alloc(0);
  for (const e of elements) {
    pending = Buffer.concat([pending, elementBytes(e)]);
    let newline;
    while ((newline = pending.indexOf(LF)) !== -1) {
      let line = pending.subarray(0, newline);
      pending = pending.subarray(newline + 1);
      if (line.length && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
      // Buffer's UTF-8 decoding, as `chunk.toString()` in a 'data' handler (invalid bytes become
      // U+FFFD); the split is on bytes, so a chunk boundary inside a character changes nothing.
      const text = line.toString("utf8");
      try {
        items.push({ value: JSON.parse(text) });
      } catch (err) {
        return { items, failure: { error: text === "" ? "ndjson_empty_line" : "json_syntax", condition: "protocol", message: err.message } };
      }
    }
  }
  // A last line without "\n" stays buffered, waiting for more bytes.
  return { items, pending: pending.length > 0 };
}

function encodeNdjson(items) {
  const output = [];
  for (const item of items) {
    if (item && typeof item === "object" && "raw" in item) {
      return { unsupported: "item raw (a Node writer writes JSON.stringify(value) only)" };
    }
    if (!item || typeof item !== "object" || !("value" in item)) throw new BadRequest('an ndjson item is {"value": <json>}');
    try {
      output.push({ text: JSON.stringify(item.value) + "\n" });
    } catch (err) {
      return { failure: isStackOverflow(err) ? stackFailure(err) : { error: "unknown", condition: "protocol", message: err.message } };
    }
  }
  return { output };
}

// ---------------------------------------------------------------------------------------------
// Requests

// decoder(limits, options) makes one decoder for a request; its feed(elements) returns (or
// resolves to) {items, failure?, pending?} for those elements alone.
const LAYERS = {
  sio: { decoder: sioDecoder, encode: encodeSio },
  eio: { decoder: eioDecoder, encode: encodeEio },
  "eio-payload": { decoder: eioPayloadDecoder, encode: encodeEioPayload },
  ws: { decoder: wsDecoder, encode: encodeWs, byteStream: true },
  ndjson: { decoder: ndjsonDecoder, encode: encodeNdjson, byteStream: true },
};

function hello() {
  const limits = [...new Set(Object.values(LIMITS).flat())];
  return {
    ok: true,
    name: "node",
    version: `socket.io-parser@${sioParser.version} engine.io-parser@${eioParser.version} ws@${wsPackage.version} ` +
             `node@${process.version}; ndjson: JSON.parse per line, no package`,
    protocol: 1,
    layers: Object.keys(LAYERS),
    limits,
    modules: modulesDir,
  };
}

async function answer(request) {
  const id = request.id === undefined ? null : request.id;
  const op = request.op;
  if (op === "hello") return hello();
  if (op !== "decode" && op !== "encode") return { id, unsupported: `op ${op}` };
  const layer = LAYERS[request.layer];
  if (!layer) return { id, unsupported: `layer ${request.layer === undefined ? "" : request.layer}` };

  const limits = request.limits === undefined ? {} : request.limits;
  if (limits === null || typeof limits !== "object" || Array.isArray(limits)) throw new BadRequest("limits must be an object");
  const honoured = LIMITS[`${request.layer} ${op}`] || [];
  for (const [key, value] of Object.entries(limits)) {
    if (!honoured.includes(key)) return { id, unsupported: `limit ${key}` };
    if (!Number.isSafeInteger(value) || value < 0) throw new BadRequest(`limit ${key} must be a non-negative integer`);
  }
  const options = request.options === undefined ? {} : request.options;

  if (op === "decode") {
    if (!Array.isArray(request.input)) throw new BadRequest("input must be an array of elements");
    const follows = request.next !== undefined;
    if (follows && (!Array.isArray(request.next) || layer.byteStream)) {
      throw new BadRequest("next is an array of elements, for message layers");
    }
    const decoder = layer.decoder(limits, options);
    const answer = decodeAnswer(id, await decoder.feed(request.input.map(elementOf)));
    // The follow-up goes to the same decoder, whatever it made of the input: a package's decoder
    // object has no reset, and a caller that goes on after an error goes on with it as it is.
    if (follows) answer.next = decodeAnswer(undefined, await decoder.feed(request.next.map(elementOf)));
    return answer;
  }
  if (!Array.isArray(request.items)) throw new BadRequest("items must be an array");
  const result = layer.encode(request.items, options);
  if (result.unsupported) return { id, unsupported: result.unsupported };
  return result.failure ? errorAnswer(id, result.failure) : { id, ok: true, output: result.output };
}

// The answer to what one feed() decoded. Input that ended inside a packet, frame or line is
// `"pending": true`, or with --end-of-input error the error `truncated` that adapters wrote
// before the protocol defined pending (the runner reads both the same).
function decodeAnswer(id, result) {
  let answer;
  if (result.failure) answer = errorAnswer(id, result.failure, result.items);
  else if (result.pending && endOfInput === "error") {
    answer = errorAnswer(id, { error: "truncated", condition: "protocol", message: "the input ended inside an item" }, result.items);
  } else {
    answer = { id, ok: true, items: result.items };
    if (result.pending) answer.pending = true;
  }
  if (id === undefined) delete answer.id;
  return answer;
}

function badRequest(id, message) {
  return { id, ok: false, error: "bad_request", condition: "protocol", message };
}

async function answerLine(line) {
  let request;
  try {
    request = JSON.parse(line);
  } catch (e) {
    return badRequest(null, `request line is not JSON: ${e.message}`);
  }
  if (request === null || typeof request !== "object" || Array.isArray(request) || typeof request.op !== "string") {
    return badRequest(request && request.id !== undefined ? request.id : null, 'a request is an object with a string "op"');
  }
  try {
    return await answer(request);
  } catch (e) {
    const id = request.id === undefined ? null : request.id;
    if (e instanceof BadRequest) return badRequest(id, e.message);
    // Not a package's rejection (those are caught where the package is called): a bug here.
    process.stderr.write(`adapter.js: ${e.stack}\n`);
    return { id, ok: false, error: "unknown", condition: "protocol", message: `adapter: ${e.message}` };
  }
}

function writeAnswer(answer) {
  let text;
  try {
    text = toJsonText(answer);
  } catch (e) {
    text = toJsonText(badRequest(answer.id === undefined ? null : answer.id, `answer not serialisable: ${e.message}`));
  }
  process.stdout.write(text + "\n");
}

function main() {
  process.stdout.on("error", () => process.exit(0));  // the runner went away
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  let queue = Promise.resolve();  // one request at a time, answers in order
  let done = false;
  lines.on("line", (line) => {
    if (done || line.trim() === "") return;
    queue = queue.then(async () => {
      if (done) return;
      let isBye = false;
      try { isBye = JSON.parse(line).op === "bye"; } catch (e) { /* answered as not JSON below */ }
      if (isBye) {
        done = true;
        process.exit(0);
      }
      writeAnswer(await answerLine(line));
    });
  });
  lines.on("close", () => { queue.then(() => process.exit(0)); });
}

main();
