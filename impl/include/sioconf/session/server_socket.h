// sioconf/session/server_socket.h — a Socket.IO server socket: namespaces, events, acks and
// attachments (socket.io-protocol v5) above one Engine.IO session (engine/session.h).
//
//   session::ServerSocket socket(loop, std::move(connection), limits);   // Engine.IO lines
//   socket.of("/").on("chat", [&](const ack::Event& e) {                 // a chat server: echo back
//     socket.emit("/", "chat", R"([{"echo":)" + std::string(e.args_json) + "}]");
//   });
//   socket.of("/").on("sum", [&](const ack::Event& e) { if (e.reply) (*e.reply)("[3]"); });
//   socket.start();
//
// The socket sees only Engine.IO message packets: it never knows the transport. The constructor
// that takes an io connection puts it under the lines transport (engine/lines_transport.h: one
// Engine.IO text packet per line, e.g. `40\n` is CONNECT to "/", `42["chat",{"message":"hi"}]\n`
// an EVENT), which carries no binary attachments; the other takes any Engine.IO session.
// Everything the socket writes goes through the Socket.IO encoder (sio/packet_encoder.h), and its
// attachments, if any, as binary messages after the text.
//
// What the socket does with each Socket.IO packet (socket.io-protocol v5); pings, pongs and the
// Engine.IO close are the session's (engine/session.h):
//   CONNECT to a namespace registered with of() or use(), or declared by the server
//     (ServerSocketOptions::namespaces) -> its middleware, if use() set one, decides;
//     admitted: CONNECT {"sid":...}, then the connect handler and the namespace's listeners get
//     the CONNECT's auth object ({} without one; the listeners as the reserved "connect"
//     event's argument); refused: CONNECT_ERROR
//     {"message":...,"data":...}. An unknown namespace: CONNECT_ERROR
//     {"message":"Invalid namespace"}. No namespace joined within connect_timeout_ms: the
//     connection ends with session_connect_timeout.
//   EVENT in a connected namespace -> the ordered dispatcher (io/dispatcher.h): events of this
//     connection are handled one at a time, in arrival order. By default the namespace's emitter
//     runs its listeners (Event::reply set when the EVENT had an ack id; calling it sends the ACK
//     once) and the event is done when they return; set_event_handler() takes over with an async
//     handler that calls done() itself. EVENTs for a namespace not connected are dropped (counted).
//   ACK -> the namespace's ack table settles the matching emit() (unknown and repeated ids are
//     counted there and otherwise ignored).
//   DISCONNECT -> that namespace: pending acks settle with ack_disconnected, its replies close,
//     its listeners get the reserved "disconnect" event. A CONNECT after that joins it again, as
//     a new socket would: emits with an ack and replies work again (ack ids go on), while the
//     replies handed out during the earlier connection stay closed.
//   A packet that breaks a rule (any Errc of the codecs), a read error, or the session's end
//     ends the connection with that error: on_close(why).
//
// Backpressure: the session stops reading while its transport is over the high-water mark, so a
// peer that sends requests but never reads the answers cannot make it buffer more than the
// transport allows. A packet refused for a limit of the session's queue (the client stopped
// reading while the application kept emitting) ends the connection with that limit's Errc.
//
// Rooms: with ServerSocketOptions::rooms, each namespace the socket connects to puts it in the
// room named by its sid; join() and leave() add and remove others; leaving the namespace leaves
// them all (rooms.h broadcasts to them).
//
// Ending: the peer's end of stream (once the events it sent are handled), its Engine.IO close, an
// error, or disconnect(). Then, in this order: every namespace is disconnected as above, the
// session closes, on_close runs once, and nothing of this socket runs again.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "sioconf/ack/ack_table.h"
#include "sioconf/ack/emitter.h"
#include "sioconf/engine/session.h"
#include "sioconf/errc.h"
#include "sioconf/io/dispatcher.h"
#include "sioconf/io/loop.h"
#include "sioconf/io/stream.h"
#include "sioconf/io/transport.h"
#include "sioconf/limits.h"
#include "sioconf/session/rooms.h"

namespace sioconf::session {

/// An async event handler: call done() when the event is handled (the next one waits for it).
using EventHandler = std::function<void(std::string_view nsp, const ack::Event& event, io::Done done)>;
/// A namespace was joined: its name and the CONNECT's auth object (`{}` when it had none).
using ConnectHandler = std::function<void(std::string_view nsp, std::string_view auth_json)>;

struct ServerSocketOptions {
  std::string sid = "sioconf";  // the session id sent in CONNECT answers
  io::StreamOptions stream;     // the lines transport's stream (the first constructor)
  /// socket.io's connectTimeout (default 45000): a connection that has joined no namespace this
  /// long after start() ends with session_connect_timeout. 0: no bound.
  std::uint64_t connect_timeout_ms = 0;
  /// The server's rooms (rooms.h), shared by its sockets and outliving them; none: join() is
  /// refused and the socket is in no room.
  Rooms* rooms = nullptr;
  /// Namespaces a client may join besides those that of() and use() name: the server's list,
  /// shared by its sockets and outliving them. A socket makes a namespace's state only when the
  /// client joins it.
  std::span<const std::string> namespaces;
};

/// A connect middleware's refusal: CONNECT_ERROR {"message": message, "data": data} (data, a
/// JSON value as text, left out when empty), as socket.io's `next(err)` with `err.data` sends it.
struct ConnectRefusal {
  std::string message;
  std::string data_json;
};
/// A namespace's connect middleware (socket.io's `nsp.use()`): gets the CONNECT's auth object
/// (JSON text, "{}" without one) and calls `next` once, now or later: with nothing to admit the
/// client, with a refusal to answer CONNECT_ERROR. A CONNECT that comes while it decides is
/// ignored; a `next` after the connection ended does nothing.
using ConnectMiddleware =
    std::function<void(std::string_view auth_json, std::function<void(std::optional<ConnectRefusal>)> next)>;

struct SocketCounts {
  std::uint64_t packets_in = 0, packets_out = 0;  // Engine.IO packets (engine::SessionCounts)
  std::uint64_t events_dropped = 0;               // EVENTs for a namespace not connected
};

struct ServerSocketState;  // private

class ServerSocket {
 public:
  /// Over Engine.IO lines on `connection` (engine/lines_transport.h), with options.sid as the
  /// Engine.IO sid too.
  ServerSocket(io::Loop& loop, io::TransportPtr connection, const Limits& limits = {},
               ServerSocketOptions options = {});
  /// Over any Engine.IO session, not yet started (start() starts it).
  ServerSocket(io::Loop& loop, std::unique_ptr<engine::Session> session, const Limits& limits = {},
               ServerSocketOptions options = {});
  /// Ends the connection if it is still open; no callback runs from the destructor on.
  ~ServerSocket();
  ServerSocket(const ServerSocket&) = delete;
  ServerSocket& operator=(const ServerSocket&) = delete;

  /// The listeners of a namespace ("/" is the main one), made on first use: a namespace exists
  /// for CONNECT once of() named it.
  ack::Emitter& of(std::string_view nsp = "/");

  /// Sets the connect middleware of `nsp` (making the namespace, as of() does).
  void use(std::string_view nsp, ConnectMiddleware middleware);

  /// Handles EVENTs asynchronously instead of the emitter's synchronous listeners.
  void set_event_handler(EventHandler handler);
  /// Called for every namespace the client joins, right after the CONNECT answer and before the
  /// emitter's "connect" listeners: one function per socket rather than a listener per namespace.
  void set_connect_handler(ConnectHandler handler);

  /// Runs once when the connection ended: Errc::none after the peer's end of stream or
  /// disconnect(), else why (a codec error, io_reset, ...).
  void on_close(std::function<void(Errc why)> callback);

  /// Starts reading. Call once, after registering namespaces and listeners.
  void start();

  /// Sends an EVENT `name` with arguments `args_json`, a JSON array ("[]" for none, `[1,"a"]`).
  /// With `ack`, the EVENT carries an ack id and `ack` runs once: with the ACK's arguments, with
  /// ack_timeout after `timeout_ms` (0: no timeout), or with ack_disconnected.
  /// Returns none, or, with nothing sent: io_closed (ended), sio_bad_namespace (not connected),
  /// sio_event_not_array, the encoder's refusal (e.g. sio_reserved_event_name, json_syntax),
  /// limit_pending_acks. A limit of the session's queue (limit_stream_buffered_bytes, ...)
  /// means the client stopped reading: it is cut off, the connection ends with that error, and
  /// an attachment refused after the packet's text went is lost with the connection.
  Errc emit(std::string_view nsp, std::string_view name, std::string_view args_json, ack::AckCallback ack = {},
            std::uint64_t timeout_ms = 0);
  /// The same with binary arguments: `args_json` holds {"_placeholder":true,"num":i} where
  /// attachments[i] goes (a BINARY_EVENT; an event's own ack::Event::attachments send it back).
  Errc emit(std::string_view nsp, std::string_view name, std::string_view args_json,
            std::span<const ByteView> attachments, ack::AckCallback ack = {}, std::uint64_t timeout_ms = 0);

  /// Joins `room` of a connected namespace (rooms.h; it leaves when it leaves the namespace).
  /// Returns none, io_closed (ended), or sio_bad_namespace (not connected, or no rooms given).
  Errc join(std::string_view nsp, std::string_view room);
  /// Leaves `room` of `nsp` (nothing if not in it).
  void leave(std::string_view nsp, std::string_view room);
  /// ServerSocketOptions::sid: the socket's own room in each namespace it is connected to.
  const std::string& sid() const noexcept;

  /// Sends DISCONNECT for every connected namespace, then ends the connection (see above).
  /// `done` runs after on_close.
  void disconnect(std::function<void()> done = {});

  bool connected(std::string_view nsp) const;
  bool ended() const noexcept;
  /// Acks this socket waits for, over all namespaces (a leak check: 0 once ended).
  std::size_t pending_acks() const;
  const SocketCounts& counts() const noexcept;
  const io::DispatchCounts& dispatch_counts() const noexcept;

 private:
  std::shared_ptr<ServerSocketState> state_;
};

}  // namespace sioconf::session
