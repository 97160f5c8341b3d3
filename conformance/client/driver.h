// A client driver (conformance/DRIVER.md) as `sioconf client-check` runs it: a child process,
// `/bin/sh -c COMMAND` in its own process group, one per case, with commands written to its
// stdin and reports read from its stdout as JSON lines, on the case's event loop. Every command
// and report goes to the case's wire log (on "driver": "<" into the client, ">" out of it).
//
// What the driver may do wrong is told apart: exiting or closing stdout before `bye` is a crash
// of the client (crashed(): a finding), a line that is not a JSON object with a known "report"
// or a line over kMaxLine is a broken driver (broken(): an ERROR, not a finding).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "scenario.h"
#include "sioconf/io/uv.h"
#include "wire.h"

namespace sioconf::client {

using live::json;

class Driver {
 public:
  static constexpr std::size_t kMaxLine = std::size_t{16} << 20;
  static constexpr std::size_t kMaxStderr = 16 * 1024;  // the last bytes kept

  Driver(io::UvLoop& loop, live::WireLog& log, std::string command);
  ~Driver();
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  /// Starts the process and sends hello. False when it could not start (broken() says why).
  bool start();
  /// Writes one command line.
  void send(const json& command);
  /// Reports not yet taken, in arrival order (the hello answer included).
  std::deque<json>& reports() noexcept;
  /// Runs when a report came, the process ended or the driver broke: from the loop.
  void on_change(std::function<void()> callback);

  /// The process ended before stop(): how ("exit status 1", "killed by SIGSEGV"), else "".
  const std::string& crashed() const noexcept;
  /// The driver broke the protocol ("" while it did not).
  const std::string& broken() const noexcept;
  /// What it wrote on stderr (the last kMaxStderr bytes).
  const std::string& stderr_text() const noexcept;

  /// Sends bye; a driver still running a second later is killed (its process group). `done`
  /// runs once, from the loop, when the process is gone.
  void stop(std::function<void()> done);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace sioconf::client
