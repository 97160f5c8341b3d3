// Runs one client scenario (corpus/live-client/README.md): a scripted server on a free loopback
// port, the client under test started through its driver (DRIVER.md), and the scenario's steps
// in order, each waiting for what it expects or its deadline. The first step that fails ends the
// case with what it expected and what came.
#pragma once

#include <functional>
#include <string>

#include "scenario.h"
#include "sioconf/io/uv.h"

namespace sioconf::client {

struct CaseOptions {
  std::string driver;  // the driver's command line
  live::TransportKind transport = live::TransportKind::websocket;
  double time_scale = 1;  // multiplies every duration in milliseconds (not pi and pt)
};

struct CaseOutcome {
  enum class Kind { pass, fail, crash, unsupported, error };
  Kind kind = Kind::pass;
  std::string why;            // "step 3 (report): expected ..., received ..."; empty on a pass
  live::json wire;            // the wire log, driver lines included
  std::string driver_stderr;  // what the driver wrote on stderr
  live::json hello;           // the driver's hello report (null when it gave none)
};

/// Starts the case on `loop`; `done` runs once, from the loop, when the case is over and its
/// server and driver are gone. ERROR is for what the case could not do through no fault of the
/// client: a malformed step, a driver that does not start or breaks DRIVER.md.
void run_client_case(io::UvLoop& loop, const live::Scenario& scenario, const CaseOptions& options,
                     std::function<void(CaseOutcome)> done);

}  // namespace sioconf::client
