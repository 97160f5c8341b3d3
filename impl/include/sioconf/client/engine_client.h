// sioconf/client/engine_client.h — one Engine.IO v4 session from the client's end, over HTTP
// long-polling, a WebSocket, or polling upgraded to a WebSocket (engine.io-protocol v4), on the
// io seam: it runs on io::SimLoop in tests and on io::UvLoop for real.
//
//   client::EngineOptions o;
//   o.host = "127.0.0.1:3000";                      // the Host header; the connector reaches it
//   client::EngineClient eio(loop, [&](io::ConnectHandler done) { uv.connect("127.0.0.1", 3000, done); },
//                            limits, o);
//   eio.open(sink);                                 // sink.on_open(handshake), on_message, on_end
//   eio.send(MessageKind::text, as_bytes("40"));    // queued until the session is open
//   eio.close();                                    // a close packet; the sink hears nothing more
//
// What it does:
//   handshake   polling: GET <path>?EIO=4&transport=polling, whose body's first packet is the open
//               packet; websocket: GET <path>?EIO=4&transport=websocket with Upgrade headers and a
//               fresh Sec-WebSocket-Key, the 101's Sec-WebSocket-Accept checked (http/websocket.h),
//               then the first message is the open packet. The open packet is eio::parse_open's.
//   polling     one GET outstanding at a time (the next one when the last is answered), packets
//               to send go in one POST at a time (what queued meanwhile goes in the next one).
//   websocket   frames masked with a fresh key each (ws::encode_frame, Role::client), messages
//               assembled by ws::MessageAssembler (Role::client: a masked server frame is an
//               error), a ping frame answered with a pong frame, a close frame with a close frame.
//   upgrade     when the handshake offers "websocket" and the options allow it: a WebSocket naming
//               the sid; its 101, then "2probe"; the server's "3probe" pauses polling (no new GET,
//               the held one comes back with the server's noop, the POST in flight completes),
//               then "5" and the session is on the WebSocket; what was queued meanwhile goes
//               there, in order. A probe that fails (not a 101, the connection ends, anything but
//               "3probe", no answer within the ping timeout) leaves the session on polling, and
//               it is not tried again.
//   heartbeat   each ping "2" is answered "3"; the server is given up when no ping came within
//               pingInterval + pingTimeout of the last one (or of the open): only pings reset the
//               timer, as in engine.io-client.
//   close       close(): a close packet (a POST, or a text frame then a close frame), then the
//               connections end.
//
// How a session ends (EngineSink::on_end(why, how)), with socket.io-client's reason:
//   the server's close packet, a close frame, the end of the WebSocket connection
//                                                 client_transport_closed   "transport close"
//   a polling request failed: connection refused or reset, a status other than 200
//                                                 io_*, client_http_status  "transport error"
//   bytes breaking HTTP/1.1, RFC 6455, Engine.IO, or past a Limits bound (a 4 MB body or frame
//     against the 1 MB defaults, a bad packet type)   that Errc              "parse error"
//   no ping in time                               client_ping_timeout       "ping timeout"
// Before the open packet, the same ends are a failed attempt (EngineSink::on_end with opened()
// false): a refused handshake is client_http_status, a 101 without the right accept or a first
// packet that is not the open packet client_bad_handshake.
//
// Limits: the HTTP responses are read within http_max_header_bytes / http_max_headers /
// http_max_body_bytes, polling bodies within eio_max_payload_bytes / eio_max_payload_packets /
// eio_max_packet_bytes, WebSocket messages within ws_max_frame_bytes / ws_max_message_bytes /
// ws_max_fragments, and each connection's write queue within stream_max_buffered_bytes. Nothing
// the server sends grows memory past them; nothing it sends is a crash.
//
// Lifetime: one thread, the loop's. The sink is borrowed from open() until on_end() or close();
// it must not destroy the client from inside one of its callbacks (post the destruction).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sioconf/bytes.h"
#include "sioconf/eio/handshake.h"
#include "sioconf/eio/packet.h"
#include "sioconf/errc.h"
#include "sioconf/io/loop.h"
#include "sioconf/io/transport.h"
#include "sioconf/limits.h"

namespace sioconf::client {

namespace detail {
class Link;
}

/// Opens one TCP connection to the server: io::UvLoop::connect, io::SimLoop::connect.
using Connector = std::function<void(io::ConnectHandler done)>;

enum class TransportKind : std::uint8_t { polling, websocket };
/// "polling", "websocket".
std::string_view name(TransportKind kind) noexcept;

/// How a session ended, in socket.io-client's words (name()).
enum class EngineEnd : std::uint8_t { transport_close, transport_error, parse_error, ping_timeout };
/// "transport close", "transport error", "parse error", "ping timeout".
std::string_view name(EngineEnd end) noexcept;

struct EngineOptions {
  std::string host = "127.0.0.1";  // the Host header (host:port)
  std::string path = "/socket.io/";
  /// The first one opens the session; "websocket" after "polling" allows the upgrade.
  std::vector<TransportKind> transports{TransportKind::polling, TransportKind::websocket};
  bool upgrade = true;     // false: stay on the first transport
  std::uint64_t seed = 1;  // of the WebSocket keys and masks (RFC 6455 wants them unpredictable:
                           // a real client seeds from a random device, a test replays)
};

class EngineSink {
 public:
  virtual ~EngineSink() = default;
  /// The open packet arrived: the session is open.
  virtual void on_open(const eio::OpenHandshake& handshake) = 0;
  /// A message packet; `data` is valid only during the call.
  virtual void on_message(MessageKind kind, ByteView data) = 0;
  /// The session ended (see the table above), or the attempt failed when it was not open yet.
  /// Once; nothing runs after it.
  virtual void on_end(Errc why, EngineEnd how) = 0;
};

class EngineClient {
 public:
  EngineClient(io::Loop& loop, Connector connector, const Limits& limits = {}, EngineOptions options = {});
  /// Ends every connection at once; no sink callback runs from here on.
  ~EngineClient();
  EngineClient(const EngineClient&) = delete;
  EngineClient& operator=(const EngineClient&) = delete;

  /// Starts the handshake. Call once.
  void open(EngineSink& sink);
  /// Queues one message packet (sent once the session is open, in order). Returns none, io_closed
  /// after the end or close(), or the encoder's refusal (eio/packet_encoder.h).
  Errc send(MessageKind kind, ByteView data);
  /// Sends a close packet after what is queued and ends the session; the sink hears nothing more.
  void close();

  bool opened() const noexcept { return state_ == State::open; }
  bool ended() const noexcept { return state_ == State::closed; }
  const std::string& sid() const noexcept { return handshake_.sid; }
  const eio::OpenHandshake& handshake() const noexcept { return handshake_; }
  /// Nothing is in flight any more: after close(), its close packet went out (the POST was
  /// answered, the WebSocket ended). The owner may destroy the client then without cutting it.
  bool idle() const noexcept;
  /// The transport the session's packets go on now.
  TransportKind transport() const noexcept { return transport_; }

 private:
  enum class State : std::uint8_t { idle, opening, open, closed };
  enum class Probe : std::uint8_t { none, connecting, probing, pausing, done, failed };
  struct Out {
    eio::PacketType type;
    MessageKind kind;
    std::string data;
  };
  friend struct EngineClientAccess;

  std::string request(const std::string& method, const std::string& query, const std::string& body = {},
                      const std::string& extra = {}) const;
  std::unique_ptr<detail::Link> make_link();
  void retire(std::unique_ptr<detail::Link> link);
  void handshake_polling();
  void handshake_websocket();
  void on_packet(const eio::Packet& packet);
  void on_ws_message(int opcode, ByteView message, bool probe);
  bool take_open(const eio::Packet& packet);
  void opened_now();
  void take_body(std::string_view body);
  void poll();
  void flush();
  void push(Out out);
  void start_upgrade();
  void drop_probe();
  void try_finish_upgrade();
  void arm_heartbeat();
  void fail(Errc why, EngineEnd how);

  io::Loop& loop_;
  Connector connector_;
  std::shared_ptr<const Limits> limits_;
  EngineOptions options_;
  EngineSink* sink_ = nullptr;
  State state_ = State::idle;
  TransportKind transport_ = TransportKind::polling;
  eio::OpenHandshake handshake_;
  std::uint64_t rng_;

  std::unique_ptr<detail::Link> get_, post_, ws_, probe_link_;
  std::vector<std::unique_ptr<detail::Link>> graveyard_;
  std::deque<Out> queue_;
  Probe probe_ = Probe::none;
  bool closing_ = false;  // close() queued the close packet; the end follows its POST
  io::TimerId heartbeat_ = 0, probe_timer_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace sioconf::client
