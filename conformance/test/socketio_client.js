#!/usr/bin/env node
// The real socket.io-client (the Node peer's pinned 4.8.4) against `sioconf serve`: over
// long-polling only, WebSocket only, and polling upgraded to WebSocket, it connects with an auth
// object, sends events and binary, gets acks, acknowledges the server's own question, meets
// "/custom" and an unknown namespace, and is disconnected by the server and by itself; then three
// clients, one per transport, use rooms.
//
//   node socketio_client.js SIOCONF
// Exit 0 when everything holds, 1 otherwise, 77 when the Node peer's node_modules are missing.
"use strict";
const { spawn } = require("child_process");
const path = require("path");
const assert = require("assert");

let io;
try {
  io = require(path.join(__dirname, "../adapters/node/node_modules/socket.io-client"));
} catch (e) {
  console.log("SKIP: socket.io-client is not installed (ci/setup runs npm ci in conformance/adapters/node)");
  process.exit(77);
}

const once = (emitter, event, ms = 3000) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${event}" within ${ms} ms`)), ms);
    emitter.once(event, (...args) => {
      clearTimeout(timer);
      resolve(args);
    });
  });

function startServer(sioconf) {
  return new Promise((resolve, reject) => {
    const proc = spawn(sioconf, ["serve", "--port", "0", "--ping-interval", "2000", "--ping-timeout", "2000"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    proc.stdout.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve({ proc, url: m[1] });
    });
    proc.on("exit", (code) => reject(new Error(`sioconf serve exited with ${code}: ${out}`)));
  });
}

async function scenario(url, name, transports, upgrade) {
  const socket = io(url, { transports, upgrade, auth: { token: "abc" }, reconnection: false, forceNew: true });
  const [auth] = await once(socket, "auth");
  assert.deepStrictEqual(auth, { token: "abc" }, `${name}: auth`);
  if (upgrade) {
    if (socket.io.engine.transport.name !== "websocket") await once(socket.io.engine, "upgrade");
    assert.strictEqual(socket.io.engine.transport.name, "websocket", `${name}: upgraded`);
  } else {
    assert.strictEqual(socket.io.engine.transport.name, transports[0], `${name}: transport`);
  }
  // An event and its echo, text and binary.
  socket.emit("message", 1, "2", { 3: [true] });
  assert.deepStrictEqual(await once(socket, "message-back"), [1, "2", { 3: [true] }], `${name}: message-back`);
  socket.emit("message", Buffer.from([1, 2, 3]), { nested: Buffer.from([4]) });
  const [bin, nested] = await once(socket, "message-back");
  assert.deepStrictEqual([...bin], [1, 2, 3], `${name}: binary back`);
  assert.deepStrictEqual([...nested.nested], [4], `${name}: nested binary back`);
  // The client's ack, text and binary.
  const withAck = (...args) =>
    new Promise((resolve) => socket.timeout(3000).emit("message-with-ack", ...args, (err, ...got) => resolve([err, got])));
  assert.deepStrictEqual(await withAck("x", 2), [null, ["x", 2]], `${name}: ack`);
  const [ackErr, [acked]] = await withAck(Buffer.from([9]));
  assert.strictEqual(ackErr, null, `${name}: binary ack`);
  assert.deepStrictEqual([...acked], [9], `${name}: binary ack`);
  // The server's ack: it asks back, the client answers, the server says what it got.
  socket.once("question", (q, callback) => callback({ answer: q * 2 }));
  socket.emit("ask", 21);
  assert.deepStrictEqual(await once(socket, "answer"), [{ answer: 42 }], `${name}: server ack`);
  // Namespaces: "/custom" emits auth; an unknown one is refused.
  const custom = io(url + "/custom", { transports, upgrade, reconnection: false, forceNew: true });
  assert.deepStrictEqual(await once(custom, "auth"), [{}], `${name}: /custom auth`);
  custom.disconnect();
  const unknown = io(url + "/random", { transports, upgrade, reconnection: false, forceNew: true });
  const [err] = await once(unknown, "connect_error");
  assert.strictEqual(err.message, "Invalid namespace", `${name}: unknown namespace`);
  unknown.disconnect();
  // The server disconnects the client.
  socket.emit("bye");
  const [reason] = await once(socket, "disconnect");
  assert.strictEqual(reason, "io server disconnect", `${name}: server disconnect`);
  // And a client that disconnects itself.
  const last = io(url, { transports, upgrade, reconnection: false, forceNew: true });
  await once(last, "connect");
  last.disconnect();
  assert.strictEqual(last.connected, false, `${name}: client disconnect`);
  console.log(`ok   ${name}`);
}

// Rooms across three clients on the three transports: two join "r"; a message to the room reaches
// the other member once (binary too) and neither the sender nor the outsider; a message to all
// reaches everyone but the sender; a member that left, or disconnected, gets nothing more.
async function rooms(url) {
  const connect = async (transports, upgrade) => {
    const socket = io(url, { transports, upgrade, reconnection: false, forceNew: true });
    await once(socket, "connect");
    return socket;
  };
  const a = await connect(["websocket"], false);
  const b = await connect(["polling"], false);
  const c = await connect(["polling", "websocket"], true);
  const got = { a: [], b: [], c: [] };
  for (const [name, socket] of Object.entries({ a, b, c }))
    for (const event of ["room-message", "all-message"])
      socket.on(event, (...args) => got[name].push([event, ...args.map((x) => (Buffer.isBuffer(x) ? [...x] : x))]));
  const join = (socket, room) => socket.timeout(3000).emitWithAck("join", room);
  await join(a, "r");
  await join(b, "r");
  a.emit("to-room", "r", 1, Buffer.from([7]));
  await once(b, "room-message");
  c.emit("to-all", "hello");
  await Promise.all([once(a, "all-message"), once(b, "all-message")]);
  await b.timeout(3000).emitWithAck("leave", "r");
  a.emit("to-room", "r", 2);  // b left: nobody else is in "r"
  c.disconnect();
  a.emit("to-all", "after");  // c is gone: only b
  await once(b, "all-message");
  await new Promise((resolve) => setTimeout(resolve, 200));  // and nothing more comes
  assert.deepStrictEqual(got.a, [["all-message", "hello"]], "rooms: a");
  assert.deepStrictEqual(
    got.b,
    [["room-message", 1, [7]], ["all-message", "hello"], ["all-message", "after"]],
    "rooms: b",
  );
  assert.deepStrictEqual(got.c, [], "rooms: c");
  a.disconnect();
  b.disconnect();
  console.log("ok   rooms over WebSocket, polling and upgrade");
}

async function main() {
  const { proc, url } = await startServer(process.argv[2]);
  let failed = 0;
  for (const [name, transports, upgrade] of [
    ["long-polling", ["polling"], false],
    ["WebSocket", ["websocket"], false],
    ["polling upgraded to WebSocket", ["polling", "websocket"], true],
  ]) {
    try {
      await scenario(url, name, transports, upgrade);
    } catch (e) {
      failed++;
      console.log(`FAIL ${name}: ${e.message}`);
    }
  }
  try {
    await rooms(url);
  } catch (e) {
    failed++;
    console.log(`FAIL rooms: ${e.message}`);
  }
  proc.kill("SIGINT");
  const code = await new Promise((resolve) => proc.on("exit", resolve));
  if (code !== 0) {
    failed++;
    console.log(`FAIL sioconf serve exited with ${code} after SIGINT`);
  }
  console.log(failed ? `${failed} failed` : "socket.io-client 4.8.4 against sioconf serve: all as expected");
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.log("FAIL " + e.message);
  process.exit(1);
});
