// Determinism, the simulator's self-check: the same generated session and choice list, run twice,
// give the same SimLoop::trace_hash() (exact replays depend on it; it runs in every CI build).
// Twin (planted/README.md): sim_unseeded (sim.cc).
#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "ack_session_client.h"
#include "prop.h"
#include "sioconf/ack/emitter.h"
#include "sioconf/io/sim.h"
#include "sioconf/session/server_socket.h"

namespace sioconf::prop {
namespace {

// =============================================================================================
// 4. Determinism: the same choices give the same run.
// =============================================================================================

// One step of a small scripted session: what the client or the server does, then how much
// virtual time passes.
struct ScriptStep {
  int kind = 0;  // see kStepKinds
  int value = 0;
  int gap_ms = 0;
};

const char* const kStepKinds[] = {"client CONNECT",       "client EVENT", "client ACK",
                                  "server emit with ack", "client ping",  "client DISCONNECT"};
constexpr int kStepKindCount = 6;

void showValue(const ScriptStep& s, std::ostream& os) {
  os << '{' << kStepKinds[s.kind] << ' ' << s.value << ", +" << s.gap_ms << " ms}";
}

rc::Gen<std::vector<ScriptStep>> script() {
  return rc::gen::container<std::vector<ScriptStep>>(
      rc::gen::build<ScriptStep>(rc::gen::set(&ScriptStep::kind, rc::gen::inRange(0, kStepKindCount)),
                                 rc::gen::set(&ScriptStep::value, rc::gen::inRange(0, 4)),
                                 rc::gen::set(&ScriptStep::gap_ms, rc::gen::inRange(0, 8))));
}

// Runs the script on a fresh simulator with stalls, small chunks and a small pipe (so that the
// choices decide a lot), ends the session, and returns the simulator's trace hash.
std::uint64_t session_trace_hash(const std::vector<ScriptStep>& steps, const std::vector<std::size_t>& choice_values) {
  io::ListChoices choices(choice_values);
  io::SimOptions options;
  options.max_chunk = 8;
  options.pipe_capacity = 64;
  io::SimLoop loop(choices, options);
  {
    auto [client_transport, server_transport] = loop.pipe();
    Client client(loop, std::move(client_transport));
    session::ServerSocket socket(loop, std::move(server_transport));
    socket.of("/").on("job", [](const ack::Event& e) {
      if (e.reply != nullptr) (*e.reply)(e.args_json);
    });
    socket.of("/admin");
    socket.start();
    client.read_all();
    for (const ScriptStep& s : steps) {
      const std::string ns = s.value % 2 == 0 ? "" : "/admin,";
      switch (s.kind) {
        case 0: client.send("40" + ns); break;
        case 1: client.send("42" + ns + std::to_string(s.value) + R"(["job",1])"); break;
        case 2: client.send("43" + ns + std::to_string(s.value / 2) + "[]"); break;
        case 3:
          (void)socket.emit(
              s.value % 2 == 0 ? "/" : "/admin", "srv", "[]", [](Errc, std::string_view) {},
              static_cast<std::uint64_t>(s.value) * 3);
          break;
        case 4: client.send("2"); break;
        default: client.send("41" + ns); break;
      }
      loop.run_until(loop.now() + static_cast<std::uint64_t>(s.gap_ms));
    }
    socket.disconnect();
    loop.run();
    client.stream.close();
    loop.run();
  }
  loop.run();
  return loop.trace_hash();
}

void check_determinism() {
  const auto steps = *rc::gen::scale(0.25, script());  // a few steps are enough to disagree
  const auto choices = *choice_list();
  prop::Case c(steps.size());
  RC_ASSERT(session_trace_hash(steps, choices) == session_trace_hash(steps, choices));
}

RC_GTEST_PROP(Determinism, SameChoicesSameTraceHash, ()) { check_determinism(); }

// ---- the planted twins (planted/README.md) ----------------------------------------------------

// Shrunk sizes below: 240 seeds each (RC_PARAMS="max_success=1000 seed=N", N = 1..40 and 100..299),
// dev build.

// The simulator's decisions also depend on how many simulators chose before, so two runs with the
// same choices differ as soon as one decision has two options; even the empty script has some
// (size 0 in 240/240; 1 leaves room for a session whose empty run decides nothing).
PLANTED_TWIN(sim_unseeded) {
  prop::expect_counterexample([] { check_determinism(); }, 1);
}

}  // namespace
}  // namespace sioconf::prop
