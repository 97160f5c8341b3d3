// Oracle: any sequence of operations on one socket's ack table and emitter, on the simulator
// (emit with ack, with a timeout or none; ACKs, repeated and unknown ACKs; time passing;
// disconnect; on, once, off, emit, remove_all, reserved names) settles every ack callback exactly
// once (its ACK, its timeout or the disconnect; never for a refused add), calls a listener only
// while it is registered and a `once` listener at most once, and leaves nothing behind: no pending
// ack, no pending timer, no listener once everything is removed.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "sioconf/ack/ack_table.h"
#include "sioconf/ack/emitter.h"
#include "sioconf/io/sim.h"

namespace {

using namespace sioconf;

struct Listeners {
  struct Info {
    std::string name;
    bool once = false;
    int calls = 0;
  };
  std::map<ack::ListenerId, Info> registered;
  std::map<ack::ListenerId, int> calls_after_removal;

  ack::Listener make(std::shared_ptr<ack::ListenerId> self) {
    return [this, self](const ack::Event&) {
      const auto it = registered.find(*self);
      FUZZ_CHECK(it != registered.end());  // only while registered
      ++it->second.calls;
      if (it->second.once) {
        FUZZ_CHECK(it->second.calls == 1);
        registered.erase(it);  // the emitter removed it before the call
      }
    };
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  io::SeededChoices choices(in.byte());
  io::SimLoop loop(choices);
  Limits limits;
  limits.max_pending_acks = 1 + in.byte() % 16;
  static const char* kNames[] = {"a", "b", "c"};
  auto settled = std::make_shared<std::map<std::uint64_t, int>>();  // id -> callback count
  std::vector<std::uint64_t> issued;
  Listeners listeners;
  {
    ack::AckTable table(loop, limits);
    ack::Emitter emitter;
    for (int step = 0; step < 256 && !in.rest().empty(); ++step) {
      const std::uint8_t op = in.byte(), arg = in.byte();
      switch (op % 11) {
        case 0: {  // emit with ack
          const std::uint64_t next = table.next_id();
          std::uint64_t id = ~std::uint64_t{0};
          const Errc e =
              table.add([settled, next](Errc, std::string_view) { ++(*settled)[next]; }, arg % 4 == 0 ? 0 : arg, id);
          if (e == Errc::none) {
            FUZZ_CHECK(id == next);
            issued.push_back(id);
            settled->emplace(id, 0);
          } else {
            FUZZ_CHECK(e == Errc::limit_pending_acks || e == Errc::ack_disconnected);
          }
          break;
        }
        case 1:  // an ACK for an issued id (perhaps again)
          if (!issued.empty()) (void)table.settle(issued[arg % issued.size()], "[1]");
          break;
        case 2:  // an ACK for an id never issued
          (void)table.settle(table.next_id() + arg, "[]");
          break;
        case 3: loop.run_until(loop.now() + static_cast<std::uint64_t>(arg) * 10); break;
        case 4:
          if (arg % 8 == 0) table.disconnect();
          break;
        case 5:
        case 6: {
          const bool once = op % 11 == 6;
          auto self = std::make_shared<ack::ListenerId>(0);
          const char* name = kNames[arg % 3];
          *self = once ? emitter.once(name, listeners.make(self)) : emitter.on(name, listeners.make(self));
          listeners.registered[*self] = {name, once, 0};
          break;
        }
        case 7:
          if (!listeners.registered.empty()) {
            auto it = listeners.registered.begin();
            std::advance(it, arg % listeners.registered.size());
            FUZZ_CHECK(emitter.off(it->first));
            listeners.registered.erase(it);
          }
          break;
        case 8: FUZZ_CHECK(emitter.emit(kNames[arg % 3], "[]") == Errc::none); break;
        case 9: {
          const char* name = kNames[arg % 3];
          emitter.remove_all(name);
          for (auto it = listeners.registered.begin(); it != listeners.registered.end();)
            it = it->second.name == name ? listeners.registered.erase(it) : std::next(it);
          break;
        }
        default:
          FUZZ_CHECK(emitter.emit("disconnect", "[]") == Errc::emit_reserved_event);  // reserved
          break;
      }
      FUZZ_CHECK(emitter.listener_count_total() == listeners.registered.size());
      for (const auto& [id, count] : *settled) FUZZ_CHECK(count <= 1);
    }
    table.disconnect();
    loop.run();
    FUZZ_CHECK(table.size() == 0);
    FUZZ_CHECK(loop.pending_timers() == 0);
    for (const auto& [id, count] : *settled) FUZZ_CHECK(count == 1);  // exactly once, every one
    emitter.remove_all();
    FUZZ_CHECK(emitter.listener_count_total() == 0);
  }
  return 0;
}
