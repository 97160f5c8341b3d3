// Shared by the Node servers of ci/bench's stream layer: the command line (PORT_FILE [--conns N])
// and publishing the listening port to PORT_FILE (written then renamed, so the client never reads
// half a file).
"use strict";

const fs = require("fs");

function parseServerArgs(script) {
  const usage = () => {
    process.stderr.write(`usage: node ${script} PORT_FILE [--conns N]\n`);
    process.exit(2);
  };
  const args = process.argv.slice(2);
  let portFile = null;
  let conns = 1;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--conns" && i + 1 < args.length) conns = Number(args[++i]);
    else if (portFile === null && !args[i].startsWith("--")) portFile = args[i];
    else usage();
  }
  if (portFile === null) usage();
  return { portFile, conns };
}

function listenOnLoopback(server, portFile) {
  server.listen(0, "127.0.0.1", () => {
    fs.writeFileSync(portFile + ".tmp", `${server.address().port}\n`);
    fs.renameSync(portFile + ".tmp", portFile);
  });
}

module.exports = { parseServerArgs, listenOnLoopback };
