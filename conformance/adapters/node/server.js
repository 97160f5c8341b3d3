#!/usr/bin/env node
// The real Node socket.io 4.8.4 server (the pinned copy beside this file) with the server contract
// of `sioconf serve`'s /socket.io/ path (corpus/live/README.md, "The server contract"), so that
// `sioconf live` judges both on the same scenarios:
//
//   node conformance/adapters/node/server.js [--port N]      (or PORT=N; default 3000, 0: any)
//   sioconf live --server node="node conformance/adapters/node/server.js" corpus/live
//
// On 127.0.0.1, path /socket.io/: "/" emits "auth" with the CONNECT's auth object, answers
// "message" with "message-back" (same arguments, binary too) and "message-with-ack" with an ack of
// its arguments; "/custom" emits "auth"; "/private" admits only an auth object with "token":
// "secret" (else CONNECT_ERROR "not authorized" with data {"reason": "a token is needed"}) and emits
// "auth"; any other namespace is refused by socket.io itself ("Invalid namespace"). The extras of
// `sioconf serve` on "/", so that scenarios may use them on both servers: "ask" (emits "question"
// with the same arguments and an ack, then "answer" with what the client acknowledged), "bye"
// (disconnects the client), "join"/"leave" [room] (acknowledged when asked), "to-room" [room,
// ...args] ("room-message" to the room's other members), "to-all" [...args] ("all-message" to
// every other socket of "/"). The handlers are the official suite's server (socket.io-protocol's
// test-suite) written the way an application writes them, with one difference: "message" does not
// pass an ack callback on to emit() (the suite's `socket.emit("message-back", ...args)` would turn
// "421[\"message\",1]" into a "message-back" that asks for an ack; sioconf serve's does not).
// Nothing here works around socket.io's behaviour on the wire: that is what is under test.
//
// Prints "listening on http://127.0.0.1:PORT" (the real port) on stdout; SIGTERM or SIGINT close
// every connection and end the process (within 300 ms). Any other path is answered 404. No
// /engine.io/ echo path (sioconf serve has one; the live scenarios do not use it).
"use strict";

const http = require("http");
const path = require("path");
const { Server } = require(path.join(__dirname, "node_modules/socket.io"));

function parsePort() {
  const args = process.argv.slice(2);
  let port = process.env.PORT !== undefined && process.env.PORT !== "" ? process.env.PORT : "3000";
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--port" && i + 1 < args.length) port = args[++i];
    else if (args[i].startsWith("--port=")) port = args[i].slice("--port=".length);
    else {
      process.stderr.write("usage: node server.js [--port N]   (or the environment variable PORT)\n");
      process.exit(2);
    }
  }
  if (!/^\d+$/.test(port) || Number(port) > 65535) {
    process.stderr.write(`server.js: bad port ${JSON.stringify(port)}\n`);
    process.exit(2);
  }
  return Number(port);
}

// engine.io takes over the server's "request" listeners and hands on what is not under its path:
// without this one, a request elsewhere would hang instead of being answered 404 as sioconf serve
// answers it.
const httpServer = http.createServer((req, res) => {
  res.writeHead(404, { "content-type": "text/plain" });
  res.end("not found");
});

const io = new Server(httpServer, {
  path: "/socket.io/", // the contract's path (socket.io's default, written out)
  serveClient: false, // no /socket.io/socket.io.js bundle: the path serves the protocol only
  pingInterval: 300, // the official suite's heartbeat, so heartbeat scenarios run in a second
  pingTimeout: 200,
  maxHttpBufferSize: 1e6, // announced as the handshake's maxPayload (engine.io's default, written out)
  connectTimeout: 1000, // a session that joins no namespace within 1 s is closed
  // Everything else is socket.io's default, as an application gets it: both transports and the
  // upgrade, no EIO=3 (allowEIO3 false), no permessage-deflate, no CORS headers (sioconf serve
  // sends none either; the official suite's server adds them for browsers), no connection state
  // recovery.
});

// A listener's arguments without the ack callback socket.io appends when the client asked for an
// ack: the handlers below forward "the same arguments", never the callback (passed to emit(), it
// would become an ack request of the server's own).
function withoutAck(args) {
  return args.length > 0 && typeof args[args.length - 1] === "function"
    ? [args.slice(0, -1), args[args.length - 1]]
    : [args, null];
}

// The first argument when it is a string (a room's name), and the others.
function roomAndRest(args) {
  return args.length > 0 && typeof args[0] === "string" ? [args[0], args.slice(1)] : [null, null];
}

io.of("/").on("connection", (socket) => {
  socket.emit("auth", socket.handshake.auth);

  // The official suite's handlers.
  socket.on("message", (...all) => {
    const [args] = withoutAck(all);
    socket.emit("message-back", ...args);
  });
  socket.on("message-with-ack", (...all) => {
    const [args, ack] = withoutAck(all);
    if (ack) ack(...args);
  });

  // sioconf serve's extras. "ask": the server asks back with an ack (10 s, as sioconf serve) and
  // says what the client answered.
  socket.on("ask", (...all) => {
    const [args] = withoutAck(all);
    socket.timeout(10000).emit("question", ...args, (err, ...answer) => {
      if (!err) socket.emit("answer", ...answer);
    });
  });
  // "bye": DISCONNECT for every namespace of the connection, then the connection closes.
  socket.on("bye", () => socket.disconnect(true));
  // Rooms of "/".
  socket.on("join", (...all) => {
    const [args, ack] = withoutAck(all);
    const [room] = roomAndRest(args);
    if (room === null) return; // no room, no ack (as sioconf serve)
    socket.join(room);
    if (ack) ack();
  });
  socket.on("leave", (...all) => {
    const [args, ack] = withoutAck(all);
    const [room] = roomAndRest(args);
    if (room !== null) socket.leave(room);
    if (ack) ack();
  });
  socket.on("to-room", (...all) => {
    const [args] = withoutAck(all);
    const [room, rest] = roomAndRest(args);
    if (room !== null) socket.to(room).emit("room-message", ...rest); // to() leaves the sender out
  });
  socket.on("to-all", (...all) => {
    const [args] = withoutAck(all);
    socket.broadcast.emit("all-message", ...args);
  });
});

io.of("/custom").on("connection", (socket) => socket.emit("auth", socket.handshake.auth));

// "/private": a connect middleware, the way applications authenticate.
const priv = io.of("/private");
priv.use((socket, next) => {
  const auth = socket.handshake.auth;
  if (auth !== null && typeof auth === "object" && auth.token === "secret") return next();
  const err = new Error("not authorized");
  err.data = { reason: "a token is needed" };
  next(err);
});
priv.on("connection", (socket) => socket.emit("auth", socket.handshake.auth));

httpServer.listen(parsePort(), "127.0.0.1", () => {
  process.stdout.write(`listening on http://127.0.0.1:${httpServer.address().port}\n`);
});

// SIGTERM/SIGINT: io.close() closes every Engine.IO session (a close packet to a waiting GET or a
// WebSocket) and the HTTP server. The sessions' own timers (a polling close waits up to 30 s for a
// GET that may never come) must not keep the process alive: what is left after 300 ms is cut.
let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  io.close();
  setTimeout(() => {
    httpServer.closeAllConnections();
    process.exit(0);
  }, 300).unref();
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
