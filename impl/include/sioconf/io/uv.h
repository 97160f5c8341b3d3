// sioconf/io/uv.h — the libuv backend of the io seam: a real event loop and real TCP.
//
//   io::UvLoop loop;
//   Errc e;
//   io::ListenerPtr server = loop.listen("127.0.0.1", 0, on_accept, e);  // 0: an ephemeral port
//   loop.connect("127.0.0.1", server->port(), on_connect);
//   loop.run();                                    // until nothing is left to do, or stop()
//
// One UvLoop owns one uv_loop_t and everything made from it; use it from one thread. Handles are
// closed with uv_close and freed in its callback, as libuv requires; the destructor closes what
// is still open and runs the loop until every close completed, so nothing leaks even after an
// error. Reads use one 64 KiB buffer per transport (libuv's alloc callback), so a transport never
// holds more than that between on_read calls.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "sioconf/io/loop.h"
#include "sioconf/io/transport.h"

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

 private:
  std::unique_ptr<UvLoopState> state_;
};

}  // namespace sioconf::io
