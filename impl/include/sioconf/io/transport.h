// sioconf/io/transport.h — the byte-stream seam: one connected, ordered, reliable byte stream.
//
// A Transport is what a TCP socket is to libuv (uv_tcp_t) and what one end of an in-memory pipe
// is to the simulator. It is deliberately thin; stream.h builds the contract users want on top of
// it (pull reads, a bounded write queue, drain). Callbacks run from the loop, never from inside
// the call that caused them.
//
// Reading: after read_start(), each arrival of bytes calls TransportEvents::on_read (the view is
// valid only during the call), until read_stop(). The end of the peer's writing side calls
// on_eof() once; a failure calls on_error() once. Neither is reported while reading is stopped:
// they wait for the next read_start().
//
// Writing: write() queues a copy of the bytes; `done` runs once, in write order, with Errc::none
// when the bytes were handed to the peer side (kernel buffer or pipe), or an io error. shutdown()
// ends the writing side after the queued writes (the peer then sees EOF). close() ends
// everything: writes not done yet complete with io_cancelled, and after `done` runs no callback of
// this transport runs again. A transport is destroyed only after its close completed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "sioconf/bytes.h"
#include "sioconf/errc.h"

namespace sioconf::io {

/// Callbacks from a transport to its owner (the Stream).
class TransportEvents {
 public:
  virtual ~TransportEvents() = default;
  virtual void on_read(ByteView bytes) = 0;  // bytes.size() > 0
  virtual void on_eof() = 0;                 // the peer will send nothing more
  virtual void on_error(Errc error) = 0;     // io_reset: the connection failed
};

using Completion = std::function<void(Errc)>;

class Transport {
 public:
  virtual ~Transport() = default;

  /// Where reads go; set once, before read_start().
  virtual void set_events(TransportEvents* events) noexcept = 0;

  virtual void read_start() = 0;
  virtual void read_stop() = 0;

  /// Queues a copy of `bytes`; `done` (may be empty) runs once, in order.
  virtual void write(ByteView bytes, Completion done) = 0;

  /// Ends the writing side once the queued writes are out; `done` runs once.
  virtual void shutdown(Completion done) = 0;

  /// Ends the transport; `done` runs once, last. Idempotent: a second call only adds `done`.
  virtual void close(std::function<void()> done) = 0;
  /// Ends the transport abortively: TCP sends a reset (RST) instead of its FIN, and the peer reads
  /// io_reset (a client that vanishes mid-conversation, as the live runner's hostile scenarios
  /// need). Otherwise as close(). A backend that cannot reset closes.
  virtual void reset(std::function<void()> done) { close(std::move(done)); }

  /// "127.0.0.1:40123" for TCP, "sim:<n>" in the simulator, "process:<pid>:stdout" for a child's pipe.
  virtual std::string peer() const = 0;
};

using TransportPtr = std::unique_ptr<Transport>;

/// Called with each accepted connection (error == none, transport set) or with an accept failure
/// (transport null, error io_accept_failed: the listener keeps listening).
using AcceptHandler = std::function<void(Errc error, TransportPtr transport)>;

/// Called once with the connected transport, or with io_connect_failed and null.
using ConnectHandler = std::function<void(Errc error, TransportPtr transport)>;

/// A listening socket (or its simulated twin). Accepted connections go to the AcceptHandler given
/// when it was made, until close(); after close's `done` runs, nothing more is accepted.
class Listener {
 public:
  virtual ~Listener() = default;
  /// The bound port (the real one when 0 was asked for).
  virtual std::uint16_t port() const noexcept = 0;
  virtual void close(std::function<void()> done) = 0;
};

using ListenerPtr = std::unique_ptr<Listener>;

}  // namespace sioconf::io
