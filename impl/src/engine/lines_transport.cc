#include "sioconf/engine/lines_transport.h"

#include <string>
#include <vector>

#include "sioconf/eio/packet_decoder.h"
#include "sioconf/eio/packet_encoder.h"
#include "sioconf/ndjson/line_decoder.h"
#include "stream_close.h"

namespace sioconf::engine {

struct LinesTransport::State final : ndjson::LineSink, eio::PacketSink {
  State(io::Loop& l, io::TransportPtr connection, const Limits& limits, io::StreamOptions options)
      : loop(l),
        stream(l, std::move(connection), limits, options),
        max_buffered(limits.stream_max_buffered_bytes),
        high_water(options.high_water),
        lines(limits, /*validate_json=*/false),
        packets(limits) {}

  io::Loop& loop;
  io::Stream stream;
  std::size_t max_buffered, high_water;
  ndjson::LineDecoder lines;  // lines are split only: the packet decoder checks what they hold
  eio::PacketDecoder packets;
  TransportSink* sink = nullptr;
  std::vector<std::uint8_t> line;  // the packet being written, with its '\n'
  std::vector<std::function<void()>> close_done;
  bool reading = false, paused = false, input_ended = false, closing = false, closed = false;

  void read_next() {
    if (reading || paused || input_ended || closing) return;
    reading = true;
    (void)stream.read([this](Errc e, ByteView bytes) {
      reading = false;
      if (closing) return;
      if (e != Errc::none) return end_input(e);
      if (bytes.empty()) {  // the peer's end of stream: a last line cut short is an error
        return end_input(lines.finish(*this) == Status::error ? lines.error().code : Errc::none);
      }
      if (lines.feed(bytes, *this).status == Status::error) return end_input(lines.error().code);
      read_next();
    });
  }

  void end_input(Errc why) {
    if (input_ended || closing) return;
    input_ended = true;
    sink->on_input_end(why);
  }

  void on_line(std::string_view text) noexcept override {
    // The sink may have paused or closed the transport during an earlier line of this chunk; the
    // lines after it are dropped with the connection then (a paused transport keeps them: see
    // resume()).
    if (input_ended || closing) return;
    if (packets.feed(Message{MessageKind::text, as_bytes(text)}, *this) == Status::error)
      end_input(packets.error().code);
  }

  void on_packet(const eio::Packet& packet) noexcept override { sink->on_packet(packet); }

  // The line for `packet` in `line`, or the framing's refusal.
  Errc frame(const eio::Packet& packet) {
    if (packet.data_kind == MessageKind::binary) return Errc::engine_binary_unsupported;
    line.clear();
    if (const Errc e = eio::encode_packet(packet, line); e != Errc::none) return e;
    line.push_back('\n');
    return Errc::none;
  }
};

LinesTransport::LinesTransport(io::Loop& loop, io::TransportPtr connection, const Limits& limits,
                               io::StreamOptions stream)
    : state_(std::make_shared<State>(loop, std::move(connection), limits, stream)) {}

// The stream closes itself silently when it goes; no callback of ours runs after this.
LinesTransport::~LinesTransport() { state_->closing = true; }

void LinesTransport::start(TransportSink& sink) {
  state_->sink = &sink;
  state_->stream.on_drain([s = state_.get()] {
    if (!s->closing) s->sink->on_drain();
  });
  state_->read_next();
}

void LinesTransport::pause() { state_->paused = true; }

void LinesTransport::resume() {
  state_->paused = false;
  if (state_->sink != nullptr) state_->read_next();
}

Errc LinesTransport::send(const eio::Packet& packet) {
  State& s = *state_;
  if (s.closing) return Errc::io_closed;
  if (const Errc e = s.frame(packet); e != Errc::none) return e;
  if (s.stream.write(ByteView(s.line.data(), s.line.size())) == io::WriteStatus::refused)
    return s.stream.last_write_error();
  return Errc::none;
}

Errc LinesTransport::check_send(const eio::Packet& packet) const noexcept {
  State& s = *state_;
  if (s.closing) return Errc::io_closed;
  if (const Errc e = s.frame(packet); e != Errc::none) return e;
  if (s.stream.buffered() + s.line.size() > s.max_buffered) return Errc::limit_stream_buffered_bytes;
  return Errc::none;
}

bool LinesTransport::over_high_water() const noexcept { return state_->stream.buffered() > state_->high_water; }

void LinesTransport::close(bool graceful, std::function<void()> done) {
  close_stream_transport(state_, state_->stream, graceful, std::move(done));
}

}  // namespace sioconf::engine
