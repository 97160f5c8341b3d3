// sioconf/client/socket.h — a Socket.IO v5 client socket for one namespace, with its connection
// manager: it opens Engine.IO sessions (engine_client.h), joins the namespace, emits with acks and
// binary attachments, buffers what is emitted while disconnected, and reconnects with backoff.
//
//   client::SocketOptions o;
//   o.nsp = "/chat";
//   o.auth_json = R"({"token":"secret"})";
//   o.engine.host = "127.0.0.1:3000";
//   client::Socket socket(loop, [&](io::ConnectHandler done) { uv.connect("127.0.0.1", 3000, done); }, limits, o);
//   socket.handlers().on_connect = [&](const std::string& sid) { ... };
//   socket.handlers().on_event = [&](const client::ReceivedEvent& e) { if (e.ack) e.ack("[\"ok\"]", {}); };
//   socket.connect();
//   socket.emit("sum", "[1,2]", {}, [](Errc e, std::string_view args, auto) { ... }, {.timeout_ms = 500});
//   socket.disconnect();
//
// What the socket does (socket.io-protocol v5; socket.io-client 4.x where the spec says nothing):
//   connect()      opens an Engine.IO session; once it is open, CONNECT to the namespace with the
//                  auth object. The attempt (handshake and CONNECT answer) is bounded by
//                  SocketOptions::timeout_ms (client_connect_timeout).
//   CONNECT {"sid":...}  connected: the emits buffered meanwhile are sent, in order, THEN
//                  on_connect(sid) runs (socket.io-client#1458 was an emit overtaking the buffer).
//   CONNECT_ERROR  on_connect_error(message, data); the session is closed and no reconnection
//                  follows (socket.io-client destroys the socket). A string payload is the message.
//   EVENT / BINARY_EVENT  on_event, with the arguments as JSON text (placeholders for the
//                  attachments, which come as views) and, when the server asked for an ACK, `ack`:
//                  it sends the ACK once (BINARY_ACK with attachments); later calls return io_closed.
//                  Events before the CONNECT answer are dropped.
//   ACK / BINARY_ACK  settles the emit with that id: its handler runs once with the arguments. An
//                  id with no pending emit (never used, already settled, timed out) is ignored.
//   DISCONNECT     on_disconnect(io_server_disconnect); the session is closed, no reconnection.
//   another namespace's packets: ignored.
//   a packet the decoder refuses (sio/packet_decoder.h: CONNECT_ERROR or ACK without payload, a
//   type 7, an EVENT that is not a non-empty array, a placeholder that is no attachment index,
//   nesting past Limits::max_depth, a text past Limits::max_payload_bytes, ...): the connection
//   ends as lost with parse_error (and reconnects if allowed). Never a crash.
//
// Emitting: emit() encodes at once (sio/packet_encoder.h: BINARY_EVENT when there are
// attachments) and takes the next ack id when an ack handler is given (ids from 0, per socket).
//   connected       sent now
//   not connected   volatile: dropped (client_volatile_dropped); otherwise buffered, at most
//                   Limits::client_max_buffered_emits (limit_client_buffered_emits past it)
// An ack handler runs exactly once: with Errc::none and the ACK's arguments, with ack_timeout
// after EmitOptions::timeout_ms (an emit still buffered then is taken out of the buffer and never
// sent), or with ack_disconnected when the connection is lost after the emit went out.
//
// Disconnect reasons (on_disconnect; name() is socket.io-client's word):
//   io_server_disconnect  the server's DISCONNECT            no reconnection
//   io_client_disconnect  disconnect()                       no reconnection; DISCONNECT is sent,
//                                                            then the session's close packet
//   ping_timeout, transport_close, transport_error, parse_error   the session was lost
//                                                            (engine_client.h's table): reconnects
//
// Reconnection (socket.io-client's Manager): after a lost connection, or a failed attempt, while
// SocketOptions::reconnection holds: attempt n (1, 2, ...) starts after
//   min(reconnection_delay_ms * 2^(n-1), reconnection_delay_max_ms) * (1 ± randomization_factor)
// (the first one waits too) with on_reconnect_attempt(n) as it starts; a failed attempt reports
// on_connect_error and schedules the next one; after reconnection_attempts failures,
// on_reconnect_failed and nothing more. A joined namespace resets the count.
//
// Lifetime: one thread, the loop's. Handlers may call emit() and disconnect(), not destroy the
// socket. Destroying the socket ends everything silently.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sioconf/bytes.h"
#include "sioconf/client/engine_client.h"
#include "sioconf/errc.h"
#include "sioconf/io/loop.h"
#include "sioconf/limits.h"
#include "sioconf/sio/packet.h"
#include "sioconf/sio/packet_decoder.h"
#include "sioconf/sio/packet_encoder.h"

namespace sioconf::client {

enum class DisconnectReason : std::uint8_t {
  io_server_disconnect,
  io_client_disconnect,
  ping_timeout,
  transport_close,
  transport_error,
  parse_error,
};
/// "io server disconnect", "io client disconnect", "ping timeout", "transport close",
/// "transport error", "parse error".
std::string_view name(DisconnectReason reason) noexcept;

/// Sends the ACK the server asked for: arguments as a JSON array, placeholders for attachments.
/// Returns none, io_closed (already answered, or the connection it belongs to is gone), or the
/// encoder's refusal.
using AckSender = std::function<Errc(std::string_view args_json, std::span<const ByteView> attachments)>;

/// An EVENT from the server. Views are valid only during on_event.
struct ReceivedEvent {
  std::string_view name;                  // the event name (a number name as its JSON text)
  std::string_view args_json;             // the arguments: a JSON array, "[]" for none
  std::span<const ByteView> attachments;  // what {"_placeholder":true,"num":i} in args_json names
  AckSender ack;                          // set when the server asked for an ACK
};

/// An emit's outcome: none with the ACK's arguments (and attachments), ack_timeout, or
/// ack_disconnected (then both are empty).
using AckHandler = std::function<void(Errc error, std::string_view args_json, std::span<const ByteView> attachments)>;

struct EmitOptions {
  bool is_volatile = false;      // dropped, not buffered, while not connected
  std::uint64_t timeout_ms = 0;  // with an ack handler: ack_timeout after this long (0: none)
};

struct SocketHandlers {
  std::function<void(const std::string& sid)> on_connect;
  /// The namespace refused (message, data as JSON text, empty when absent), or an attempt failed
  /// (message: the Errc's name or "timeout").
  std::function<void(std::string_view message, std::string_view data_json)> on_connect_error;
  std::function<void(const ReceivedEvent& event)> on_event;
  /// `why` says what ended it (an Errc of engine_client.h's table, none for the two DISCONNECTs).
  std::function<void(DisconnectReason reason, Errc why)> on_disconnect;
  std::function<void(std::uint64_t attempt)> on_reconnect_attempt;
  std::function<void()> on_reconnect_failed;
};

struct SocketOptions {
  std::string nsp = "/";
  std::optional<std::string> auth_json;  // the CONNECT's payload: a JSON object
  bool reconnection = true;
  std::uint64_t reconnection_attempts = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t reconnection_delay_ms = 1000;
  std::uint64_t reconnection_delay_max_ms = 5000;
  double randomization_factor = 0.5;  // 0 to 1
  std::uint64_t timeout_ms = 20'000;  // one attempt: handshake and CONNECT answer; 0: none
  EngineOptions engine;               // engine.seed also seeds the backoff's jitter
};

class Socket final : EngineSink, sio::PacketSink {
 public:
  Socket(io::Loop& loop, Connector connector, const Limits& limits = {}, SocketOptions options = {});
  ~Socket() override;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  SocketHandlers& handlers() noexcept { return handlers_; }

  /// Opens a session and joins the namespace (again after disconnect()). Does nothing while
  /// connected or connecting.
  void connect();
  /// Emits `event` with `args_json` (a JSON array: "[]" for none). See the table above. Returns
  /// none (sent or buffered), client_volatile_dropped, limit_client_buffered_emits,
  /// sio_event_not_array, or the encoder's refusal (a reserved name, limits, ...).
  Errc emit(std::string_view event, std::string_view args_json, std::span<const ByteView> attachments = {},
            AckHandler ack = {}, EmitOptions options = {});
  /// Leaves the namespace: DISCONNECT, on_disconnect(io_client_disconnect), the session's close.
  /// No reconnection follows.
  void disconnect();

  bool connected() const noexcept { return connected_; }
  /// The sid of the namespace's last CONNECT answer.
  const std::string& sid() const noexcept { return sid_; }
  std::size_t buffered() const noexcept { return buffer_.size(); }
  std::size_t pending_acks() const noexcept { return acks_.size(); }
  /// The Engine.IO session now (null between sessions).
  const EngineClient* engine() const noexcept { return engine_.get(); }
  /// The delay before reconnection attempt `attempt` (1, 2, ...), drawing the jitter.
  std::uint64_t backoff(std::uint64_t attempt);

 private:
  struct Buffered {
    std::optional<std::uint64_t> id;
    sio::EncodedPacket packet;
  };
  struct PendingAck {
    AckHandler handler;
    io::TimerId timer = 0;
  };

  void on_open(const eio::OpenHandshake& handshake) override;
  void on_message(MessageKind kind, ByteView data) override;
  void on_end(Errc why, EngineEnd how) override;
  void on_packet(const sio::Packet& packet) override;

  void open_engine();
  void drop_engine();
  void send_packet(const sio::EncodedPacket& packet);
  void on_connect_packet(const sio::Packet& packet);
  void on_connect_error_packet(const sio::Packet& packet);
  void on_event_packet(const sio::Packet& packet);
  void on_ack_packet(const sio::Packet& packet);
  void attempt_failed(std::string_view message);
  void lost(DisconnectReason reason, Errc why);
  void settle_sent_acks();
  void reconnect();
  void ack_timed_out(std::uint64_t id);

  io::Loop& loop_;
  Connector connector_;
  Limits limits_;
  SocketOptions options_;
  SocketHandlers handlers_;
  sio::PacketEncoder encoder_;
  sio::PacketDecoder decoder_;
  std::unique_ptr<EngineClient> engine_;
  struct Retired {
    std::unique_ptr<EngineClient> engine;
    std::uint64_t deadline;  // destroyed by then even if its close is still under way
  };
  void reap();
  std::vector<Retired> retired_;
  io::TimerId reap_timer_ = 0;
  bool connected_ = false, connecting_ = false, stopped_ = false, reconnecting_ = false;
  std::string sid_;
  std::uint64_t generation_ = 0;  // counts sessions: an AckSender of an earlier one is closed
  std::uint64_t next_id_ = 0;
  std::map<std::uint64_t, PendingAck> acks_;
  std::deque<Buffered> buffer_;
  std::uint64_t attempts_ = 0;
  std::uint64_t rng_;
  io::TimerId connect_timer_ = 0, reconnect_timer_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace sioconf::client
