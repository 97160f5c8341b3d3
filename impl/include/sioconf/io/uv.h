// sioconf/io/uv.h — the libuv backend of the io seam: a real event loop, real TCP and child
// processes whose stdio are transports.
//
//   io::UvLoop loop;
//   Errc e;
//   io::ListenerPtr server = loop.listen("127.0.0.1", 0, on_accept, e);  // 0: an ephemeral port
//   loop.connect("127.0.0.1", server->port(), on_connect);
//   auto driver = loop.spawn({.argv = {"node", "driver.js"}}, on_exit, e);
//   driver->stdin_pipe->write(...);                // and read driver->stdout_pipe
//   loop.run();                                    // until nothing is left to do, or stop()
//
// One UvLoop owns one uv_loop_t and everything made from it; use it from one thread. Handles are
// closed with uv_close and freed in its callback, as libuv requires; the destructor closes what
// is still open and runs the loop until every close completed, so nothing leaks even after an
// error. Reads use one 64 KiB buffer per transport (libuv's alloc callback), so a transport never
// holds more than that between on_read calls.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sioconf/io/loop.h"
#include "sioconf/io/transport.h"

namespace sioconf::detail {
class UvProcessHandle;  // private: the uv_process_t of a UvLoop::Process
}  // namespace sioconf::detail

namespace sioconf::io {

struct UvLoopState;  // private: the uv_loop_t and its handles

class UvLoop final : public Loop {
 public:
  UvLoop();
  ~UvLoop() override;
  UvLoop(const UvLoop&) = delete;
  UvLoop& operator=(const UvLoop&) = delete;

  std::uint64_t now() const noexcept override;
  void post(Task task) override;
  TimerId start_timer(std::uint64_t delay_ms, Task task) override;
  bool cancel_timer(TimerId id) noexcept override;
  std::size_t pending_timers() const noexcept override;

  /// Runs callbacks until no handle is active and no task is queued, or until stop().
  void run();
  /// The same, but returns false if it had to stop after `timeout_ms` (a watchdog for tests: the
  /// watchdog itself does not keep the loop running).
  bool run(std::uint64_t timeout_ms);
  /// Makes run() return after the current callback.
  void stop() noexcept;

  /// Binds and listens on host:port (IPv4 literal; port 0 = ephemeral). On failure returns null
  /// and sets `error` to io_listen_failed. Accepted connections have TCP_NODELAY set, as
  /// connected ones do: small writes are not held back waiting for the peer's ACK.
  ListenerPtr listen(const std::string& host, std::uint16_t port, AcceptHandler on_accept, Errc& error);

  /// Connects to host:port (TCP_NODELAY set); `done` runs once from the loop.
  void connect(const std::string& host, std::uint16_t port, ConnectHandler done);

  /// A transport over a descriptor this process already holds: a pipe or a socket (our own
  /// stdin, for a program driven over stdio: `sioconf driver`). libuv's uv_pipe_open makes it
  /// non-blocking. Only a pipe, a socket or a terminal (what epoll can watch): for anything else (a
  /// regular file, /dev/null, a closed descriptor) returns null and sets `error`
  /// to io_connect_failed. Closing the transport closes the descriptor.
  TransportPtr open_fd(int fd, Errc& error);

  /// What spawn() starts.
  struct Command {
    std::vector<std::string> argv{};  // argv[0] is the program: PATH is searched when it has no '/'
    std::string cwd{};                // where it runs; empty: our working directory
    std::vector<std::string> env{};   // "K=V" entries added to our environment (replacing our K)
  };
  /// How a child ended: its exit status, or the signal that killed it (0 when none).
  struct ProcessExit {
    std::int64_t status = 0;
    int signal = 0;
  };
  using ExitHandler = std::function<void(ProcessExit)>;
  class Process;

  /// Starts `command` as a child process with its stdin, stdout and stderr on pipes, in a session
  /// and process group of its own (setsid). `on_exit` runs once, from the loop, when the child
  /// ended; it may run before the pipes reach their end (read stdout to EOF for all the output).
  /// On failure (an empty argv, no such program or directory, no fork) returns null and sets
  /// `error` to io_spawn_failed; nothing is started and `on_exit` never runs.
  ///
  /// A write to the stdin of a child that closed it (or exited) fails with io_write_failed; for it
  /// to fail rather than end this process, the first spawn() sets SIGPIPE to be ignored if it was
  /// at its default action (children start with every signal at its default again).
  std::unique_ptr<Process> spawn(const Command& command, ExitHandler on_exit, Errc& error);

 private:
  std::unique_ptr<UvLoopState> state_;
};

/// A child process started by UvLoop::spawn. Its pipes are io::Transports with the whole contract
/// of transport.h; each is the caller's (move it out to keep it past the Process) and closes like
/// any transport. peer() names them "process:<pid>:stdin" and so on.
///
/// Destroying the Process while the child runs kills its process group with SIGKILL (whatever the
/// child started goes too, unless it left the group); the loop then reaps it and `on_exit` never
/// runs. A Process may outlive its loop, whose destructor does the same to a child still running.
/// A child is not in our process group: if this process dies without destroying its Process (or
/// loop), the child lives on, reading EOF on its stdin; a terminal's Ctrl-C does not reach it.
class UvLoop::Process {
 public:
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  TransportPtr stdin_pipe;   // write; shutdown() is the end of the child's input
  TransportPtr stdout_pipe;  // read
  TransportPtr stderr_pipe;  // read

  int pid() const noexcept;
  /// True once `on_exit` ran (or was dropped because the loop ended).
  bool exited() const noexcept;
  /// Sends `signal` to the child's process group: the child and what it started (`sh -c` and its
  /// command). False, sending nothing, once the child exited (its pid may be another's by then),
  /// or when kill(2) fails.
  bool kill(int signal) noexcept;

 private:
  friend class UvLoop;
  explicit Process(detail::UvProcessHandle* handle) noexcept;
  detail::UvProcessHandle* handle_;
};

}  // namespace sioconf::io
