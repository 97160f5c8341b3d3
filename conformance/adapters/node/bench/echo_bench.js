#!/usr/bin/env node
// The Node half of ci/bench's bulk echo ("stream layer"): a promise-based echo server.
//
//   node conformance/adapters/node/bench/echo_bench.js PORT_FILE [--conns N]
//
// How it is measured: this file is the server only. It listens on 127.0.0.1:0, writes its port
// to PORT_FILE, and is driven from another process by the same client that drives the C++
// servers (`sioconf_io_bench --bulk PORT`, bare libuv), which does the timing and prints MB/s. So
// the C++ stream, the bare libuv echo and this server are measured by one client, the same way.
// The server: `pauseOnConnect`, soRead() resumes the socket for one 'data' event
// and pauses it again, soWrite() resolves when the write completed, and serveClient() awaits
// each write before reading again (backpressure: a producer waits for the consumer). After N connections
// (default 1) ended it prints one JSON line (bytes echoed) and exits. Node's stdlib only.
"use strict";

const net = require("net");
const { parseServerArgs, listenOnLoopback } = require("./server_common");

const { portFile, conns } = parseServerArgs("echo_bench.js");

// ---- a promise-based API for TCP sockets ----
function soInit(socket) {
  const conn = { socket, err: null, ended: false, reader: null };
  socket.on("data", (data) => {
    console.assert(conn.reader);
    // pause the 'data' event until the next read.
    conn.socket.pause();
    // fulfill the promise of the current read.
    conn.reader.resolve(data);
    conn.reader = null;
  });
  socket.on("end", () => {
    // this also fulfills the current read.
    conn.ended = true;
    if (conn.reader) {
      conn.reader.resolve(Buffer.from("")); // EOF
      conn.reader = null;
    }
  });
  socket.on("error", (err) => {
    // errors are also delivered to the current read.
    conn.err = err;
    if (conn.reader) {
      conn.reader.reject(err);
      conn.reader = null;
    }
  });
  return conn;
}

function soRead(conn) {
  console.assert(!conn.reader); // no concurrent calls
  return new Promise((resolve, reject) => {
    // if the connection is not readable, complete the promise now.
    if (conn.err) {
      reject(conn.err);
      return;
    }
    if (conn.ended) {
      resolve(Buffer.from("")); // EOF
      return;
    }
    // save the promise callbacks
    conn.reader = { resolve, reject };
    // and resume the 'data' event to fulfill the promise later.
    conn.socket.resume();
  });
}

function soWrite(conn, data) {
  console.assert(data.length > 0);
  return new Promise((resolve, reject) => {
    if (conn.err) {
      reject(conn.err);
      return;
    }
    conn.socket.write(data, (err) => {
      if (err) reject(err);
      else resolve();
    });
  });
}

// ---- the echo server ----
let bytes = 0;
let left = conns;

async function serveClient(socket) {
  const conn = soInit(socket);
  while (true) {
    const data = await soRead(conn);
    if (data.length === 0) break;
    bytes += data.length;
    await soWrite(conn, data);
  }
}

async function newConn(socket) {
  try {
    await serveClient(socket);
  } catch (exc) {
    process.stderr.write(`echo_bench: ${exc}\n`);
  } finally {
    socket.destroySoon(); // end after the queued writes, then destroy
    socket.once("close", () => {
      if (--left === 0) server.close();
    });
  }
}

const server = net.createServer({ pauseOnConnect: true }, newConn);
listenOnLoopback(server, portFile);
server.on("close", () => {
  process.stdout.write(JSON.stringify({ bench: "promise_echo_server", node: process.version, bytes }) + "\n");
});
