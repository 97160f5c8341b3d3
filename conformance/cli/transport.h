// How the runner reaches an implementation under test: one adapter-protocol request out, one
// answer back (conformance/PROTOCOL.md). Two transports: the reference in this process (fast, for
// the default run and the tests), and an adapter as a child process over stdio, in any language.
//
// A child adapter may misbehave in every way; each way is an Exchange failure, never an exception
// or a hang of the runner: it is killed by a signal (killed: a segfault, an abort, Node's
// out-of-memory abort), exits or closes stdout (crashed), does not answer in time
// (timeout), writes a line that is not a JSON object (garbage), answers another id (wrong_id), or
// writes more than max_line_bytes without a newline (flood). After any failure the process is
// killed (its whole process group) and the next request starts a fresh one.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "cli.h"

namespace sioconf::cli {

struct Exchange {
  enum class Failure { none, killed, crashed, timeout, garbage, wrong_id, flood, not_started };
  Failure failure = Failure::none;
  json answer;              // the answer object when failure == none
  std::string detail;       // what went wrong, for the report
  std::string stderr_text;  // what the adapter wrote on stderr during this request (capped)
};

const char* failure_name(Exchange::Failure failure);

class Transport {
 public:
  virtual ~Transport() = default;
  /// The hello answer ({"ok":true,"name":...}); a failure when the adapter could not start.
  virtual Exchange hello() = 0;
  /// One request (with a string "id"); the answer must carry the same id.
  virtual Exchange request(const json& request) = 0;
  /// Sends bye and lets the adapter exit (killed if it does not within a second).
  virtual void stop() {}
  virtual std::string command() const = 0;
  virtual int restarts() const { return 0; }
  /// The last few KiB the adapter wrote on stderr over the whole run.
  virtual std::string stderr_tail() const { return {}; }
};

/// The reference implementation, answering through handle_request() like `sioconf adapter`.
std::unique_ptr<Transport> in_process_reference();

struct ChildOptions {
  std::chrono::milliseconds timeout{5000};  // per request (hello included)
  std::size_t max_line_bytes = 64u << 20;   // an answer line longer than this is a flood
  int max_failed_starts = 3;                // in a row; then every request fails at once
};

/// An adapter started as `/bin/sh -c COMMAND` in its own process group.
std::unique_ptr<Transport> child_adapter(std::string command, ChildOptions options = {});

}  // namespace sioconf::cli
