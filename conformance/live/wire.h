// The runner's side of the wire: one TCP connection to the server under test, as a scenario's
// client uses it. It writes what the steps say, cut as the run's shaping says; it reads HTTP
// responses and, after a 101 to its own upgrade request, WebSocket messages; it logs both
// directions with timestamps. It decodes with the reference's own decoders (http, ws), so a
// server that breaks HTTP or WebSocket framing is caught here: violation() says what and where.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario.h"
#include "sioconf/http/response.h"
#include "sioconf/io/loop.h"
#include "sioconf/io/stream.h"
#include "sioconf/io/transport.h"
#include "sioconf/limits.h"
#include "sioconf/ws/frame.h"
#include "sioconf/ws/message_assembler.h"

namespace sioconf::live {

/// Opens a connection to the server under test (UvLoop::connect or SimLoop::connect).
using Connector = std::function<void(io::ConnectHandler)>;

/// What crossed the wire during one run: {"t": ms since the run began, "on": actor, "dir": ">"
/// (client to server), "<" (server to client) or "*" (an event: connect, end, timeout), "what"}.
/// Bounded: kMaxEntries entries of at most kMaxText characters; past that it counts what it drops.
class WireLog {
 public:
  static constexpr std::size_t kMaxEntries = 600;
  static constexpr std::size_t kMaxText = 400;
  explicit WireLog(io::Loop& loop) : loop_(loop), start_(loop.now()) {}
  void add(const std::string& actor, const char* dir, std::string what);
  json to_json() const;

 private:
  io::Loop& loop_;
  std::uint64_t start_;
  json entries_ = json::array();
  std::size_t dropped_ = 0;
};

/// The limits the runner reads a server with: generous (16 MiB messages and bodies) but bounded.
const Limits& client_limits();

/// A polling body as packets, decoded by the reference's payload decoder (binary records as
/// their bytes); nothing, with `error` saying what and where, when it breaks the format.
std::optional<std::vector<Packet>> body_packets(std::string_view body, std::string& error);

class Connection final : http::ResponseSink, ws::MessageSink {
 public:
  Connection(io::Loop& loop, WireLog& log, std::string actor, Shaping shaping, std::uint64_t seed);
  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  enum class State { idle, connecting, open, ended };
  State state() const noexcept { return state_; }
  /// Why it ended: "connection refused", "end of stream", "reset", "closed by the client".
  const std::string& end_reason() const noexcept { return end_reason_; }
  /// A rule of HTTP/1.1 or RFC 6455 the server broke (empty while none); reading stops there.
  const std::string& violation() const noexcept { return violation_; }

  /// Runs when something above changed (an arrival, the end, the last write done): from the
  /// loop, once per turn, never from inside a call of this connection.
  std::function<void()> on_change;

  void connect(const Connector& connector);
  /// Queues bytes; they go out cut as the shaping says, after what was queued before. `what`
  /// is the log's line for them.
  void write(std::string bytes, std::string what);
  /// True when everything queued was handed to the kernel.
  bool written() const noexcept { return queue_.empty() && writing_ == 0; }
  /// One client frame (masked with a fresh key unless `masked` is false).
  void write_frame(ws::Opcode opcode, std::string_view payload, bool fin = true, std::uint8_t rsv = 0,
                   bool masked = true);
  /// The bytes of such a frame, and (when `what` is given) its line for the log.
  std::string frame_bytes(ws::Opcode opcode, std::string_view payload, bool fin, std::uint8_t rsv, bool masked,
                          std::string* what);
  void stop_reading();
  void resume_reading();
  /// The client goes away: the connection is closed at once.
  void close();
  /// The client vanishes: the connection ends with a TCP reset, even after the server's end.
  void reset();

  /// Responses in arrival order; the caller pops what it used.
  std::deque<http::ReceivedResponse> responses;
  /// After a 101 to an upgrade request this connection sent: a WebSocket.
  bool websocket() const noexcept { return websocket_; }
  /// The WebSocket's data messages, as Engine.IO packets (text or binary), in arrival order.
  std::deque<Packet> messages;
  /// The server's close frame, once one arrived: its code (0 when it had none).
  std::optional<std::uint16_t> close_code;
  /// The Sec-WebSocket-Key of the last upgrade request written (to check the 101's accept).
  std::string websocket_key;

 private:
  void read_more();
  void on_bytes(ByteView bytes);
  void on_response(http::ReceivedResponse& response) noexcept override;
  void on_message(ws::Opcode opcode, ByteView message) noexcept override;
  void on_control(ws::Opcode opcode, ByteView payload) noexcept override;
  void on_close(std::optional<std::uint16_t> code, std::string_view reason) noexcept override;
  void pump();
  void end(std::string reason, bool close_stream = true);
  void changed();
  std::size_t next_cut();  // the next random cut: 1..1500 bytes

  io::Loop& loop_;
  WireLog& log_;
  std::string actor_;
  Shaping shaping_;
  std::uint64_t rng_;
  State state_ = State::idle;
  std::string end_reason_, violation_;
  std::unique_ptr<io::Stream> stream_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // false once destroyed
  std::deque<std::string> queue_;
  std::size_t writing_ = 0;  // pieces handed to the stream and not completed
  bool reading_ = true, read_pending_ = false, change_posted_ = false;
  http::ResponseParser responses_parser_;
  bool websocket_ = false;
  std::unique_ptr<ws::MessageAssembler> frames_;
};

}  // namespace sioconf::live
