#!/usr/bin/env node
// The Node half of ci/bench's messages/s ("stream layer"): an NDJSON server written the naive way.
//
//   node conformance/adapters/node/bench/ndjson_server_bench.js PORT_FILE [--conns N]
//
// How it is measured: this file is the server only. It listens on 127.0.0.1:0, writes its port
// to PORT_FILE, and is driven from another process by the same client that drives the C++ server
// (`sioconf_io_bench --ndjson PORT --conns N`, bare libuv: batches of 256 pipelined 80-byte
// {"event":"chat","data":{"seq":N,"text":"..."}} lines, at most 2048 unanswered per connection),
// which counts the reply lines and prints messages/s. So both servers meet the same load.
// The server is the common tutorial code: MiniSocket's line splitting (`buffer += chunk`,
// indexOf('\n'), substring) and JSON.parse, then a queue (one async handler at a time, in
// arrival order: `busy` flag, `while (queue.length) await handle(queue.shift())`). The handler
// answers each "chat" with MiniSocket's emit: socket.write(JSON.stringify({event, data}) + '\n'),
// here {"event":"ack","data":{"seq":N}}. After N connections (default 1) ended it prints one JSON
// line (lines, replies) and exits. Node's stdlib only.
"use strict";

const net = require("net");
const { parseServerArgs, listenOnLoopback } = require("./server_common");
const EventEmitter = require("events");

const { portFile, conns } = parseServerArgs("ndjson_server_bench.js");

let lines = 0;
let replies = 0;
let bad = 0;

// ---- MiniSocket, newline-delimited JSON over a net.Socket ----
class MiniSocket extends EventEmitter {
  constructor(socket) {
    super();
    this.socket = socket;
    this.buffer = "";
    socket.on("data", this._onData.bind(this));
    socket.on("end", () => socket.end());
    socket.on("error", () => {});
    socket.on("close", () => super.emit("disconnect"));
  }

  _onData(chunk) {
    this.buffer += chunk.toString();
    // Parse newline-delimited JSON
    let idx;
    while ((idx = this.buffer.indexOf("\n")) !== -1) {
      const line = this.buffer.substring(0, idx);
      this.buffer = this.buffer.substring(idx + 1);
      lines++;
      try {
        const packet = JSON.parse(line);
        super.emit("packet", packet); // to the queue below
      } catch (err) {
        bad++;
      }
    }
  }

  // MiniSocket's emit: one NDJSON line to the peer.
  send(event, data) {
    const packet = JSON.stringify({ event, data }) + "\n";
    this.socket.write(packet);
  }
}

// ---- one async handler at a time, in arrival order ----
function serve(mini) {
  const queue = [];
  let busy = false;

  mini.on("packet", (packet) => {
    queue.push(packet);
    processQueue();
  });

  async function handle(packet) {
    if (packet.event === "chat") {
      mini.send("ack", { seq: packet.data.seq });
      replies++;
    }
  }

  async function processQueue() {
    if (busy) return;
    busy = true;
    while (queue.length > 0) {
      const packet = queue.shift();
      await handle(packet);
    }
    busy = false;
  }
}

let left = conns;
const server = net.createServer((socket) => {
  const mini = new MiniSocket(socket);
  mini.on("disconnect", () => {
    if (--left === 0) server.close();
  });
  serve(mini);
});
listenOnLoopback(server, portFile);
server.on("close", () => {
  process.stdout.write(JSON.stringify({ bench: "seeds_ndjson_server", node: process.version, lines, replies, bad }) + "\n");
  process.exitCode = bad === 0 ? 0 : 1;
});
