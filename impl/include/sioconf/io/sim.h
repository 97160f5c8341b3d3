// sioconf/io/sim.h — the deterministic simulator behind the io seam: virtual time, in-memory
// connections, and a scheduler whose every decision comes from one source of choices.
//
//   io::SeededChoices choices(42);                 // or io::ListChoices{...} from a property test
//   io::SimLoop loop(choices);
//   auto [client, server] = loop.pipe();           // two connected transports
//   ... wire streams onto them ...
//   loop.run();                                    // until nothing is ready and no timer pends
//   loop.trace_hash();                             // same choices => same hash (determinism check)
//
// What the scheduler decides, each by one call to Choices::choose():
//   - which ready lane runs next: every connection end and the loop's own post() queue is a lane;
//     tasks within a lane keep their order, lanes interleave as the choices say;
//   - how many of the bytes in flight a read delivers (1 .. min(in flight, max_chunk)): chunking;
//   - how many queued bytes a write moves into the pipe at a time (short writes), within the
//     pipe's capacity; a write completes when its last byte is in the pipe;
//   - whether a delivery stalls (waits stall_ms of virtual time first).
// Time only moves when no task is ready: the clock jumps to the earliest timer deadline.
//
// Faults: SimOptions::fail_op = N makes the N-th counted operation fail with its named error,
// for fail-the-Nth-operation loops (1-based; operations counted in order: each read delivery,
// write, accept, connect and timer start). A failed read delivers on_error(io_reset); a failed
// write completes with io_write_failed and resets the connection (the peer reads io_reset); a failed
// accept calls the AcceptHandler with io_accept_failed; a failed connect, io_connect_failed; a failed
// timer start returns 0. reset(end) and the peer's close() are the other ways a connection ends.
//
// Closing: the peer reads what is in flight, then EOF (a FIN). What the peer writes after that,
// or was still writing into the full pipe, is lost and its writes complete: the simulator does
// not answer bytes that reach a closed end with a reset, as a TCP stack would.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sioconf/io/loop.h"
#include "sioconf/io/transport.h"

namespace sioconf::io {

/// Where the simulator's decisions come from.
class Choices {
 public:
  virtual ~Choices() = default;
  /// A number in [0, n), n >= 1.
  virtual std::size_t choose(std::size_t n) = 0;
};

/// Choices from a seed (splitmix64): the same seed gives the same run on every platform.
class SeededChoices final : public Choices {
 public:
  explicit SeededChoices(std::uint64_t seed) noexcept : state_(seed) {}
  std::size_t choose(std::size_t n) override;

 private:
  std::uint64_t state_;
};

/// Choices from a list (what a property test generates and shrinks): value % n, then 0 once the
/// list is used up, so that shrinking the list towards zeros shrinks the schedule.
class ListChoices final : public Choices {
 public:
  explicit ListChoices(std::vector<std::size_t> list) noexcept : list_(std::move(list)) {}
  std::size_t choose(std::size_t n) override;
  std::size_t used() const noexcept { return at_; }

 private:
  std::vector<std::size_t> list_;
  std::size_t at_ = 0;
};

struct SimOptions {
  std::size_t max_chunk = 65'536;      // the most bytes one read delivers
  std::size_t pipe_capacity = 65'536;  // bytes in flight per direction (the socket buffers)
  std::uint64_t stall_ms = 5;          // how long a stalled delivery waits
  unsigned stall_percent = 10;         // chance that a delivery stalls (decided by choices)
  std::uint64_t fail_op = 0;           // the counted operation that fails (1-based), 0 = none
  bool record_trace = false;           // keep every step as text in trace(), not only the hash
};

struct SimState;  // private: lanes, timers, pipes

class SimLoop final : public Loop {
 public:
  explicit SimLoop(Choices& choices, SimOptions options = {});
  /// Transports made by this loop must be destroyed before it.
  ~SimLoop() override;
  SimLoop(const SimLoop&) = delete;
  SimLoop& operator=(const SimLoop&) = delete;

  std::uint64_t now() const noexcept override;
  void post(Task task) override;
  TimerId start_timer(std::uint64_t delay_ms, Task task) override;
  bool cancel_timer(TimerId id) noexcept override;
  std::size_t pending_timers() const noexcept override;

  /// One step: runs one ready task (the choices pick the lane), or, when none is ready, moves the
  /// clock to the earliest timer and makes it ready. False when there is nothing left at all.
  bool step();
  /// Steps until idle or `max_steps` steps ran; returns the steps run.
  std::uint64_t run(std::uint64_t max_steps = ~std::uint64_t{0});
  /// Runs what is ready and every timer due at or before `time`, then sets the clock to `time`
  /// (if it is later): "let this much time pass".
  void run_until(std::uint64_t time);

  /// Two connected transports (no listener involved).
  std::pair<TransportPtr, TransportPtr> pipe();
  /// A listener on a simulated port (0: the next free one). Null and io_listen_failed if taken.
  ListenerPtr listen(std::uint16_t port, AcceptHandler on_accept, Errc& error);
  /// Connects to a simulated port; `done` runs once from the loop (io_connect_failed if nobody
  /// listens there).
  void connect(std::uint16_t port, ConnectHandler done);
  /// Breaks the connection of `end` (a transport from this loop): both sides read io_reset.
  void reset(Transport& end);

  /// Counted operations so far (see fail_op) and steps run.
  std::uint64_t operations() const noexcept;
  std::uint64_t steps() const noexcept;
  /// A hash of every decision and step: equal for equal choices.
  std::uint64_t trace_hash() const noexcept;
  /// The steps as text when SimOptions::record_trace is set (for failure reports), else empty.
  const std::vector<std::string>& trace() const noexcept;
  /// Connection ends created and not yet closed, and bytes queued or in flight anywhere: leak checks.
  std::size_t open_transports() const noexcept;
  std::size_t bytes_in_transit() const noexcept;

 private:
  std::unique_ptr<SimState> state_;
};

}  // namespace sioconf::io
