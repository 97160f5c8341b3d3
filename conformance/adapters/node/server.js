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
//
// As a module (the live bug zoo, conformance/zoo/live_server.js, runs the same contract on other
// socket.io / engine.io / ws versions), it exports the pieces, so the contract exists once:
//
//   ENGINE_OPTIONS, SOCKETIO_OPTIONS, SERVER_OPTIONS   the contract's options (below)
//   applyContract(io)              the namespaces and handlers, on a socket.io Server (4.4 or
//                                  later: "ask" uses socket.timeout())
//   createHttpServer()             the HTTP server answering 404 off the path
//   parseArgs(args, extra, usage)  --port N (or PORT), plus the named options in `extra`
//   listen(httpServer, io, port)   listen on 127.0.0.1, print the line, stop on SIGTERM/SIGINT
//   PEER_MODULES                   the pinned node_modules folder beside this file
//
// Requiring it loads no socket.io: the script loads the pinned copy when it runs.
"use strict";

const http = require("http");
const path = require("path");

const PEER_MODULES = path.join(__dirname, "node_modules");

// Engine.IO's part of the contract (an engine.io Server's options).
const ENGINE_OPTIONS = Object.freeze({
  pingInterval: 300, // the official suite's heartbeat, so heartbeat scenarios run in a second
  pingTimeout: 200,
  maxHttpBufferSize: 1e6, // announced as the handshake's maxPayload (engine.io's default, written out)
});

// Socket.IO's part (a socket.io Server's own options; path also goes to engine.io's attach()).
const SOCKETIO_OPTIONS = Object.freeze({
  path: "/socket.io/", // the contract's path (socket.io's default, written out)
  serveClient: false, // no /socket.io/socket.io.js bundle: the path serves the protocol only
  connectTimeout: 1000, // a session that joins no namespace within 1 s is closed
});

// Both, for `new Server(httpServer, SERVER_OPTIONS)`, which hands the engine's on to engine.io.
// Everything else is socket.io's default, as an application gets it: both transports and the
// upgrade, no EIO=3 (allowEIO3 false), no permessage-deflate, no CORS headers (sioconf serve sends
// none either; the official suite's server adds them for browsers), no connection state recovery.
const SERVER_OPTIONS = Object.freeze({ ...SOCKETIO_OPTIONS, ...ENGINE_OPTIONS });

// `args`: the command line after the script. `extra`: names of options taking a value (--name V
// or --name=V). Returns {port, <name>: value or undefined}; a usage error exits 2 with `usage`.
function parseArgs(args, extra = [], usage = "usage: node server.js [--port N]   (or the environment variable PORT)") {
  const values = { port: process.env.PORT !== undefined && process.env.PORT !== "" ? process.env.PORT : "3000" };
  const names = ["port", ...extra];
  const fail = (why) => {
    process.stderr.write(`${why ? `${path.basename(process.argv[1] || "server.js")}: ${why}\n` : ""}${usage}\n`);
    process.exit(2);
  };
  for (let i = 0; i < args.length; i++) {
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/s.exec(args[i]);
    if (!m || !names.includes(m[1])) fail(`unknown argument ${JSON.stringify(args[i])}`);
    if (m[2] !== undefined) values[m[1]] = m[2];
    else if (i + 1 < args.length) values[m[1]] = args[++i];
    else fail(`--${m[1]} needs a value`);
  }
  if (!/^\d+$/.test(values.port) || Number(values.port) > 65535) fail(`bad port ${JSON.stringify(values.port)}`);
  values.port = Number(values.port);
  return values;
}

// engine.io takes over the server's "request" listeners and hands on what is not under its path:
// without this one, a request elsewhere would hang instead of being answered 404 as sioconf serve
// answers it.
function createHttpServer() {
  return http.createServer((req, res) => {
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found");
  });
}

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

// The contract's namespaces and handlers, on the socket.io Server `io`.
function applyContract(io) {
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
  return io;
}

// Listens on 127.0.0.1:port and prints the line the runner waits for. SIGTERM/SIGINT: io.close()
// closes every Engine.IO session (a close packet to a waiting GET or a WebSocket) and, when socket.io
// attached itself, the HTTP server (closed here too, for an engine bound with io.bind()). The
// sessions' own timers (a polling close waits up to 30 s for a GET that may never come) must not
// keep the process alive: what is left after 300 ms is cut.
function listen(httpServer, io, port) {
  httpServer.listen(port, "127.0.0.1", () => {
    process.stdout.write(`listening on http://127.0.0.1:${httpServer.address().port}\n`);
  });
  let stopping = false;
  function stop() {
    if (stopping) return;
    stopping = true;
    io.close();
    httpServer.close();
    setTimeout(() => {
      httpServer.closeAllConnections();
      process.exit(0);
    }, 300).unref();
  }
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

module.exports = {
  PEER_MODULES,
  ENGINE_OPTIONS,
  SOCKETIO_OPTIONS,
  SERVER_OPTIONS,
  parseArgs,
  createHttpServer,
  applyContract,
  listen,
};

if (require.main === module) {
  const { port } = parseArgs(process.argv.slice(2));
  const { Server } = require(path.join(PEER_MODULES, "socket.io"));
  const httpServer = createHttpServer();
  const io = new Server(httpServer, { ...SERVER_OPTIONS });
  applyContract(io);
  listen(httpServer, io, port);
}
