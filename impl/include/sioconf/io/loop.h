// sioconf/io/loop.h — the event loop seam: tasks, timers and a monotonic clock.
//
//   io::Loop& loop = ...;                          // io::UvLoop (uv.h) or io::SimLoop (sim.h)
//   loop.post([&] { ... });                        // runs later, from the loop, never inside post()
//   io::TimerId t = loop.start_timer(250, [&] { ... });   // once, 250 ms from loop.now()
//   loop.cancel_timer(t);                          // true if it had not run yet
//
// Everything above the seam (stream.h, dispatcher.h, the ack layer, sessions) runs on one thread,
// the loop's, and only ever sees this interface and transport.h. The two backends differ in what
// decides the order: the kernel and libuv (UvLoop), or a seeded scheduler (SimLoop), which also
// makes time virtual so that a 30-second timeout costs nothing.
//
// Ordering guarantees that hold on both backends:
//   - tasks posted from one place run in the order they were posted;
//   - a timer never runs before now() has reached its deadline; timers with the same deadline run
//     in the order they were started;
//   - nothing runs re-entrantly: post() and start_timer() only queue.
// What is NOT guaranteed (and what the simulator varies): the order between tasks of different
// sources, e.g. a read completing on one connection versus a timer or another connection.
#pragma once

#include <cstdint>
#include <functional>

namespace sioconf::io {

/// A unit of work for the loop. Copyable (std::function); keep captures small.
using Task = std::function<void()>;

/// Names a started timer; 0 is never a valid id.
using TimerId = std::uint64_t;

class Loop {
 public:
  virtual ~Loop() = default;

  /// Milliseconds on a monotonic clock (libuv: uv_now, cached per loop iteration; simulator:
  /// virtual, advanced only when nothing is ready to run).
  virtual std::uint64_t now() const noexcept = 0;

  /// Queues `task` to run from the loop after the current callback returns.
  virtual void post(Task task) = 0;

  /// Runs `task` once, `delay_ms` after now() (0: as soon as the loop next checks timers). Returns
  /// its id, or 0 when no timer could be started (the backend's Errc::io_timer_failed: the
  /// simulator's fault schedule can make it so), in which case `task` never runs.
  virtual TimerId start_timer(std::uint64_t delay_ms, Task task) = 0;

  /// Stops a timer that has not run: its task is dropped and never runs. False for an id that
  /// already ran, was cancelled, or never existed.
  virtual bool cancel_timer(TimerId id) noexcept = 0;

  /// Timers started and not yet run or cancelled: a leak check (must be 0 once a test is done).
  virtual std::size_t pending_timers() const noexcept = 0;
};

}  // namespace sioconf::io
