// Private to the client layer: one TCP connection of the Engine.IO client. It carries exactly one
// HTTP request and its response (a polling GET or POST, a handshake), or a WebSocket once a 101
// answered its upgrade request. One request per connection ("Connection: close") is deliberate:
// a kept-alive connection that the server closes while the client writes the next request on it
// is a race no retry rule of Engine.IO covers, and on loopback a connection costs microseconds.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "sioconf/bytes.h"
#include "sioconf/client/engine_client.h"
#include "sioconf/errc.h"
#include "sioconf/http/response.h"
#include "sioconf/io/loop.h"
#include "sioconf/io/stream.h"
#include "sioconf/limits.h"
#include "sioconf/ws/frame.h"
#include "sioconf/ws/message_assembler.h"

namespace sioconf::client::detail {

class Link final : http::ResponseSink, ws::MessageSink {
 public:
  struct Events {
    /// The response to the request (a 101 was checked and made this link a WebSocket). Once.
    std::function<void(http::ReceivedResponse&)> on_response;
    /// A WebSocket data message.
    std::function<void(ws::Opcode opcode, ByteView message)> on_message;
    /// The link is over: client_transport_closed (the server's end of stream or close frame),
    /// io_reset / io_connect_failed, or the rule the server's bytes broke (an HTTP, RFC 6455 or
    /// limit error). Once; nothing runs after it.
    std::function<void(Errc why)> on_end;
  };

  /// `websocket_key` non-empty: the request is an upgrade, the 101 must carry its accept.
  Link(io::Loop& loop, const Limits& limits, std::uint64_t seed, Events events);
  ~Link() override;
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;

  /// Replaces the events (before start(), or to bind them to the link's own address).
  void set_events(Events events) { events_ = std::move(events); }
  /// Connects and writes `request` once connected.
  void start(const Connector& connector, std::string request, std::string websocket_key = {});
  /// One masked frame (WebSocket only; dropped before the 101 or after the end).
  void send_frame(ws::Opcode opcode, ByteView payload);
  /// Writes a close frame (code 1000) after what is queued, then ends the writing side.
  void close_gracefully();
  /// Ends the connection at once; no event runs after this.
  void abort();
  bool websocket() const noexcept { return websocket_; }
  bool ended() const noexcept { return ended_; }

 private:
  void on_response(http::ReceivedResponse& response) noexcept override;
  void on_message(ws::Opcode opcode, ByteView message) noexcept override;
  void on_control(ws::Opcode opcode, ByteView payload) noexcept override;
  void on_close(std::optional<std::uint16_t> code, std::string_view reason) noexcept override;
  void read_more();
  void on_bytes(ByteView bytes);
  void end(Errc why);
  ws::MaskKey next_mask() noexcept;

  io::Loop& loop_;
  std::shared_ptr<const Limits> limits_;
  std::uint64_t rng_;
  Events events_;
  std::unique_ptr<io::Stream> stream_;
  http::ResponseParser parser_;
  std::unique_ptr<ws::MessageAssembler> frames_;
  std::string key_;
  bool websocket_ = false, ended_ = false, responded_ = false, closing_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace sioconf::client::detail
