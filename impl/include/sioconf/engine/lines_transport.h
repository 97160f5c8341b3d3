// sioconf/engine/lines_transport.h — Engine.IO packets as lines over one byte stream.
//
//   auto transport = std::make_unique<engine::LinesTransport>(loop, std::move(connection), limits);
//   engine::Session session(loop, std::move(transport), limits);   // session.h
//
// The framing: one Engine.IO text packet per '\n'-terminated line, as on a WebSocket text frame
// (`<type digit><data>`): `40` is a message packet carrying the Socket.IO CONNECT `0`, `2` a
// ping. A Socket.IO packet never holds a raw newline (JSON escapes it), so a line is exactly one
// packet. Binary packets have no form here: send() refuses them (engine_binary_unsupported).
//
// Reading, in this order of checks (each ends the input with on_input_end(why)):
//   a line longer than Limits::ndjson_max_line_bytes     limit_ndjson_line_bytes
//   a line that is not an Engine.IO packet               the rule of eio/packet_decoder.h, e.g.
//     (Limits::eio_max_packet_bytes applies)               eio_bad_packet_type, eio_empty_packet
//   the peer's end of stream inside a line                ndjson_truncated
//   a read error                                          io_reset, ...
// The peer's end of stream after a whole line is on_input_end(Errc::none); the transport can
// still send until close().
//
// Writing goes through an io::Stream (stream.h): its high- and low-water marks are
// over_high_water() and on_drain(), and Limits::stream_max_buffered_bytes bounds the queue.
#pragma once

#include <memory>

#include "sioconf/engine/transport.h"
#include "sioconf/io/loop.h"
#include "sioconf/io/stream.h"
#include "sioconf/io/transport.h"
#include "sioconf/limits.h"

namespace sioconf::engine {

class LinesTransport final : public Transport {
 public:
  /// Takes the connection. Of `limits`: ndjson_max_line_bytes, eio_max_packet_bytes,
  /// stream_max_buffered_bytes.
  LinesTransport(io::Loop& loop, io::TransportPtr connection, const Limits& limits = {}, io::StreamOptions stream = {});
  ~LinesTransport() override;

  std::string_view name() const noexcept override { return "lines"; }
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
