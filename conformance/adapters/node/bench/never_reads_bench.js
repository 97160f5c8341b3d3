#!/usr/bin/env node
// The Node half of ci/bench's never-reading peer ("stream layer"): the unbounded memory of
// Node's socket.write(), which always succeeds and queues what the peer does not read, measured.
//
//   node conformance/adapters/node/bench/never_reads_bench.js [--seconds S] [--offer-bytes N]
//
// How it is measured (as `sioconf_io_bench --never-reads`): server and client in this one process.
// The client connects and never reads (created paused, so Node never starts reading it). The
// server is a naive offer/echo server: it offers N bytes (default 1 GiB) in 16 KiB writes and
// ignores write()'s return value, so whatever the kernel does not take waits in the socket's
// internal queue (writableLength). Each 16 KiB block is a fresh Buffer, as an echo's chunks are.
// It writes 64 blocks per turn of the event loop (setImmediate), so the loop keeps running and
// libuv flushes what the kernel accepts. After S seconds (default 2) it prints one JSON line: the
// peak writableLength and the growth of the peak RSS (VmHWM in /proc/self/status, the figure the
// C++ side prints) and of process.memoryUsage().rss. Node's stdlib only.
"use strict";

const fs = require("fs");
const net = require("net");

const args = process.argv.slice(2);
let seconds = 2;
let offerBytes = 1024 * 1024 * 1024;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--seconds" && i + 1 < args.length) seconds = Number(args[++i]);
  else if (args[i] === "--offer-bytes" && i + 1 < args.length) offerBytes = Number(args[++i]);
  else {
    process.stderr.write("usage: node never_reads_bench.js [--seconds S] [--offer-bytes N]\n");
    process.exit(2);
  }
}

function statusKiB(field) {
  const m = fs.readFileSync("/proc/self/status", "utf8").match(new RegExp(`^${field}:\\s+(\\d+)`, "m"));
  return m ? Number(m[1]) : 0;
}

const BLOCK = 16 * 1024;
const template = Buffer.alloc(BLOCK, "x");
const hwm0 = statusKiB("VmHWM");
const rss0 = process.memoryUsage().rss;
let rssMax = rss0;
let offered = 0;
let maxWritable = 0;
let client = null;
let serverSocket = null;
let done = false;

function offer() {
  if (done) return;
  for (let i = 0; i < 64 && offered < offerBytes; i++) {
    serverSocket.write(Buffer.from(template)); // naive: the return value is ignored
    offered += BLOCK;
  }
  maxWritable = Math.max(maxWritable, serverSocket.writableLength);
  rssMax = Math.max(rssMax, process.memoryUsage().rss);
  if (offered < offerBytes) setImmediate(offer);
}

const server = net.createServer((socket) => {
  serverSocket = socket;
  socket.on("error", () => {});
  offer();
});
server.listen(0, "127.0.0.1", () => {
  client = net.connect({ port: server.address().port, host: "127.0.0.1" });
  client.pause(); // never reads
  client.on("error", () => {});
  setTimeout(finish, seconds * 1000);
});

function finish() {
  done = true;
  maxWritable = Math.max(maxWritable, serverSocket ? serverSocket.writableLength : 0);
  const rss1 = process.memoryUsage().rss;
  rssMax = Math.max(rssMax, rss1);
  const hwm1 = statusKiB("VmHWM");
  const result = {
    bench: "never_reads",
    impl: "naive Node echo (write() return ignored)",
    node: process.version,
    seconds,
    offer_bytes: offerBytes,
    offered,
    client_bytes_read: client.bytesRead,
    max_writable_length: maxWritable,
    hwm_growth_kib: hwm1 - hwm0,
    rss_growth_kib: Math.round((rssMax - rss0) / 1024),
  };
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(0); // the queue would take a while to free; nothing else to do
}
