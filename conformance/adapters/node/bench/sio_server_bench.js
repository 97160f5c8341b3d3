#!/usr/bin/env node
// The Node half of ci/bench's "reference server" section: the real socket.io 4.8.4 server with the
// contract `sioconf serve` has on /socket.io/ (the official test suites' server).
//
//   node --expose-gc conformance/adapters/node/bench/sio_server_bench.js PORT_FILE
//        [--conns N] [--ping-interval MS] [--ping-timeout MS] [--seconds S] [--memory-file FILE]
//
// How it is measured: this file is the server only. It listens on 127.0.0.1:0, writes its port to
// PORT_FILE, and is driven from another process by the client that drives `sioconf serve` too
// (impl/bench/sio_load.cc, bare libuv), which does the timing. The contract, as sioconf serve's:
// path /socket.io/; "/" emits "auth" with socket.handshake.auth on connect, answers "message" with
// "message-back" (same arguments) and "message-with-ack" with an ack of its arguments; "/custom"
// emits "auth". maxHttpBufferSize 1e6, pingInterval/pingTimeout from the options (default 25000/
// 20000, socket.io's own defaults).
//
// It ends by itself: once N Socket.IO connections (default 1) connected and disconnected again, or
// with exit code 1 when --seconds (default 300) passed first. It prints nothing but errors.
// Memory when asked: on SIGUSR2 it runs global.gc() (if node has --expose-gc) and, with
// --memory-file, writes one JSON line (process.memoryUsage() and the connected count) to FILE, so
// that the idle-memory client (sio_load --idle --gc-signal) measures a heap without garbage.
"use strict";

const fs = require("fs");
const http = require("http");
const { Server } = require("socket.io");
const { listenOnLoopback } = require("./server_common");

function parseArgs() {
  const usage = () => {
    process.stderr.write(
      "usage: node sio_server_bench.js PORT_FILE [--conns N] [--ping-interval MS] [--ping-timeout MS] " +
        "[--seconds S] [--memory-file FILE]\n",
    );
    process.exit(2);
  };
  const names = { "--conns": "conns", "--ping-interval": "pingInterval", "--ping-timeout": "pingTimeout", "--seconds": "seconds" };
  const a = { portFile: null, conns: 1, pingInterval: 25000, pingTimeout: 20000, seconds: 300, memoryFile: null };
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (flag in names && i + 1 < args.length) {
      a[names[flag]] = Number(args[++i]);
      if (!(a[names[flag]] > 0)) usage();
    } else if (flag === "--memory-file" && i + 1 < args.length) a.memoryFile = args[++i];
    else if (a.portFile === null && !flag.startsWith("--")) a.portFile = flag;
    else usage();
  }
  if (a.portFile === null) usage();
  return a;
}

const a = parseArgs();
const httpServer = http.createServer();
const io = new Server(httpServer, {
  path: "/socket.io/",
  serveClient: false,
  pingInterval: a.pingInterval,
  pingTimeout: a.pingTimeout,
  maxHttpBufferSize: 1e6,
});

let connected = 0;
let left = a.conns;

io.of("/").on("connection", (socket) => {
  ++connected;
  socket.emit("auth", socket.handshake.auth);
  socket.on("message", (...args) => socket.emit("message-back", ...args));
  socket.on("message-with-ack", (...args) => {
    const ack = args.pop();
    if (typeof ack === "function") ack(...args);
  });
  socket.on("disconnect", () => {
    --connected;
    if (--left === 0) stop(0);
  });
});
io.of("/custom").on("connection", (socket) => socket.emit("auth", socket.handshake.auth));

function stop(code) {
  clearTimeout(budget);
  process.exitCode = code;
  io.close();
  // A keep-alive connection the client has not closed yet must not keep the process alive.
  setTimeout(() => process.exit(code), 200).unref();
}

const budget = setTimeout(() => {
  process.stderr.write(`sio_server_bench.js: ${a.seconds} s passed with ${left} of ${a.conns} connections not ended\n`);
  stop(1);
}, a.seconds * 1000);

process.on("SIGUSR2", () => {
  if (typeof global.gc === "function") global.gc();
  if (a.memoryFile === null) return;
  const line = JSON.stringify({ node: process.version, connected, gc: typeof global.gc === "function", ...process.memoryUsage() });
  fs.writeFileSync(a.memoryFile + ".tmp", line + "\n");
  fs.renameSync(a.memoryFile + ".tmp", a.memoryFile);
});

listenOnLoopback(httpServer, a.portFile);
