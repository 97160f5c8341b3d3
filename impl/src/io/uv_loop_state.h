// impl/src/io/uv_loop_state.h — private to the libuv backend: what one UvLoop owns, shared by
// uv_loop.cc (tasks, timers, the loop's life), uv_stream.cc (listeners, connections, pipes) and
// uv_process.cc (child processes).
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "sioconf/io/loop.h"
#include "sioconf/io/transport.h"

namespace sioconf::detail {

class UvResource;

/// One started timer; freed by its close callback, after it ran or was cancelled.
struct UvTimer {
  uv_timer_t handle{};
  io::TimerId id = 0;
  io::Task task;
};

}  // namespace sioconf::detail

namespace sioconf::io {

struct UvLoopState {
  uv_loop_t loop{};
  uv_idle_t task_pump{};                                 // active only while `tasks` is non-empty
  std::vector<Task> tasks;                               // posted, not yet run
  std::vector<Task> draining;                            // the batch the pump runs now
  std::unordered_map<TimerId, detail::UvTimer*> timers;  // pending only
  TimerId last_timer_id = 0;
  std::unordered_map<std::uint64_t, detail::UvResource*> resources;
  std::uint64_t last_resource_id = 0;
  bool ending = false;  // the destructor runs: no owner callback runs any more
  // The one buffer every connection of this loop reads into. A read's bytes are handed on
  // synchronously in libuv's read callback (io::Stream copies what it must keep), and the loop
  // runs one callback at a time, so connections can share it: an idle connection then holds no
  // read buffer at all (64 KiB each otherwise, of which the pages a read touched stay resident).
  std::unique_ptr<std::uint8_t[]> read_buffer;

  void post(Task task);
};

}  // namespace sioconf::io

namespace sioconf::detail {

/// A libuv handle made by listen(), connect(), an accept or spawn(), tracked by its loop so that the loop's
/// destructor can close it even when its owner never did. Ids are never reused, so a posted task
/// can look one up by id and find it gone instead of finding a newer object at the same address.
class UvResource {
 public:
  explicit UvResource(io::UvLoopState& state) : state_(&state), id_(++state.last_resource_id) {
    state.resources.emplace(id_, this);
  }
  virtual ~UvResource() {
    if (state_ != nullptr) state_->resources.erase(id_);
  }
  UvResource(const UvResource&) = delete;
  UvResource& operator=(const UvResource&) = delete;

  /// The loop ends: close the handle without running any owner callback.
  virtual void close_for_loop_end() noexcept = 0;
  /// The loop is gone; this object lives on only until its owner lets go of it.
  void forget_loop() noexcept { state_ = nullptr; }

 protected:
  io::UvLoopState* state_;
  std::uint64_t id_;
};

// The pipes of a child process (uv_stream.cc, for uv_process.cc): made unopened for uv_spawn's
// UV_CREATE_PIPE, then handed to an owner once the spawn opened them, or closed unowned.
uv_pipe_t* make_pipe(io::UvLoopState& state);  // null if libuv refused
io::TransportPtr pipe_transport(uv_pipe_t* pipe, std::string peer);
void close_unowned_pipe(uv_pipe_t* pipe) noexcept;

}  // namespace sioconf::detail
