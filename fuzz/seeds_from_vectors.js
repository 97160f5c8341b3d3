#!/usr/bin/env node
// Writes the decode inputs of every vector in corpus/spec/ as fuzz seeds in corpus/fuzz/<target>/
// (vec-<id>), prefixed with the option bytes each target reads first (see its source), so that
// the fuzzers start from every rule the corpus names. Run it again after adding vectors:
//   node fuzz/seeds_from_vectors.js
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const spec = path.join(root, "corpus", "spec");

// A generated element ({"concat": [...]}, up to megabytes) gives null: such a vector is no seed.
function bytesOf(element) {
  if (element.text !== undefined) return Buffer.from(element.text, "utf8");
  if (element.hex !== undefined) return Buffer.from(element.hex.replace(/\s+/g, ""), "hex");
  if (element.base64 !== undefined) return Buffer.from(element.base64, "base64");
  return null;
}

// The option bytes in front of the data: limits large enough for the vector, and for the byte
// streams chunking 1 (byte by byte: the targets compare it with the whole input).
const targets = {
  "ws": (v, parts) => {
    const client = (v.options && v.options.role === "client" ? 1 : 0) | 2;  // 2: round trip too
    return Buffer.concat([Buffer.from([client, 1, 255, 255, 31]), ...parts]);
  },
  "ndjson": (v, parts) => Buffer.concat([Buffer.from([1, 255, 32]), ...parts]),
  "eio": (v, parts) => Buffer.concat([Buffer.from([v.input[0].text === undefined ? 1 : 0, 255]), parts[0]]),
  "eio-payload": (v, parts) => Buffer.concat([Buffer.from([1, 255, 63]), parts[0]]),
  "sio": (v, parts) => {
    const sep = [];
    parts.forEach((p, i) => { if (i) sep.push(Buffer.from([0])); sep.push(p); });
    return Buffer.concat([Buffer.from([Math.min(parts.length - 1, 3), 9, 32]), ...sep]);
  },
};
const names = { "eio": "fuzz_eio_packet", "ws": "fuzz_ws_frames", "ndjson": "fuzz_ndjson_lines", "eio-payload": "fuzz_eio_payload", "sio": "fuzz_sio_packet" };

let written = 0;
for (const layer of Object.keys(targets)) {
  const dir = path.join(spec, layer);
  if (!fs.existsSync(dir)) continue;
  const out = path.join(root, "corpus", "fuzz", names[layer]);
  fs.mkdirSync(out, { recursive: true });
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    const doc = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
    for (const v of doc.tests) {
      if (v.op === "encode" || !Array.isArray(v.input)) continue;
      const parts = v.input.map(bytesOf);
      if (parts.some((p) => p === null) || parts.length === 0) continue;
      fs.writeFileSync(path.join(out, "vec-" + v.id.replace(/[^A-Za-z0-9._-]/g, "_")), targets[layer](v, parts));
      written++;
    }
  }
}
console.log(`${written} seeds written`);
