#!/usr/bin/env node
// The Node half of ci/bench (a benchmark, not a test): times socket.io-parser's Decoder.add over
// the packet mix that `sioconf_bench --write-mix FILE` wrote (format: impl/bench/mix.h).
//
//   node conformance/adapters/node/bench/sio_decode_bench.js FILE [--min-seconds S] [--min-rounds N]
//
// As on a server, text messages arrive as JS strings (engine.io hands the parser strings) and
// binary ones as Buffers; both are prepared before timing. One pass feeds every message to one
// Decoder and counts its "decoded" events, which must equal the mix's packet count. After one
// warm-up pass (JIT), passes repeat until both minimums are met; the best pass is reported as one
// JSON line on stdout (ci/bench reads it), a summary on stderr.
"use strict";

const fs = require("fs");
const { Decoder } = require("socket.io-parser");
const path = require("path");

// socket.io-parser's package.json is not in its "exports": find it above the resolved entry point.
function packageVersion(name) {
  let dir = path.dirname(require.resolve(name));
  for (;;) {
    const candidate = path.join(dir, "package.json");
    if (fs.existsSync(candidate)) {
      const pkg = JSON.parse(fs.readFileSync(candidate, "utf8"));
      if (pkg.name === name) return pkg.version;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return "unknown";
    dir = parent;
  }
}
const parserVersion = packageVersion("socket.io-parser");

function usage() {
  process.stderr.write("usage: node sio_decode_bench.js FILE [--min-seconds S] [--min-rounds N]\n");
  process.exit(2);
}

const args = process.argv.slice(2);
let file = null;
let minSeconds = 1.0;
let minRounds = 5;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--min-seconds" && i + 1 < args.length) minSeconds = Number(args[++i]);
  else if (args[i] === "--min-rounds" && i + 1 < args.length) minRounds = Number(args[++i]);
  else if (file === null && !args[i].startsWith("--")) file = args[i];
  else usage();
}
if (file === null) usage();

// ---- read the mix (impl/bench/mix.h) ----
const buf = fs.readFileSync(file);
if (buf.length < 16 || buf.toString("latin1", 0, 8) !== "SIOMIX01") {
  process.stderr.write(`${file} is not a SIOMIX01 file\n`);
  process.exit(1);
}
const packets = buf.readUInt32LE(8);
const count = buf.readUInt32LE(12);
const messages = [];
let bytes = 0;
let at = 16;
for (let i = 0; i < count; i++) {
  const kind = String.fromCharCode(buf[at]);
  const length = buf.readUInt32LE(at + 1);
  at += 5;
  if ((kind !== "t" && kind !== "b") || at + length > buf.length) {
    process.stderr.write(`record ${i} is malformed\n`);
    process.exit(1);
  }
  messages.push(kind === "t" ? buf.toString("utf8", at, at + length) : buf.subarray(at, at + length));
  bytes += length;
  at += length;
}

// ---- time it ----
function pass() {
  let decoded = 0;
  const decoder = new Decoder();
  decoder.on("decoded", () => {
    decoded++;
  });
  for (let i = 0; i < messages.length; i++) decoder.add(messages[i]);
  if (decoded !== packets) {
    process.stderr.write(`socket.io-parser decoded ${decoded} packets, the mix has ${packets}\n`);
    process.exit(1);
  }
}

pass();  // warm-up
const rounds = [];
const start = process.hrtime.bigint();
const elapsed = () => Number(process.hrtime.bigint() - start) / 1e9;
while (rounds.length < minRounds || elapsed() < minSeconds) {
  const t0 = process.hrtime.bigint();
  pass();
  rounds.push(Number(process.hrtime.bigint() - t0) / 1e9);
}
const sorted = rounds.slice().sort((a, b) => a - b);
const best = sorted[0];
const median = sorted[Math.floor(sorted.length / 2)];
const result = {
  impl: "node",
  decoder: `socket.io-parser@${parserVersion} Decoder.add`,
  node: process.version,
  packets,
  messages: messages.length,
  bytes,
  rounds: rounds.length,
  best_s: Number(best.toFixed(6)),
  median_s: Number(median.toFixed(6)),
  packets_per_s: Math.round(packets / best),
  mb_per_s: Number((bytes / best / 1e6).toFixed(2)),
};
process.stdout.write(JSON.stringify(result) + "\n");
process.stderr.write(
  `node: ${rounds.length} rounds, best ${(best * 1e3).toFixed(2)} ms, ` +
    `${result.packets_per_s} packets/s, ${result.mb_per_s.toFixed(1)} MB/s\n`
);
