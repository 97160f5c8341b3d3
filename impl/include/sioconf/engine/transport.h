// sioconf/engine/transport.h — the Engine.IO transport seam: how Engine.IO packets reach a peer.
//
// An Engine.IO session (session.h) talks to its peer through one Transport at a time. The
// transport owns the framing and the connection; the session sees only whole Engine.IO packets
// (eio/packet.h) in and out:
//
//   transport          framing on the wire                             what it is for
//   LinesTransport     one text packet per '\n'-terminated line         tests, benches, sioconf adapters
//   PollingTransport   HTTP long-polling: packets buffered between     engine.io-protocol v4 "HTTP
//                      GETs, a held GET flushed on send, POST bodies   long-polling"
//   WebSocketTransport one packet per WebSocket message                 "WebSocket"
//
// The seam:
//   - send() queues a packet and returns at once: the polling transport keeps it until the next
//     GET (or completes a GET it holds), the lines and websocket transports write it now;
//   - over_high_water()/TransportSink::on_drain() are the write-side backpressure of every kind
//     (buffered bytes of a stream, packets waiting for a GET);
//   - pause()/resume() are the read-side backpressure (stop reading the stream, hold POSTs);
//   - a session may replace its transport (the upgrade from polling to WebSocket): it then
//     start()s the new one with itself as sink and close()s the old one; a transport never knows
//     which session, if any, follows it.
// A transport knows no Socket.IO: it never looks inside a message packet.
//
// Threading and lifetime: one thread, the loop's. The sink is borrowed from start() until
// close()'s `done` runs or the transport is destroyed; no sink callback runs after either.
// Callbacks may call any member of the transport, including close(); destroying a transport from
// inside its own callback is not allowed (close() it instead).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "sioconf/eio/packet.h"
#include "sioconf/errc.h"

namespace sioconf::engine {

/// A packet that owns its data: what a transport hands back with take_unsent().
struct QueuedPacket {
  eio::PacketType type = eio::PacketType::message;
  MessageKind data_kind = MessageKind::text;
  std::vector<std::uint8_t> data;
  eio::Packet view() const noexcept { return {type, data_kind, ByteView(data.data(), data.size())}; }
};

/// What a transport hands up to its session.
class TransportSink {
 public:
  virtual ~TransportSink() = default;
  /// One packet from the peer, in arrival order. `packet.data` is valid only during the call.
  virtual void on_packet(const eio::Packet& packet) noexcept = 0;
  /// Nothing more will arrive. Errc::none: the peer ended its side cleanly (its end of stream);
  /// the transport can still send, then the session close()s it. Otherwise why it failed: a codec
  /// rule of the framing (limit_ndjson_line_bytes, eio_bad_packet_type, ...) or an io error
  /// (io_reset); the session should close() it without waiting. Runs at most once.
  virtual void on_input_end(Errc why) noexcept = 0;
  /// After over_high_water() was true: what was queued has fallen to the low-water mark.
  virtual void on_drain() noexcept = 0;
};

class Transport {
 public:
  /// Closes the connection abruptly if close() was not called; no callback runs from here on.
  virtual ~Transport() = default;

  /// "lines", "polling", "websocket": the transport's name in engine.io-protocol v4 terms.
  virtual std::string_view name() const noexcept = 0;

  /// Starts delivering to `sink`. Call once.
  virtual void start(TransportSink& sink) = 0;

  /// Read-side backpressure: after pause() the transport reads nothing more from the connection
  /// until resume() (what the peer sends meanwhile waits there). The packets of what it had
  /// already read (one read, or one request body) are still delivered. Both are idempotent.
  virtual void pause() = 0;
  virtual void resume() = 0;

  /// Queues `packet` for the peer. Returns Errc::none, or the refusal with nothing queued:
  ///   io_closed                      close() was called, or the connection is gone
  ///   the framing's refusal          e.g. engine_binary_unsupported (a text-only framing),
  ///                                  eio_bad_utf8 (eio/packet_encoder.h)
  ///   limit_stream_buffered_bytes    the queue would pass Limits::stream_max_buffered_bytes
  /// A packet queued while over_high_water() is still sent; the sender decides whether to wait.
  [[nodiscard]] virtual Errc send(const eio::Packet& packet) = 0;

  /// What send(packet) would refuse for want of room or framing, without sending anything: lets
  /// a sender reserve what goes with the packet (an ack id) only when it will be sent.
  [[nodiscard]] virtual Errc check_send(const eio::Packet& packet) const noexcept = 0;

  /// True while more is queued than the high-water mark; on_drain() follows when it falls.
  virtual bool over_high_water() const noexcept = 0;

  /// Ends the transport. `graceful`: what was sent still reaches the peer first (a stream is
  /// shut down after its queue drains); otherwise it is dropped. `done` (may be empty) runs once,
  /// from the loop, when the connection is closed; nothing of the sink runs after it. A second
  /// call only adds its `done`.
  virtual void close(bool graceful, std::function<void()> done) = 0;

  /// The packets send() queued that have not left yet, in order, and forgets them: at an
  /// upgrade the session sends them on the new transport, so none is lost or sent twice. A
  /// transport that writes at once (lines, websocket) has none.
  virtual std::vector<QueuedPacket> take_unsent() { return {}; }
};

using TransportPtr = std::unique_ptr<Transport>;

}  // namespace sioconf::engine
