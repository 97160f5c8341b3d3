#!/usr/bin/env node
// The live bug zoo's server: the server contract of corpus/live (the Node peer's server.js, whose
// handlers it reuses: conformance/adapters/node/server.js exports them) on chosen versions of the
// stack, so that `sioconf live` can run a scenario against a vulnerable and a fixed release.
//
//   node conformance/zoo/live_server.js [--socketio M] [--engineio M] [--ws M] [--port N] [--versions]
//
//   --socketio M  the socket.io to run (default: the Node peer's pinned socket.io 4.8.4); socket.io
//                 attaches itself to the HTTP server with the engine.io it depends on
//   --engineio M  an engine.io Server of this version is attached to the HTTP server (path
//                 /socket.io/) and bound to socket.io with io.bind(engine), instead of socket.io's own
//   --ws M        the ws whose WebSocketServer engine.io uses (its wsEngine option) instead of the
//                 ws engine.io depends on
//   --port N      as server.js (or PORT; default 3000, 0: any free port)
//   --versions    print, as JSON, the version of each package that would run and where it is
//                 loaded from, and exit (check_live_zoo.py checks them before each run)
//
// M is an alias installed here (node_modules/<package>-<version>, package.json), or a path to a
// package folder (anything with a "/"), so a user can run the contract on the copy they ship. Its
// package.json must name the package the option is for.
//
// The contract's options are server.js's: pingInterval 300, pingTimeout 200, maxHttpBufferSize
// 1e6, connectTimeout 1000, path /socket.io/, no client bundle; everything else is the loaded
// versions' defaults. On startup one line on stderr says what runs ("live_server: socket.io
// 4.6.1 ..."; `sioconf live` puts a server's stderr into its report).
"use strict";

const fs = require("fs");
const path = require("path");

const HERE = __dirname;
const contract = require(path.join(HERE, "..", "adapters", "node", "server.js"));

const USAGE =
  "usage: node live_server.js [--socketio M] [--engineio M] [--ws M] [--port N] [--versions]\n" +
  "  M: an alias in conformance/zoo/node_modules (e.g. socket.io-4.6.1) or a package folder";

// The package folder for an option's value: an alias here or a path; its package.json must name
// `expected`.
function packageDir(option, value, expected) {
  const dir = value.includes("/") || value.includes(path.sep) ? path.resolve(value) : path.join(HERE, "node_modules", value);
  let pkg;
  try {
    pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  } catch (e) {
    process.stderr.write(`live_server: --${option} ${value}: no package at ${dir} (npm ci in ${HERE})\n`);
    process.exit(2);
  }
  if (pkg.name !== expected) {
    process.stderr.write(`live_server: --${option} ${value}: ${dir} holds ${pkg.name}, not ${expected}\n`);
    process.exit(2);
  }
  return dir;
}

// The folder of the package `name` as `from` (a package folder) resolves it: its main file's
// nearest folder whose package.json has that name and a version (package.json itself may not be
// exported, and engine.io-parser's build/cjs has a package.json of its own, without a version).
function resolvedDir(name, from) {
  let dir = path.dirname(require.resolve(name, { paths: [from] }));
  for (;;) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
      if (pkg.name === name && typeof pkg.version === "string") return dir;
    } catch (e) {
      // no package.json here (a lib/ or dist/ folder): look further up
    }
    if (path.dirname(dir) === dir) throw new Error(`live_server: cannot find ${name}'s folder from ${from}`);
    dir = path.dirname(dir);
  }
}

function describe(dir) {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  return { version: pkg.version, path: path.relative(process.cwd(), dir) || "." };
}

function main() {
  const args = process.argv.slice(2);
  const versionsOnly = args.includes("--versions");
  const options = contract.parseArgs(args.filter((a) => a !== "--versions"), ["socketio", "engineio", "ws"], USAGE);

  const socketioDir =
    options.socketio !== undefined
      ? packageDir("socketio", options.socketio, "socket.io")
      : path.join(contract.PEER_MODULES, "socket.io");
  const engineioDir =
    options.engineio !== undefined
      ? packageDir("engineio", options.engineio, "engine.io")
      : resolvedDir("engine.io", socketioDir);
  const wsDir = options.ws !== undefined ? packageDir("ws", options.ws, "ws") : resolvedDir("ws", engineioDir);
  const running = {
    "socket.io": describe(socketioDir),
    "socket.io-parser": describe(resolvedDir("socket.io-parser", socketioDir)),
    "engine.io": describe(engineioDir),
    "engine.io-parser": describe(resolvedDir("engine.io-parser", engineioDir)),
    ws: describe(wsDir),
  };
  if (versionsOnly) {
    process.stdout.write(JSON.stringify(running, null, 1) + "\n");
    return;
  }
  process.stderr.write(
    `live_server: ${Object.entries(running).map(([name, r]) => `${name} ${r.version}`).join(", ")}` +
      `${options.engineio !== undefined ? " (engine.io bound with io.bind)" : ""}` +
      `${options.ws !== undefined ? " (ws as engine.io's wsEngine)" : ""}\n`,
  );

  const { Server } = require(socketioDir);
  const engineOptions = { ...contract.ENGINE_OPTIONS };
  if (options.ws !== undefined) engineOptions.wsEngine = require(wsDir).WebSocketServer || require(wsDir).Server;

  const httpServer = contract.createHttpServer();
  let io;
  if (options.engineio !== undefined) {
    const eio = require(engineioDir);
    const engine = new eio.Server(engineOptions);
    engine.attach(httpServer, { path: contract.SOCKETIO_OPTIONS.path });
    io = new Server({ ...contract.SOCKETIO_OPTIONS });
    io.bind(engine);
  } else {
    io = new Server(httpServer, { ...contract.SOCKETIO_OPTIONS, ...engineOptions });
  }
  contract.applyContract(io);
  contract.listen(httpServer, io, options.port);
}

main();
