#!/usr/bin/env node
// The Node peer's client driver: client driver protocol v1 (conformance/DRIVER.md) for the real
// socket.io-client (the pinned 4.8.4 beside this file), so `sioconf client-check` judges it on
// the same scenarios as any other client.
//
//   node conformance/adapters/node/client.js [--modules DIR]
//
// socket.io-client is loaded from DIR (--modules, or the environment variable
// SIOCONF_NODE_MODULES; the option wins), by default the node_modules folder beside this file.
// hello reports the version read from DIR/socket.io-client/package.json.
//
// What each command does: connect is io(url, {path: "/socket.io/", forceNew: true, auth,
// ...options}) with DRIVER.md's options passed on 1:1 (any other option, or a second connect, is
// answered `unsupported` and nothing connects); emit is socket.emit(), through socket.volatile
// and socket.timeout(ms) when asked; disconnect is socket.disconnect(); bye (and end of stdin)
// disconnects, lets the DISCONNECT packet go out (50 ms) and exits 0 once stdout is flushed.
//
// What each report comes from: connected: the socket's "connect" (sid: socket.id); connect_error:
// its "connect_error" (a CONNECT_ERROR packet, or a failed attempt: socket.io-client turns every
// Manager "error" that happens while the socket is not connected into a connect_error, see
// Socket.onerror in build/cjs/socket.js); event: socket.onAny(), acknowledged at once with the
// event's own arguments when the server asked; ack / ack_timeout: the emit's callback (with a
// timeout, socket.io-client calls it with an Error whose message becomes `reason`: "operation has
// timed out", or "socket has been disconnected" for an ack pending when the connection was lost;
// without a timeout such an ack is dropped silently, and so reported nothing); disconnected: the
// socket's "disconnect" reason; reconnect_attempt / reconnect_failed: the Manager's events of the
// same names; error: a Manager "error" that did not reach the socket as a connect_error (the
// engine's "error" while connected, e.g. "websocket error" or "server error" before the
// disconnected "transport error"), so one failure is never reported twice; also a command the
// library refused by throwing (emit("connect") throws '"connect" is a reserved event name', io()
// with transports ["foo"] a TypeError).
//
// A crash is a finding (DRIVER.md): nothing here catches what the library throws from its own
// callbacks (no "uncaughtException" handler). A malformed command line, or a command missing what
// it needs, is the runner's mistake: one line on stderr, and the driver goes on. Binary values are
// {"$binary": base64} both ways; reports are written iteratively, so an event nested deeper than
// JSON.stringify can write still gets its report.
"use strict";

const fs = require("fs");
const path = require("path");
const readline = require("readline");

const USAGE = "usage: node client.js [--modules DIR]   (client driver protocol v1, conformance/DRIVER.md)";
let modules = process.env.SIOCONF_NODE_MODULES || path.join(__dirname, "node_modules");
for (let i = 2; i < process.argv.length; ++i) {
  const arg = process.argv[i];
  if (arg === "--modules" && i + 1 < process.argv.length) modules = process.argv[++i];
  else if (arg.startsWith("--modules=")) modules = arg.slice("--modules=".length);
  else fail(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
}
const PACKAGE = path.join(path.resolve(modules), "socket.io-client");
if (!fs.existsSync(path.join(PACKAGE, "package.json"))) {
  fail(`socket.io-client is not installed in ${path.resolve(modules)} (ci/setup runs npm ci in conformance/adapters/node)`);
}
const VERSION = JSON.parse(fs.readFileSync(path.join(PACKAGE, "package.json"), "utf8")).version;
const { io } = require(PACKAGE);

// DRIVER.md's connect options, all socket.io-client's own names.
const OPTIONS = ["transports", "upgrade", "reconnection", "reconnectionAttempts", "reconnectionDelay",
                 "reconnectionDelayMax", "randomizationFactor", "timeout"];

function fail(message) {
  process.stderr.write(`client.js: ${message}\n`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Values: {"$binary": base64} <-> Buffer

const isBinary = (v) => Buffer.isBuffer(v) || v instanceof ArrayBuffer || ArrayBuffer.isView(v);
const bytesOf = (v) => Buffer.isBuffer(v) ? v : v instanceof ArrayBuffer ? Buffer.from(v) : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
const wellFormed = (s) => s.toWellFormed ? s.toWellFormed() : s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");

// A command's value with each {"$binary": base64} as a Buffer.
function fromJson(v) {
  if (Array.isArray(v)) return v.map(fromJson);
  if (v === null || typeof v !== "object") return v;
  const keys = Object.keys(v);
  if (keys.length === 1 && keys[0] === "$binary" && typeof v.$binary === "string") return Buffer.from(v.$binary, "base64");
  return Object.fromEntries(keys.map((k) => [k, fromJson(v[k])]));
}

// JSON text of a report, binary as {"$binary": base64}; iterative (no depth limit), lone
// surrogates as U+FFFD (no UTF-8 form), as adapter.js writes its answers.
function toJsonText(root) {
  const out = [];
  const stack = [{ value: root }];
  while (stack.length) {
    const { text, value } = stack.pop();
    if (text !== undefined) { out.push(text); continue; }
    const parts = [];
    if (isBinary(value)) {
      out.push(`{"$binary":"${bytesOf(value).toString("base64")}"}`);
    } else if (Array.isArray(value)) {
      value.forEach((x, i) => parts.push({ text: i ? "," : "[" }, { value: x === undefined || typeof x === "function" ? null : x }));
      parts.push({ text: value.length ? "]" : "[]" });
    } else if (value !== null && typeof value === "object") {
      const keys = Object.keys(value).filter((k) => value[k] !== undefined && typeof value[k] !== "function");
      keys.forEach((k, i) => parts.push({ text: (i ? "," : "{") + JSON.stringify(wellFormed(k)) + ":" }, { value: value[k] }));
      parts.push({ text: keys.length ? "}" : "{}" });
    } else {
      out.push(value === undefined ? "null" : JSON.stringify(typeof value === "string" ? wellFormed(value) : value));
    }
    for (let i = parts.length - 1; i >= 0; --i) stack.push(parts[i]);
  }
  return out.join("");
}

// One line per report, in order (stdout on a pipe is written synchronously on Linux).
function report(r) {
  process.stdout.write(toJsonText(r) + "\n");
}

// ---------------------------------------------------------------------------------------------
// Commands

let socket = null;
let connecting = false;  // a connect was carried out (once per process)
let lastConnectError;  // the last error the socket reported as connect_error
let done = false;

function connect(command) {
  if (connecting) return report({ report: "unsupported", what: "a second connect (one client per process)" });
  const options = command.options === undefined ? {} : command.options;
  if (options === null || typeof options !== "object" || Array.isArray(options)) throw new Error("options must be an object");
  const unknown = Object.keys(options).find((name) => !OPTIONS.includes(name));
  if (unknown !== undefined) return report({ report: "unsupported", what: `option ${unknown}` });
  if (typeof command.url !== "string") throw new Error("connect needs a url");

  const opts = { ...options, path: "/socket.io/", forceNew: true };
  if (command.auth !== undefined) opts.auth = command.auth;
  connecting = true;
  try {
    socket = io(command.url, opts);
  } catch (err) {  // the library refused the call itself (transports ["foo"]: "... is not a constructor")
    return report({ report: "error", message: messageOf(err) });
  }
  socket.on("connect", () => report({ report: "connected", sid: socket.id }));
  socket.on("connect_error", (err) => {
    lastConnectError = err;
    const r = { report: "connect_error", message: messageOf(err) };
    if (err && err.data !== undefined) r.data = err.data;
    report(r);
  });
  socket.on("disconnect", (reason) => report({ report: "disconnected", reason }));
  socket.onAny((event, ...args) => {
    const ack = args.length > 0 && typeof args[args.length - 1] === "function" ? args.pop() : null;
    report(ack ? { report: "event", event, args, ack: true } : { report: "event", event, args });
    if (ack) ack(...args);
  });
  const manager = socket.io;
  manager.on("reconnect_attempt", (attempt) => report({ report: "reconnect_attempt", attempt }));
  manager.on("reconnect_failed", () => report({ report: "reconnect_failed" }));
  // Registered after the socket's own "error" listener (subscribed when io() made the socket), so
  // the socket's connect_error, if any, was reported just before with this very error.
  manager.on("error", (err) => {
    if (err !== lastConnectError) report({ report: "error", message: messageOf(err) });
  });
}

// An engine error is an Error (TransportError: "websocket error", "xhr poll error", ...), but
// engine.io-client emits the string "No transports available" for an empty transports list.
const messageOf = (err) => err instanceof Error ? err.message : String(err);

function emit(command) {
  if (!socket) throw new Error("emit before connect");
  if (typeof command.event !== "string" || (command.args !== undefined && !Array.isArray(command.args))) {
    throw new Error("emit needs an event name and an args array");
  }
  const args = fromJson(command.args || []);
  let target = socket;
  if (command.volatile) target = target.volatile;
  if (command.ack) {
    const id = command.id;
    if (command.timeout !== undefined) {
      target = target.timeout(command.timeout);
      args.push((err, ...answer) => report(err ? { report: "ack_timeout", id, reason: messageOf(err) } : { report: "ack", id, args: answer }));
    } else {
      args.push((...answer) => report({ report: "ack", id, args: answer }));
    }
  }
  try {
    target.emit(command.event, ...args);
  } catch (err) {  // the library refused the call itself (a reserved event name, ...)
    socket.flags = {};  // emit() threw before clearing volatile/timeout: not for the next emit
    report({ report: "error", message: messageOf(err) });
  }
}

function bye() {
  if (done) return;
  done = true;
  // DISCONNECT when connected; with its only socket gone the Manager closes the engine and stops
  // reconnecting (Manager._destroy), whatever state it was in.
  if (socket) socket.disconnect();
  setTimeout(() => process.stdout.write("", () => process.exit(0)), 50);
}

function handle(line) {
  let command;
  try {
    command = JSON.parse(line);
    if (command === null || typeof command !== "object" || typeof command.op !== "string") throw new Error('a command is an object with a string "op"');
    switch (command.op) {
      case "hello": return report({ report: "hello", name: "socket.io-client", version: VERSION });
      case "connect": return connect(command);
      case "emit": return emit(command);
      case "disconnect": if (!socket) throw new Error("disconnect before connect"); return socket.disconnect();
      case "bye": return bye();
      default: return report({ report: "unsupported", what: `op ${command.op}` });
    }
  } catch (err) {  // the driver's own handling of a command, never a library callback
    process.stderr.write(`client.js: ignored command ${JSON.stringify(line.slice(0, 200))}: ${err.message}\n`);
  }
}

process.stdout.on("error", () => process.exit(0));  // the runner went away
const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on("line", (line) => { if (!done && line.trim() !== "") handle(line); });
lines.on("close", bye);
