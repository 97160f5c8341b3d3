// Internals of the `sioconf` command shared by main.cc and the tests. Includes nlohmann/json:
// include this only from the CLI's own translation units.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "layers.h"
#include "serve.h"

namespace sioconf::cli {

using json = nlohmann::json;

/// {"text": s} | {"base64": b} | {"hex": "81 05 ..."} -> Element (throws BadRequest).
Element element_from_json(const json& value);
/// A corpus element: an adapter-protocol element or, for an input too long to write out,
/// {"concat": [parts]}, each part an element with an optional "times": N, all text or all bytes,
/// at most 16 MiB once expanded (throws BadRequest).
Element corpus_element(const json& value);
/// The .json files under `paths` (files, or folders searched recursively), sorted; a path that is
/// neither goes to `errors`.
std::vector<std::string> corpus_files(const std::vector<std::string>& paths, std::vector<std::string>& errors);
/// Does `id` match one of the shell globs (all do when there are none)?
bool selected_by(const std::string& id, const std::vector<std::string>& globs);
/// Element -> {"text": s} or {"base64": b}.
json element_to_json(const Element& element);

/// Applies {"key": value, ...} over the defaults (throws BadRequest on an unknown key or a bad
/// value).
Limits limits_from_json(const json& overrides);

/// One adapter-protocol request -> its answer (conformance/PROTOCOL.md). Never throws; a request
/// it cannot read is answered {"ok":false,"error":"bad_request",...}. `bye` is answered null.
json handle_request(const json& request);

/// The adapter loop: one JSON request per input line, one answer per output line, until `bye`
/// or end of input. Returns the process exit code.
int run_adapter(std::istream& in, std::ostream& out);

/// `sioconf decode`: how stdin is cut into elements.
///   raw    all of it is one element (the byte stream, one body or one message)
///   lines  each line (without its '\n') is one text element
///   jsonl  each non-empty line is an element {"text"|"base64"|"hex": <string>}
enum class InputMode { raw, lines, jsonl };

/// Reads at most `size` bytes of the input into `buffer`: how many, 0 at its end (throws
/// std::runtime_error when it cannot read).
using ReadFn = std::function<std::size_t(char* buffer, std::size_t size)>;

/// Decodes the input with `layer` as it arrives (`read` asks for 64 KiB at a time) and prints
/// each item on `out` as one JSON line, flushed after each read; memory stays within `limits`
/// plus a fixed buffer whatever the input's size. Returns the exit status: 0; 1 after printing
/// the error line {"error","condition","offset"[,"close_code"]} or a bad_request line (a jsonl
/// element that is not one), or when the input cannot be read (said on `err`); 2 when a jsonl
/// line is not JSON (said on `err`).
int decode_stream(const Layer& layer, InputMode mode, const Limits& limits, const json& options, const ReadFn& read,
                  std::ostream& out, std::ostream& err);

/// What `sioconf vectors` and `sioconf live` share: the corpus, the selection and the reports.
struct RunOptions {
  std::vector<std::string> paths;       // files or folders of the corpus
  std::vector<std::string> case_globs;  // only ids matching one of these (fnmatch); none: all
  bool strict = false;                  // vectors: compare error names (and offsets when reported)
  bool dry_run = false;                 // list the selected cases, run nothing
  bool verbose = false;                 // print every result, not only failures
  bool progress = false;                // a progress line on stderr
  std::string baseline;                 // known failures (conformance/baselines/*.json)
  std::string write_baseline;           // write this run's failures as a baseline
  std::string json_report, junit_report, html_report;
};

/// `sioconf vectors`: options and the runner (vectors.cc).
struct VectorOptions : RunOptions {
  std::vector<std::string> adapters;  // adapter commands; none: the reference in process
  int timeout_ms = 5000;              // per request
};
int run_vectors(const VectorOptions& options, std::ostream& out);

/// `sioconf live`: scenarios (corpus/live) against running servers (live.cc).
struct LiveOptions : RunOptions {
  std::vector<std::string> urls;        // servers already running: http://127.0.0.1:PORT[/path/]
  std::vector<std::string> servers;     // NAME=CMD: started by the runner with PORT set to a free port
  std::vector<std::string> transports;  // only these (polling, websocket, upgrade); none: all
  std::vector<std::string> shapings;    // only these (whole, bytes, cuts); none: all
  double time_scale = 1;                // multiplies the scenarios' millisecond durations
  int jobs = 8;                         // scenarios in flight at once (hostile ones run alone)
  std::string restart;                  // a command that restarts a server that stopped answering
};
int run_live(const LiveOptions& options, std::ostream& out);

/// `sioconf client-check`: client scenarios (corpus/live-client) against clients through their
/// drivers (conformance/DRIVER.md; client_check.cc).
struct ClientCheckOptions : RunOptions {
  std::vector<std::string> drivers;     // [NAME=]COMMAND
  std::vector<std::string> transports;  // only these (polling, websocket, upgrade); none: all
  double time_scale = 1;                // multiplies the scenarios' millisecond durations
  int jobs = 4;                         // cases in flight at once (each has its own server and driver)
};
int run_client_check(const ClientCheckOptions& options, std::ostream& out);

/// `sioconf driver`: the reference client (impl/include/sioconf/client/socket.h) behind the client
/// driver protocol (conformance/DRIVER.md) on stdin/stdout (client_driver.cc). Returns the exit
/// status: 0 after `bye` or the end of stdin, 1 when stdin is not a pipe or a socket.
int run_client_driver();

}  // namespace sioconf::cli
