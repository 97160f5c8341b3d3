// sioconf — the command line of the Socket.IO conformance harness.
//
// One CLI11 subcommand per command. Each is registered by one function, add_<command>(), that
// declares its options and returns what runs it; a command's --help prints its text below. Every
// usage error (an unknown or misplaced option, a missing or bad value, a stray argument) is one
// line on stderr and exit status 2. CLI11 is included here only: it is heavy.
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <memory>
#include <regex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "cli.h"

#ifndef SIOCONF_LIVE_CORPUS
#define SIOCONF_LIVE_CORPUS "corpus/live"
#endif
#ifndef SIOCONF_CLIENT_CORPUS
#define SIOCONF_CLIENT_CORPUS "corpus/live-client"
#endif
#ifndef SIOCONF_VERSION
#define SIOCONF_VERSION "0.0.0"
#endif

namespace {

using sioconf::cli::json;

constexpr const char* kUsage = R"(sioconf — conformance harness for the Socket.IO stack

usage: sioconf <command> [options]

commands:
  decode    decode stdin with one layer of the reference implementation, print items as JSON lines
  encode    encode items (JSON lines on stdin) with one layer, print the wire elements
  adapter   speak the adapter protocol on stdin/stdout (conformance/PROTOCOL.md)
  vectors   run the reference implementation over spec vector files (corpus/spec)
  serve     the reference server on 127.0.0.1 (Engine.IO and Socket.IO, the test suites' contract)
  live      run live scenarios (corpus/live) against running Socket.IO servers
  client-check
            play the server to Socket.IO clients (corpus/live-client) through their drivers
  driver    the reference Socket.IO client behind the client driver protocol (conformance/DRIVER.md)

layers: sio, eio, eio-payload, ws, ndjson
Run `sioconf <command> --help` for its options, `sioconf --version` for the version.
Exit status 2 on a usage error: an unknown command or option, an option of another command,
a missing or bad value, a stray argument.
)";

constexpr const char* kDecodeHelp =
    R"(usage: sioconf decode --layer L [--input raw|lines|jsonl] [--role server|client] [--limit key=value]...

Reads stdin, decodes it with layer L and prints one JSON item per line (adapter-protocol shapes).
Items are printed as they are decoded: stdin is read in bounded chunks, so memory stays within the
limits whatever the input's size (an element longer than its layer's limit is that limit's error).
On a decode error, prints a last line {"error":...,"condition":...,"offset":...} and exits 1.

  --layer L      sio | eio | eio-payload | ws | ndjson
  --input MODE   raw    all of stdin is one element: the byte stream (ws, ndjson), one polling
                        body (eio-payload) or one message (sio, eio). Default for ws, ndjson, eio-payload.
                 lines  each line of stdin is one text message. Default for sio and eio.
                 jsonl  each line is an element {"text":..} | {"base64":..} | {"hex":..}
  --role R       ws only: the decoding endpoint's role (server: frames must be masked). Default server.
  --limit k=v    override a limit of impl/include/sioconf/limits.h, e.g. --limit max_attachments=20;
                 repeatable

example: printf '2["hello",1]\n' | sioconf decode --layer sio
)";

constexpr const char* kEncodeHelp =
    R"(usage: sioconf encode --layer L [--output jsonl|text|raw] [--role server|client] [--limit key=value]...

Reads one adapter-protocol item per stdin line, encodes them with layer L and prints the wire.
On an encoder refusal, prints {"error":...,"condition":...} on stderr and exits 1.

  --output MODE  jsonl  one element per line: {"text":..} or {"base64":..}. Default, except ws.
                 text   text elements as raw lines (fails on a binary element)
                 raw    the bytes of all elements, concatenated. Default for ws.
  --role R       ws only: the encoding endpoint's role (client frames are masked). Default server.
  --limit k=v    as for decode; repeatable

example: echo '{"type":2,"nsp":"/chat","id":7,"data":["hi"]}' | sioconf encode --layer sio --output text
)";

constexpr const char* kAdapterHelp = R"(usage: sioconf adapter

Speaks the adapter protocol v1 (conformance/PROTOCOL.md) for the layers sio, eio, eio-payload, ws
and ndjson: one JSON request per stdin line, one JSON answer per stdout line, until {"op":"bye"}.

example: echo '{"op":"hello","protocol":1}' | sioconf adapter
)";

constexpr const char* kDriverHelp = R"(usage: sioconf driver

Speaks the client driver protocol v1 (conformance/DRIVER.md) over the reference Socket.IO client
(impl/include/sioconf/client/socket.h): one JSON command per stdin line, JSON reports on stdout as
things happen, until {"op":"bye"} or the end of stdin. stdin must be a pipe or a socket.

example: sioconf client-check --driver ref="sioconf driver"
)";

constexpr const char* kVectorsHelp = R"(usage: sioconf vectors [options] PATH...

Runs spec vectors (corpus/README.md) against implementations and prints, per implementation, each
failure (expected vs actual, the vector's basis and notes), the counts per verdict, and a closing
line "N passed, N failed". Each PATH is a vector file or a folder searched recursively.
Exit status: 0 when nothing failed; 1 on any FAIL or ERROR outside the baseline (and NON-STRICT
with --strict), a malformed vector file, a duplicate id or no vectors; 2 on a usage error.

  --adapter CMD       an implementation under test: CMD is started with /bin/sh -c and spoken to
                      over stdio (conformance/PROTOCOL.md). Repeat for several; each runs every
                      case. Without --adapter: the reference implementation, in this process.
                      An exit, hang, garbage line, wrong id or flood is ERROR for that case, a
                      death by a signal (a crash on the input) FAIL; the adapter is restarted and
                      the run goes on.
  --case GLOB         only cases whose id matches (shell glob, e.g. 'ws.close.*'); repeatable
  --strict            also compare error names, offsets and items before an error; NON-STRICT
                      then fails the run
  --dry-run           list the selected cases and stop
  --timeout SECONDS   per request (default 5)
  --baseline FILE     known failures ({"schema":"sioconf-baseline-v1","known":[{"adapter",
                      "id","verdict","finding"}]}): they do not fail the run; entries that pass
                      now are listed
  --write-baseline F  write this run's FAIL/NON-STRICT/ERROR/UNSUPPORTED results (must and
                      should vectors) as a baseline file
  --json FILE         the report as JSON (schema sioconf-report-v1)
  --junit FILE        JUnit XML, one testsuite per implementation
  --html FILE         a self-contained HTML matrix of implementations x cases, with filters
  --verbose           print every result, not only failures
  --progress          a progress line on stderr (default when stderr is a terminal)

verdicts: PASS, FAIL (a must vector broken), NON-STRICT (rejected for another reason, or a
should vector broken), INFO (a may vector: what the implementation did), UNSUPPORTED, ERROR.

examples:
  sioconf vectors corpus/spec
  sioconf vectors --adapter "node conformance/adapters/node/adapter.js" --case 'sio.*' corpus/spec
  sioconf vectors --strict --adapter "sioconf adapter" --html report.html corpus/spec
)";

// A subcommand and what runs it (its exit status) once it has been parsed.
struct Command {
  CLI::App* app;
  std::function<int()> run;
};

// A command's help: its text as written above, not CLI11's own layout.
void fixed_help(CLI::App& app, const char* text) {
  app.formatter_fn([text](const CLI::App*, std::string, CLI::AppFormatMode) { return std::string(text); });
}

const std::vector<std::string> kLayers = {"sio", "eio", "eio-payload", "ws", "ndjson"};

// --layer, --role and --limit, shared by decode and encode.
struct LayerOptions {
  std::string layer, role;
  std::vector<std::string> limits;  // key=value, checked by kLimit

  json limits_json() const {
    json out = json::object();
    for (const std::string& kv : limits) {
      const auto eq = kv.find('=');
      out[kv.substr(0, eq)] = std::stoull(kv.substr(eq + 1));
    }
    return out;
  }
  json options() const {
    json options = json::object();
    if (!role.empty()) options["role"] = role;
    return options;
  }
};

// key=value with a key of limits.h and a value its field can hold.
const CLI::Validator kLimit(
    [](std::string& kv) -> std::string {
      const auto eq = kv.find('=');
      if (eq == std::string::npos) return kv + ": not key=value";
      const std::string key = kv.substr(0, eq), value = kv.substr(eq + 1);
      sioconf::Limits limits;
      if (!sioconf::get_limit(limits, key)) return key + ": no such limit (impl/include/sioconf/limits.h)";
      std::uint64_t v = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (value.empty() || ec != std::errc() || end != value.data() + value.size() ||
          !sioconf::set_limit(limits, key, v))
        return kv + ": the value is not a number the limit can hold";
      return "";
    },
    "KEY=VALUE", "limit");

void add_layer_options(CLI::App& cmd, LayerOptions& o) {
  cmd.add_option("--layer", o.layer)->required()->check(CLI::IsMember(kLayers));
  cmd.add_option("--role", o.role)->check(CLI::IsMember({"server", "client"}));
  cmd.add_option("--limit", o.limits)->allow_extra_args(false)->check(kLimit);
}

// What read(2) returns: items follow the input as it arrives, not once a whole buffer is full.
std::size_t read_stdin(char* buffer, std::size_t size) {
  for (;;) {
    const ssize_t n = ::read(STDIN_FILENO, buffer, size);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) throw std::runtime_error(std::string("cannot read stdin: ") + std::strerror(errno));
  }
}

Command add_decode(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("decode", "decode stdin with one layer");
  fixed_help(*cmd, kDecodeHelp);
  auto o = std::make_shared<LayerOptions>();
  auto input = std::make_shared<std::string>();
  add_layer_options(*cmd, *o);
  cmd->add_option("--input", *input)->check(CLI::IsMember({"raw", "lines", "jsonl"}));
  return {cmd, [o, input]() {
            const bool message_layer = o->layer == "sio" || o->layer == "eio";
            const std::string mode = !input->empty() ? *input : (message_layer ? "lines" : "raw");
            const auto input_mode = mode == "raw"     ? sioconf::cli::InputMode::raw
                                    : mode == "lines" ? sioconf::cli::InputMode::lines
                                                      : sioconf::cli::InputMode::jsonl;
            return sioconf::cli::decode_stream(*sioconf::cli::find_layer(o->layer), input_mode,
                                               sioconf::cli::limits_from_json(o->limits_json()), o->options(),
                                               read_stdin, std::cout, std::cerr);
          }};
}

Command add_encode(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("encode", "encode items with one layer");
  fixed_help(*cmd, kEncodeHelp);
  auto o = std::make_shared<LayerOptions>();
  auto output = std::make_shared<std::string>();
  add_layer_options(*cmd, *o);
  cmd->add_option("--output", *output)->check(CLI::IsMember({"jsonl", "text", "raw"}));
  return {cmd, [o, output]() {
            const std::string mode = !output->empty() ? *output : (o->layer == "ws" ? "raw" : "jsonl");
            json items = json::array();
            std::string line;
            while (std::getline(std::cin, line)) {
              if (line.empty()) continue;
              json item = json::parse(line, nullptr, false);
              if (item.is_discarded()) {
                std::cerr << "sioconf encode: an input line is not JSON\n";
                return 2;
              }
              items.push_back(item);
            }
            const json answer = sioconf::cli::handle_request({{"op", "encode"},
                                                              {"id", "cli"},
                                                              {"layer", o->layer},
                                                              {"items", items},
                                                              {"limits", o->limits_json()},
                                                              {"options", o->options()}});
            if (!answer.value("ok", false)) {
              std::cerr << answer.dump() << "\n";
              return 1;
            }
            for (const json& e : answer["output"]) {
              const auto element = sioconf::cli::element_from_json(e);
              if (mode == "jsonl") {
                std::cout << e.dump() << "\n";
              } else if (mode == "raw") {
                std::cout << element.bytes;
              } else if (element.is_text) {
                std::cout << element.bytes << "\n";
              } else {
                std::cerr << "sioconf: --output text: the output has a binary element; use jsonl\n";
                return 1;
              }
            }
            return 0;
          }};
}

Command add_adapter(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("adapter", "speak the adapter protocol on stdin/stdout");
  fixed_help(*cmd, kAdapterHelp);
  return {cmd, [] { return sioconf::cli::run_adapter(std::cin, std::cout); }};
}

Command add_driver(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("driver", "the reference client behind the client driver protocol");
  fixed_help(*cmd, kDriverHelp);
  return {cmd, [] { return sioconf::cli::run_client_driver(); }};
}

// 0 < seconds <= 3600, kept in milliseconds.
const CLI::Validator kSeconds(
    [](std::string& v) -> std::string {
      char* end = nullptr;
      const double seconds = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end != '\0' || !(seconds > 0) || seconds > 3600)
        return v + ": not seconds (0 < s <= 3600)";
      return "";
    },
    "SECONDS", "seconds");

// The options `vectors` and `live` share: the selection's listing, baselines, reports, output.
void add_run_options(CLI::App& cmd, sioconf::cli::RunOptions& o) {
  cmd.add_flag("--dry-run", o.dry_run);
  cmd.add_option("--baseline", o.baseline);
  cmd.add_option("--write-baseline", o.write_baseline);
  cmd.add_option("--json", o.json_report);
  cmd.add_option("--junit", o.junit_report);
  cmd.add_option("--html", o.html_report);
  cmd.add_flag("-v,--verbose", o.verbose);
  cmd.add_flag("--progress", o.progress);
}

Command add_vectors(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("vectors", "run spec vectors against implementations");
  fixed_help(*cmd, kVectorsHelp);
  auto o = std::make_shared<sioconf::cli::VectorOptions>();
  auto timeout = std::make_shared<std::string>();
  cmd->add_option("--adapter", o->adapters)->allow_extra_args(false);
  cmd->add_option("--case", o->case_globs)->allow_extra_args(false);
  cmd->add_flag("--strict", o->strict);
  cmd->add_option("--timeout", *timeout)->check(kSeconds);
  add_run_options(*cmd, *o);
  cmd->add_option("PATH", o->paths)->required();
  return {cmd, [o, timeout]() {
            if (!timeout->empty())
              o->timeout_ms = static_cast<int>(std::strtod(timeout->c_str(), nullptr) * 1000 + 0.5);
            if (isatty(STDERR_FILENO)) o->progress = true;
            return sioconf::cli::run_vectors(*o, std::cout);
          }};
}

constexpr const char* kLiveHelp = R"(usage: sioconf live (--url URL | --server NAME=CMD)... [options] [PATH...]
Runs live scenarios (corpus/live/README.md) against Socket.IO servers over the wire and prints,
per server, each failure (why, the scenario's basis, the last lines of its wire log), the counts
per verdict, and a closing line "N passed, N failed". A case is one scenario on one transport
(id@polling, id@websocket, id@upgrade); it passes when its steps pass with the client's bytes
written whole, one byte per TCP write, and in random cuts. The servers must keep the contract of
corpus/live/README.md ("The server contract"); `sioconf serve` does. Each PATH is a scenario file or
a folder searched recursively (default: the corpus/live this sioconf was built from).
Exit status: 0 when nothing failed; 1 on any FAIL or ERROR outside the baseline, a malformed
scenario file, a duplicate id or no scenarios; 2 on a usage error.
  --url URL           a running server: http://127.0.0.1:PORT[/path/] (path default /socket.io/);
                      repeat for several, each runs every case
  --server NAME=CMD   a server the runner starts with /bin/sh -c CMD on a free port (in $PORT, and
                      {port} in CMD), waits for, restarts when it stops answering, and stops at the
                      end; its stderr goes into the report. Repeatable
  --case GLOB         only scenarios or cases whose id matches (shell glob); repeatable
  --transport T       only this transport: polling, websocket or upgrade; repeatable
  --shaping S         only this shaping: whole, bytes or cuts; repeatable (default: all three)
  --time-scale X      multiply every duration in milliseconds by X, for slow servers (default 1;
                      durations in the server's pingInterval/pingTimeout follow the server)
  --jobs N            cases in flight at once (default 8); a hostile case always runs alone
  --restart CMD       run CMD when a --url server stopped answering after a hostile case, then
                      wait for it (without it the runner only waits, 10 s at most)
  --dry-run           list the selected cases and stop
  --baseline FILE     known failures (as for sioconf vectors; keys are the server names/URLs)
  --write-baseline F  write this run's failures (must and should scenarios) as a baseline file
  --json FILE         the report as JSON (schema sioconf-report-v1, each result with its wire log)
  --junit FILE        JUnit XML, one testsuite per server
  --html FILE         a self-contained HTML matrix of servers x cases; a case's panel shows its
                      wire log
  --verbose           print every result, not only failures
  --progress          a progress line on stderr (default when stderr is a terminal)
verdicts: PASS, FAIL (a must scenario broken, or the server stopped serving after a hostile one),
NON-STRICT (a should scenario broken), INFO (a may scenario), ERROR (the run could not judge).
examples:
  sioconf serve --port 3000 &  sioconf live --url http://127.0.0.1:3000
  sioconf live --server ref="sioconf serve --port {port}" --html live.html
  sioconf live --url http://127.0.0.1:3000/socket.io/ --case 'sio.ack.*' --transport polling
)";

// 0 < x <= 1000.
const CLI::Validator kScale(
    [](std::string& v) -> std::string {
      char* end = nullptr;
      const double x = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end != '\0' || !(x > 0) || x > 1000) return v + ": not a scale (0 < x <= 1000)";
      return "";
    },
    "X", "scale");

// http://HOST:PORT[/path/] and NAME=COMMAND: said here, as every usage error, on stderr.
const CLI::Validator kUrl(
    [](std::string& v) -> std::string {
      static const std::regex url(R"(http://[^/:\s]+:[0-9]{1,5}(/\S*)?)");
      return std::regex_match(v, url) ? "" : v + ": not http://HOST:PORT[/path/]";
    },
    "URL", "url");
const CLI::Validator kNamedCommand(
    [](std::string& v) -> std::string {
      const auto eq = v.find('=');
      return eq != std::string::npos && eq > 0 && eq + 1 < v.size() ? "" : v + ": not NAME=COMMAND";
    },
    "NAME=CMD", "named command");

Command add_live(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("live", "run live scenarios against Socket.IO servers");
  fixed_help(*cmd, kLiveHelp);
  auto o = std::make_shared<sioconf::cli::LiveOptions>();
  cmd->add_option("--url", o->urls)->allow_extra_args(false)->check(kUrl);
  cmd->add_option("--server", o->servers)->allow_extra_args(false)->check(kNamedCommand);
  cmd->add_option("--case", o->case_globs)->allow_extra_args(false);
  cmd->add_option("--transport", o->transports)
      ->allow_extra_args(false)
      ->check(CLI::IsMember({"polling", "websocket", "upgrade"}));
  cmd->add_option("--shaping", o->shapings)->allow_extra_args(false)->check(CLI::IsMember({"whole", "bytes", "cuts"}));
  cmd->add_option("--time-scale", o->time_scale)->check(kScale);
  cmd->add_option("--jobs", o->jobs)->check(CLI::Range(1, 256));
  cmd->add_option("--restart", o->restart);
  add_run_options(*cmd, *o);
  cmd->add_option("PATH", o->paths);
  return {cmd, [o]() {
            if (o->urls.empty() && o->servers.empty() && !o->dry_run) {
              std::cerr << "sioconf live: give a server: --url URL or --server NAME=CMD (sioconf live --help)\n";
              return 2;
            }
            if (o->paths.empty()) o->paths.push_back(SIOCONF_LIVE_CORPUS);
            if (isatty(STDERR_FILENO)) o->progress = true;
            return sioconf::cli::run_live(*o, std::cout);
          }};
}

constexpr const char* kClientCheckHelp = R"(usage: sioconf client-check --driver [NAME=]CMD... [options] [PATH...]
Plays the server to Socket.IO clients: runs client scenarios (corpus/live-client/README.md), each
with a scripted server of its own on a free 127.0.0.1 port, and the client under test through its
driver, a program speaking conformance/DRIVER.md on stdin/stdout (one process per case). Prints,
per client, each failure (why, the scenario's basis, the last lines of its wire log), the counts
per verdict, and a closing line "N passed, N failed". A case is one scenario on one transport the
client is told to use (id@polling, id@websocket, id@upgrade). Each PATH is a scenario file or a
folder searched recursively (default: the corpus/live-client this sioconf was built from).
Exit status: 0 when nothing failed; 1 on any FAIL or ERROR outside the baseline, a malformed
scenario file, a duplicate id or no scenarios; 2 on a usage error.
  --driver [NAME=]CMD a client driver, started with /bin/sh -c CMD for each case; NAME names it in
                      the reports (default: CMD). Repeatable: each runs every case
  --case GLOB         only scenarios or cases whose id matches (shell glob); repeatable
  --transport T       only this transport: polling, websocket or upgrade; repeatable
  --time-scale X      multiply every duration in milliseconds by X, for slow clients (default 1)
  --jobs N            cases in flight at once (default 4)
  --dry-run           list the selected cases and stop
  --baseline FILE     known failures (as for sioconf vectors; keys are the driver names)
  --write-baseline F  write this run's failures (must and should scenarios) as a baseline file
  --json FILE         the report as JSON (schema sioconf-report-v1, each result with its wire log)
  --junit FILE        JUnit XML, one testsuite per client
  --html FILE         a self-contained HTML matrix of clients x cases; a case's panel shows its
                      wire log (the server's side and the driver's lines)
  --verbose           print every result, not only failures
  --progress          a progress line on stderr (default when stderr is a terminal)
verdicts: PASS, FAIL (a must scenario broken, or the client crashed whatever the level),
NON-STRICT (a should scenario broken), INFO (a may scenario), UNSUPPORTED (the driver cannot do
what the scenario asks), ERROR (the run could not judge: a driver that breaks DRIVER.md).
examples:
  sioconf client-check --driver node="node conformance/adapters/node/client.js" --html client.html
  sioconf client-check --driver ref="sioconf driver" --case 'reconnect.*' --transport polling
)";

Command add_client_check(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("client-check", "play the server to Socket.IO clients");
  fixed_help(*cmd, kClientCheckHelp);
  auto o = std::make_shared<sioconf::cli::ClientCheckOptions>();
  cmd->add_option("--driver", o->drivers)->allow_extra_args(false);
  cmd->add_option("--case", o->case_globs)->allow_extra_args(false);
  cmd->add_option("--transport", o->transports)
      ->allow_extra_args(false)
      ->check(CLI::IsMember({"polling", "websocket", "upgrade"}));
  cmd->add_option("--time-scale", o->time_scale)->check(kScale);
  cmd->add_option("--jobs", o->jobs)->check(CLI::Range(1, 64));
  add_run_options(*cmd, *o);
  cmd->add_option("PATH", o->paths);
  return {cmd, [o]() {
            if (o->drivers.empty() && !o->dry_run) {
              std::cerr << "sioconf client-check: give a client: --driver CMD (sioconf client-check --help)\n";
              return 2;
            }
            if (o->paths.empty()) o->paths.push_back(SIOCONF_CLIENT_CORPUS);
            if (isatty(STDERR_FILENO)) o->progress = true;
            return sioconf::cli::run_client_check(*o, std::cout);
          }};
}

constexpr const char* kServeHelp = R"(usage: sioconf serve [options]

The reference server (Engine.IO v4 over HTTP long-polling and WebSocket, Socket.IO v5) on
HOST:PORT, with the server contract of the official test suites:
  /engine.io/   Engine.IO: every message is echoed back
  /socket.io/   Socket.IO: "/" emits "auth" with the CONNECT's auth object, answers "message"
                with "message-back" (same arguments, binary too) and "message-with-ack" with an
                ack of its arguments; "/custom" emits "auth"; "/private" admits only the auth
                {"token":"secret"} (else CONNECT_ERROR "not authorized" with data) and emits
                "auth"; other namespaces get CONNECT_ERROR
                "Invalid namespace"; no CONNECT within --connect-timeout closes the session.
                Also: "ask" is asked back as "question" with an ack, whose arguments come back
                as "answer"; "bye" disconnects the client; rooms of "/": "join" and "leave" a
                room (acknowledged), "to-room" [room, ...args] sends "room-message" with the
                args to the room's other members, "to-all" sends "all-message" to all others.
Prints "listening on http://HOST:PORT" (the real port with --port 0) and serves until Ctrl-C
(SIGINT) or SIGTERM, which close every connection.

  --host HOST            IPv4 address to listen on (default 127.0.0.1)
  --port PORT            TCP port (default 3000; 0: any free port)
  --ping-interval MS     Engine.IO pingInterval (default 300, the test suites' value)
  --ping-timeout MS      Engine.IO pingTimeout (default 200)
  --connect-timeout MS   Socket.IO connectTimeout (default 1000)
  --limit KEY=VALUE      any Limits field (sioconf adapter's hello lists them); repeatable.
                         eio_max_payload_bytes is the handshake's maxPayload (default 1000000)
  --log                  one line per session opened and closed, on stderr

example: sioconf serve --port 0 --log
)";

Command add_serve(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("serve", "the reference server, with the test suites' contract");
  fixed_help(*cmd, kServeHelp);
  auto o = std::make_shared<sioconf::cli::ServeOptions>();
  auto limits = std::make_shared<std::vector<std::string>>();
  cmd->add_option("--host", o->host);
  cmd->add_option("--port", o->port);
  cmd->add_option("--ping-interval", o->ping_interval_ms)->check(CLI::Range(1, 3'600'000));
  cmd->add_option("--ping-timeout", o->ping_timeout_ms)->check(CLI::Range(1, 3'600'000));
  cmd->add_option("--connect-timeout", o->connect_timeout_ms)->check(CLI::Range(1, 3'600'000));
  cmd->add_option("--limit", *limits)->allow_extra_args(false);
  cmd->add_flag("--log", o->log);
  return {cmd, [o, limits]() {
            for (const std::string& kv : *limits) {
              const std::size_t eq = kv.find('=');
              std::uint64_t v = 0;
              const char* end = kv.data() + kv.size();
              if (eq == std::string::npos || std::from_chars(kv.data() + eq + 1, end, v).ptr != end ||
                  !sioconf::set_limit(o->limits, kv.substr(0, eq), v)) {
                std::cerr << "sioconf serve: --limit " << kv
                          << ": not KEY=VALUE with a known key and a value it holds\n";
                return 2;
              }
            }
            return sioconf::cli::run_serve(*o, std::cout, std::cerr);
          }};
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  // A peer that closes while we write must be a write error (EPIPE), not the end of the process:
  // the server must outlive a client that hangs up, and the runner a server that does.
  std::signal(SIGPIPE, SIG_IGN);
  if (argc < 2) {
    std::cout << kUsage;
    return 2;
  }
  CLI::App app("sioconf", "sioconf");
  fixed_help(app, kUsage);
  app.set_version_flag("--version", SIOCONF_VERSION);
  app.require_subcommand(1);
  // `sioconf help`, as `sioconf --help`.
  CLI::App* help = app.add_subcommand("help")->group("");
  help->parse_complete_callback([] { throw CLI::CallForHelp(); });
  // The commands; a new one is one more add_<command>().
  const std::vector<Command> commands = {add_decode(app), add_encode(app), add_adapter(app),      add_vectors(app),
                                         add_serve(app),  add_live(app),   add_client_check(app), add_driver(app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);  // --help
    // One line: which command, what is wrong, where to look.
    std::string command = "sioconf";
    for (const CLI::App* sub : app.get_subcommands()) command += " " + sub->get_name();
    std::string what = e.what();
    // CLI11 checks required options before it looks for unknown ones, and lists those backwards:
    // the arguments nothing took come first, in the order given.
    std::vector<std::string> left = app.remaining(true), extras;
    for (int i = 1; i < argc; ++i)
      if (const auto at = std::find(left.begin(), left.end(), argv[i]); at != left.end()) {
        extras.push_back(*at);
        left.erase(at);
      }
    if (!extras.empty()) what = "unknown or misplaced: " + CLI::detail::join(extras, " ");
    const auto named = [&](CLI::App* sub) { return sub->check_name(argv[1]); };
    if (command == "sioconf" && argv[1][0] != '-' && app.get_subcommands(named).empty()) {
      std::string names;  // the commands registered above (`help` has no group: not listed)
      for (const CLI::App* sub : app.get_subcommands([](CLI::App* s) { return !s->get_group().empty(); }))
        names += (names.empty() ? "" : ", ") + sub->get_name();
      what = std::string("unknown command ") + argv[1] + " (" + names + ")";
    }
    std::cerr << command << ": " << what << " (" << command << " --help lists the options)\n";
    return 2;
  }
  for (const Command& command : commands)
    if (command.app->parsed()) return command.run();
  return 2;  // not reached: require_subcommand(1)
}
