// Runs one live scenario (corpus/live/README.md) against a server, on the io seam: on libuv for
// `sioconf live`, on the simulator in tests. Steps run in order; a step that waits (for a
// response, packets, the end of a session, time) waits for an arrival or its deadline, whichever
// comes first, and the first step that fails ends the run with what it expected and what came.
#pragma once

#include <functional>
#include <string>

#include "scenario.h"
#include "wire.h"

namespace sioconf::live {

/// The server under test.
struct Target {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string path = "/socket.io/";
};

/// Which run of a scenario: on which transport, with which shaping of the client's writes.
struct Variant {
  TransportKind transport = TransportKind::websocket;
  Shaping shaping = Shaping::whole;
  double time_scale = 1;  // multiplies every duration in milliseconds (not pi and pt)
  std::uint64_t seed = 1;
};

struct Outcome {
  enum class Kind { pass, fail, error };
  Kind kind = Kind::pass;
  std::string why;              // "step 3 (expect): expected ..., received ..."; empty on a pass
  json wire;                    // the wire log (WireLog::to_json)
  double ping_interval_ms = 0;  // what the server announced, when a session opened
};

/// Starts `scenario` on `loop`; `done` runs once, from the loop, when it passed or a step failed
/// and every connection of the run was let go. ERROR is for what the run could not do through no
/// fault of the server: a malformed step, an unknown ${variable}, no connection at all.
void run_scenario(io::Loop& loop, const Connector& connector, const Target& target, const Scenario& scenario,
                  const Variant& variant, std::function<void(Outcome)> done);

}  // namespace sioconf::live
