// sioconf/engine/polling_transport.h — Engine.IO over HTTP long-polling (engine.io-protocol v4).
//
// The engine server (server.h) hands this transport every GET and POST that names its session:
//   GET    answered at once with every queued packet (one payload, eio/packet_encoder.h), or
//          held until send() queues one; the answer is "text/plain; charset=UTF-8"
//   POST   its body is one payload (eio/payload_decoder.h): each packet goes to the sink, in
//          order, then 200 "ok"
// What ends the transport's input (TransportSink::on_input_end), as engine.io does it:
//   a second GET while one is held           the held one gets the close packet "1", the second
//                                            400; engine_duplicate_poll
//   a second POST while one is being read    400; engine_post_overlap
//   a body that is no valid payload          400; its decoder's Errc (eio_bad_packet_type, ...)
//   the client's close packet (in a POST)    the held GET gets a noop "6"; Errc::none
//   the connection of a held GET goes away   engine_transport_gone
// Writing: send() queues (bounded by Limits::stream_max_buffered_bytes of encoded bytes:
// limit_stream_buffered_bytes, and by Limits::eio_max_queued_packets packets:
// limit_eio_queued_packets); packets sent in one turn of the loop leave in one answer.
// over_high_water() is true while more than StreamOptions::high_water bytes wait for a GET.
// pause() holds POSTs unread until resume() (the read side of backpressure). close(graceful):
// the held (or next) GET gets what is queued, the GET after it the close packet alone
// (socket.io-client must see a DISCONNECT before the close to report "io server disconnect");
// without a GET within `close_timeout_ms` the transport closes anyway. After the client's side
// ended (its close packet, an error) it closes at once.
#pragma once

#include <memory>

#include "sioconf/engine/transport.h"
#include "sioconf/http/server.h"
#include "sioconf/io/loop.h"
#include "sioconf/io/stream.h"
#include "sioconf/limits.h"

namespace sioconf::engine {

struct PollingOptions {
  std::size_t high_water = 65'536;         // queued bytes above which over_high_water() is true
  std::uint64_t close_timeout_ms = 1'000;  // a graceful close waits this long for a GET
};

class PollingTransport final : public Transport {
 public:
  /// Of `limits`: eio_max_payload_bytes, eio_max_packet_bytes, eio_max_payload_packets (POST
  /// bodies), stream_max_buffered_bytes and eio_max_queued_packets (the queue).
  PollingTransport(io::Loop& loop, const Limits& limits = {}, PollingOptions options = {});
  ~PollingTransport() override;

  /// A GET or POST of this session (the server has checked its sid and transport). After the
  /// transport closed it is answered 400 with engine.io's "Session ID unknown".
  void handle(http::Exchange exchange);

  std::string_view name() const noexcept override { return "polling"; }
  void start(TransportSink& sink) override;
  void pause() override;
  void resume() override;
  [[nodiscard]] Errc send(const eio::Packet& packet) override;
  [[nodiscard]] Errc check_send(const eio::Packet& packet) const noexcept override;
  bool over_high_water() const noexcept override;
  void close(bool graceful, std::function<void()> done) override;
  std::vector<QueuedPacket> take_unsent() override;

  struct State;  // private

 private:
  std::shared_ptr<State> state_;
};

/// engine.io's 400 answer {"code":N,"message":"..."} for an engine_* refusal (server.h).
http::Response engine_refusal(Errc why);

}  // namespace sioconf::engine
