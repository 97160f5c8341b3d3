// sioconf — the command line of the Socket.IO conformance harness.
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "cli.h"

namespace {

using sioconf::cli::json;

constexpr const char* kUsage = R"(sioconf — conformance harness for the Socket.IO stack

usage: sioconf <command> [options]

commands:
  decode    decode stdin with one layer of the reference implementation, print items as JSON lines
  encode    encode items (JSON lines on stdin) with one layer, print the wire elements
  adapter   speak the adapter protocol on stdin/stdout (conformance/PROTOCOL.md)
  vectors   run the reference implementation over spec vector files (corpus/spec)

layers: sio, eio, eio-payload, ws, ndjson
Run `sioconf <command> --help` for its options.
)";

constexpr const char* kDecodeHelp = R"(usage: sioconf decode --layer L [--input raw|lines|jsonl] [--role server|client] [--limit key=value]...

Reads stdin, decodes it with layer L and prints one JSON item per line (adapter-protocol shapes).
On a decode error, prints a last line {"error":...,"condition":...,"offset":...} and exits 1.

  --layer L      sio | eio | eio-payload | ws | ndjson
  --input MODE   raw    all of stdin is one element: the byte stream (ws, ndjson), one polling
                        body (eio-payload) or one message (sio, eio). Default for ws, ndjson, eio-payload.
                 lines  each line of stdin is one text message. Default for sio and eio.
                 jsonl  each line is an element {"text":..} | {"base64":..} | {"hex":..}
  --role R       ws only: the decoding endpoint's role (server: frames must be masked). Default server.
  --limit k=v    override a limit of impl/include/sioconf/limits.h, e.g. --limit max_attachments=20

example: printf '2["hello",1]\n' | sioconf decode --layer sio
)";

constexpr const char* kEncodeHelp = R"(usage: sioconf encode --layer L [--output jsonl|text|raw] [--role server|client] [--limit key=value]...

Reads one adapter-protocol item per stdin line, encodes them with layer L and prints the wire.
On an encoder refusal, prints {"error":...,"condition":...} on stderr and exits 1.

  --output MODE  jsonl  one element per line: {"text":..} or {"base64":..}. Default, except ws.
                 text   text elements as raw lines (fails on a binary element)
                 raw    the bytes of all elements, concatenated. Default for ws.
  --role R       ws only: the encoding endpoint's role (client frames are masked). Default server.
  --limit k=v    as for decode

example: echo '{"type":2,"nsp":"/chat","id":7,"data":["hi"]}' | sioconf encode --layer sio --output text
)";

constexpr const char* kAdapterHelp = R"(usage: sioconf adapter

Speaks the adapter protocol v1 (conformance/PROTOCOL.md) for the layers sio, eio, eio-payload, ws
and ndjson: one JSON request per stdin line, one JSON answer per stdout line, until {"op":"bye"}.

example: echo '{"op":"hello","protocol":1}' | sioconf adapter
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
                      A crash, hang, garbage line, wrong id or flood is ERROR for that case; the
                      adapter is restarted and the run goes on.
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

struct Args {
  std::vector<std::string> rest;
  std::string layer, input, output, role;
  json limits = json::object();
  bool help = false;
  sioconf::cli::VectorOptions vectors;
};

bool parse_args(int argc, char** argv, Args& a, std::string& err) {
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](std::string& into) {
      if (i + 1 >= argc) {
        err = arg + " needs a value";
        return false;
      }
      into = argv[++i];
      return true;
    };
    if (arg == "--help" || arg == "-h") {
      a.help = true;
    } else if (arg == "--layer") {
      if (!value(a.layer)) return false;
    } else if (arg == "--input") {
      if (!value(a.input)) return false;
    } else if (arg == "--output") {
      if (!value(a.output)) return false;
    } else if (arg == "--role") {
      if (!value(a.role)) return false;
    } else if (arg == "--adapter" || arg == "--case") {
      std::string v;
      if (!value(v)) return false;
      (arg == "--adapter" ? a.vectors.adapters : a.vectors.case_globs).push_back(v);
    } else if (arg == "--json") {
      if (!value(a.vectors.json_report)) return false;
    } else if (arg == "--junit") {
      if (!value(a.vectors.junit_report)) return false;
    } else if (arg == "--html") {
      if (!value(a.vectors.html_report)) return false;
    } else if (arg == "--baseline") {
      if (!value(a.vectors.baseline)) return false;
    } else if (arg == "--write-baseline") {
      if (!value(a.vectors.write_baseline)) return false;
    } else if (arg == "--timeout") {
      std::string v;
      if (!value(v)) return false;
      char* end = nullptr;
      const double seconds = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end != '\0' || !(seconds > 0) || seconds > 3600) {
        err = "--timeout wants seconds (0 < s <= 3600)";
        return false;
      }
      a.vectors.timeout_ms = static_cast<int>(seconds * 1000 + 0.5);
    } else if (arg == "--strict") {
      a.vectors.strict = true;
    } else if (arg == "--dry-run") {
      a.vectors.dry_run = true;
    } else if (arg == "--progress") {
      a.vectors.progress = true;
    } else if (arg == "--verbose" || arg == "-v") {
      a.vectors.verbose = true;
    } else if (arg == "--limit") {
      std::string kv;
      if (!value(kv)) return false;
      const auto eq = kv.find('=');
      if (eq == std::string::npos) {
        err = "--limit wants key=value";
        return false;
      }
      try {
        a.limits[kv.substr(0, eq)] = std::stoull(kv.substr(eq + 1));
      } catch (...) {
        err = "--limit " + kv + ": the value is not a number";
        return false;
      }
    } else if (arg.rfind("--", 0) == 0) {
      err = "unknown option " + arg;
      return false;
    } else {
      a.rest.push_back(arg);
    }
  }
  return true;
}

std::string read_all(std::istream& in) {
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

int usage_error(const std::string& what, const char* help) {
  std::cerr << "sioconf: " << what << "\n\n" << help;
  return 2;
}

json options_of(const Args& a) {
  json options = json::object();
  if (!a.role.empty()) options["role"] = a.role;
  return options;
}

int cmd_decode(const Args& a) {
  const auto* layer = sioconf::cli::find_layer(a.layer);
  if (!layer) return usage_error("--layer must be one of sio, eio, eio-payload, ws, ndjson", kDecodeHelp);
  const bool message_layer = a.layer == "sio" || a.layer == "eio";
  const std::string mode = !a.input.empty() ? a.input : (message_layer ? "lines" : "raw");
  json input = json::array();
  if (mode == "raw") {
    input.push_back(sioconf::cli::element_to_json({message_layer, read_all(std::cin)}));
  } else if (mode == "lines" || mode == "jsonl") {
    std::string line;
    while (std::getline(std::cin, line)) {
      if (mode == "lines") {
        input.push_back({{"text", line}});
      } else if (!line.empty()) {
        json e = json::parse(line, nullptr, false);
        if (e.is_discarded()) return usage_error("--input jsonl: a line is not JSON", kDecodeHelp);
        input.push_back(e);
      }
    }
  } else {
    return usage_error("--input must be raw, lines or jsonl", kDecodeHelp);
  }
  const json answer = sioconf::cli::handle_request(
      {{"op", "decode"}, {"id", "cli"}, {"layer", a.layer}, {"input", input}, {"limits", a.limits},
       {"options", options_of(a)}});
  for (const json& item : answer.value("items", json::array()))
    std::cout << item.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
  if (answer.value("ok", false)) return 0;
  json err = answer;
  err.erase("items");
  err.erase("id");
  err.erase("ok");
  std::cout << err.dump() << "\n";
  return 1;
}

int cmd_encode(const Args& a) {
  const auto* layer = sioconf::cli::find_layer(a.layer);
  if (!layer) return usage_error("--layer must be one of sio, eio, eio-payload, ws, ndjson", kEncodeHelp);
  const std::string mode = !a.output.empty() ? a.output : (a.layer == "ws" ? "raw" : "jsonl");
  if (mode != "jsonl" && mode != "text" && mode != "raw")
    return usage_error("--output must be jsonl, text or raw", kEncodeHelp);
  json items = json::array();
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    json item = json::parse(line, nullptr, false);
    if (item.is_discarded()) return usage_error("an input line is not JSON", kEncodeHelp);
    items.push_back(item);
  }
  const json answer = sioconf::cli::handle_request(
      {{"op", "encode"}, {"id", "cli"}, {"layer", a.layer}, {"items", items}, {"limits", a.limits},
       {"options", options_of(a)}});
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
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "help")) {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  const std::string command = argv[1];
  Args a;
  std::string err;
  const char* help = command == "decode"    ? kDecodeHelp
                     : command == "encode"  ? kEncodeHelp
                     : command == "adapter" ? kAdapterHelp
                     : command == "vectors" ? kVectorsHelp
                                            : nullptr;
  if (!help) return usage_error("unknown command " + command, kUsage);
  if (!parse_args(argc, argv, a, err)) return usage_error(err, help);
  if (a.help) {
    std::cout << help;
    return 0;
  }
  if (command == "decode") return cmd_decode(a);
  if (command == "encode") return cmd_encode(a);
  if (command == "adapter") return sioconf::cli::run_adapter(std::cin, std::cout);
  sioconf::cli::VectorOptions options = a.vectors;
  options.paths = a.rest;
  if (isatty(STDERR_FILENO)) options.progress = true;
  if (options.paths.empty()) return usage_error("vectors needs at least one PATH", kVectorsHelp);
  return sioconf::cli::run_vectors(options, std::cout);
}
