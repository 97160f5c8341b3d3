// sioconf/engine/session.h — one Engine.IO session: the packets of engine.io-protocol v4 that are
// not application data, above a transport (transport.h), below Socket.IO (session/server_socket.h).
//
//   engine::Session session(std::make_unique<engine::LinesTransport>(loop, std::move(conn), limits));
//   session.start(sink);                       // sink.on_message(...) per message packet
//   session.send_message(MessageKind::text, as_bytes("2[\"hi\"]"));
//   session.close(/*graceful=*/true, [] { ... });
//
// What the session does with each packet from the peer:
//   message   handed up: SessionSink::on_message (text or binary data, as the transport decoded it)
//   ping      answered with a pong (no data)
//   pong      the heartbeat's answer (below)
//   close     the session ends: SessionSink::on_end(Errc::none), at once
//   noop, upgrade, open   nothing
//
// Heartbeat (engine.io-protocol v4, "Heartbeat"), when SessionOptions has a loop and a
// ping_interval_ms: the server sends a ping every ping_interval_ms and the client must answer
// with a pong within ping_timeout_ms; a pong later than that ends the session with
// engine_ping_timeout. A silent peer ends exactly ping_interval_ms + ping_timeout_ms after its
// last pong (or after start()).
//
// Upgrade (engine.io-protocol v4, "Upgrade"): upgrade(next) takes a second transport (a WebSocket
// that named this session's sid) and runs the probe on it: its "2probe" is answered "3probe" and
// the current transport gets a noop (which answers a held polling GET); its "5" (upgrade) makes it
// the session's transport: what the old one still queued (take_unsent) is sent on it first, in
// order, then the old one is closed. Until the "5", after the probe, the current transport gets a
// noop every 100 ms (as engine.io does), so that a GET the client sent after the first noop comes
// back and the client can finish its upgrade. Any other packet on the new transport before the
// "5", its end, or upgrade_timeout_ms without a "5" drops it and the session goes on as before.
// One upgrade at a time.
// and with the transport's end of input:
//   none      the peer ended cleanly: SessionSink::on_input_end(); the session can still send
//   an error  SessionSink::on_end(why): the framing broke a rule (its Errc) or the connection failed
//
// Backpressure: when the transport is over its high-water mark after a send, the session stops
// reading (pauses the transport) until it drains, so a peer that sends requests but never reads
// the answers cannot make it queue more than the transport allows. A send the transport refuses
// for a limit of its queue (the application kept sending to a client that does not read, a pong
// owed to a ping flood) ends the session with that limit's Errc.
//
// Counts: every Engine.IO packet in and out, pings and pongs included.
//
// Limits: those the transport was made with (its framing, Limits::eio_max_packet_bytes,
// Limits::stream_max_buffered_bytes); the session adds no buffer of its own.
//
// Lifetime: one thread, the loop's. The sink is borrowed from start() until close()'s `done` has
// run or the session is destroyed; no sink callback runs after either, nor after on_end().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sioconf/bytes.h"
#include "sioconf/engine/transport.h"
#include "sioconf/errc.h"
#include "sioconf/io/loop.h"

namespace sioconf::engine {

class SessionSink {
 public:
  virtual ~SessionSink() = default;
  /// A message packet's data; `data` is valid only during the call.
  virtual void on_message(MessageKind kind, ByteView data) noexcept = 0;
  /// The peer ended its side cleanly: nothing more will arrive, sending still works. Once.
  virtual void on_input_end() noexcept = 0;
  /// The session is over: Errc::none after the peer's close packet, otherwise why (a rule of the
  /// framing or of Engine.IO, an io error). Nothing more arrives; the owner close()s. Once.
  virtual void on_end(Errc why) noexcept = 0;
};

struct SessionOptions {
  std::string sid = "sioconf";         // the Engine.IO session id
  io::Loop* loop = nullptr;            // for the heartbeat's timers; none: no heartbeat
  std::uint64_t ping_interval_ms = 0;  // engine.io's pingInterval (default 25000); 0: no heartbeat
  std::uint64_t ping_timeout_ms = 0;   // engine.io's pingTimeout (default 20000)
  /// engine.io's upgradeTimeout: an upgrade whose "5" has not come this long after it began is
  /// dropped (needs the loop).
  std::uint64_t upgrade_timeout_ms = 10'000;
};

struct SessionCounts {
  std::uint64_t packets_in = 0, packets_out = 0;
};

class Session final : TransportSink {
  struct Probe;  // the sink of the transport being upgraded to
 public:
  explicit Session(TransportPtr transport, SessionOptions options = {});
  ~Session() override;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// Starts reading. Call once.
  void start(SessionSink& sink);

  /// Sends one message packet. Returns none, or the transport's refusal (transport.h) with
  /// nothing sent: io_closed after close(), engine_binary_unsupported, or a limit of its queue
  /// (limit_stream_buffered_bytes, limit_eio_queued_packets), which also ends the session with
  /// that error (on_end): the client stopped reading and is cut off.
  [[nodiscard]] Errc send_message(MessageKind kind, ByteView data);
  /// What send_message(kind, data) would refuse, without sending.
  [[nodiscard]] Errc check_message(MessageKind kind, ByteView data) const noexcept;

  /// Ends the session (transport.h, Transport::close): `graceful` lets what was sent reach the
  /// peer first. `done` runs once, from the loop, when the connection is closed.
  void close(bool graceful, std::function<void()> done = {});

  /// Runs the probe on `next` and switches to it after the client's upgrade packet (above).
  /// Returns engine_bad_request (and closes `next`) while another upgrade runs or the session
  /// has ended.
  Errc upgrade(TransportPtr next);
  bool upgrading() const noexcept { return next_ != nullptr; }
  /// True once the session ended from its side (on_end: the client's close, an error, the ping
  /// timeout): the engine server then treats its sid as unknown, as engine.io does. A close()
  /// by the application does not set it, so that a last GET can still fetch the close packet.
  bool over() const noexcept { return over_; }

  const std::string& sid() const noexcept { return options_.sid; }
  std::string_view transport_name() const noexcept { return transport_->name(); }
  /// The current transport (the engine server hands a polling one its requests).
  Transport& transport() noexcept { return *transport_; }
  /// A handle that reads null once the session is destroyed: how the engine server, which does
  /// not own sessions, finds them by sid.
  std::weak_ptr<Session* const> handle() const noexcept { return self_; }
  const SessionCounts& counts() const noexcept { return counts_; }

 private:
  void on_packet(const eio::Packet& packet) noexcept override;
  void on_input_end(Errc why) noexcept override;
  void on_drain() noexcept override;
  Errc send(const eio::Packet& packet);
  void end(Errc why);
  void schedule_ping();
  void stop_heartbeat() noexcept;
  void on_probe_packet(const eio::Packet& packet);
  void schedule_noop();
  void stop_upgrade_timers() noexcept;
  void drop_next();

  TransportPtr transport_;
  SessionOptions options_;
  SessionSink* sink_ = nullptr;
  SessionCounts counts_;
  bool ended_ = false, over_ = false, waiting_for_drain_ = false;
  io::TimerId ping_timer_ = 0, pong_timer_ = 0;
  io::TimerId upgrade_timer_ = 0, noop_timer_ = 0;  // while an upgrade runs
  TransportPtr next_;                               // the transport being probed
  std::vector<std::unique_ptr<Probe>> probes_;      // their sinks; one forwards to us after the switch
  std::vector<TransportPtr> old_;                   // transports left behind (closed), kept until we go
  std::shared_ptr<Session*> self_ = std::make_shared<Session*>(this);
};

}  // namespace sioconf::engine
