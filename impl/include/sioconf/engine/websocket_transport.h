// sioconf/engine/websocket_transport.h — Engine.IO over one WebSocket (engine.io-protocol v4,
// RFC 6455), the server's end of a connection handed over after the opening handshake
// (http/websocket.h).
//
// Reading: the WebSocket messages (ws/message_assembler.h, server role: frames must be masked),
// each one Engine.IO packet (a text message `<type digit><data>`, a binary message a binary
// message packet). A ping frame is answered with a pong carrying its payload. What ends the
// input (TransportSink::on_input_end), with the close frame the transport answers:
//   a frame or message rule, a ws limit     its Errc; close with ws_close_code(Errc) (1002,
//                                           1007, 1008, 1009)
//   a message that is no Engine.IO packet   eio's Errc (eio_bad_packet_type, ...); close 1002
//   the client's close frame                Errc::none; the same close code back
//   the connection's end or failure         Errc::none / io_reset
// Writing: one text or binary message per packet, unmasked (a server never masks), through an
// io::Stream: its high- and low-water marks are over_high_water() and on_drain(), and
// Limits::stream_max_buffered_bytes bounds the queue. While the stream is over its high-water
// mark the transport reads nothing (pings included: a client that floods pings and reads no
// pongs is not read either); a pong refused for that limit ends the input with its Errc.
// close(graceful) sends the close frame 1000 first, then shuts the stream down.
#pragma once

#include <memory>
#include <string>

#include "sioconf/engine/transport.h"
#include "sioconf/io/loop.h"
#include "sioconf/io/stream.h"
#include "sioconf/limits.h"

namespace sioconf::engine {

class WebSocketTransport final : public Transport {
 public:
  /// `stream` and `rest` come from http::Exchange::upgrade(): the bytes already read after the
  /// handshake are the first of the stream. Of `limits`: ws_max_frame_bytes,
  /// ws_max_message_bytes, ws_max_fragments, eio_max_packet_bytes, stream_max_buffered_bytes.
  WebSocketTransport(io::Loop& loop, std::unique_ptr<io::Stream> stream, std::string rest, const Limits& limits = {},
                     std::size_t high_water = 65'536);
  ~WebSocketTransport() override;

  std::string_view name() const noexcept override { return "websocket"; }
  void start(TransportSink& sink) override;
  void pause() override;
  void resume() override;
  [[nodiscard]] Errc send(const eio::Packet& packet) override;
  [[nodiscard]] Errc check_send(const eio::Packet& packet) const noexcept override;
  bool over_high_water() const noexcept override;
  void close(bool graceful, std::function<void()> done) override;

  struct State;  // private

 private:
  std::shared_ptr<State> state_;
};

}  // namespace sioconf::engine
