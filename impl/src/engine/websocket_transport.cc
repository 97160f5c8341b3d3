#include "sioconf/engine/websocket_transport.h"

#include <optional>
#include <utility>
#include <vector>

#include "sioconf/eio/packet_decoder.h"
#include "sioconf/eio/packet_encoder.h"
#include "sioconf/ws/frame_encoder.h"
#include "sioconf/ws/message_assembler.h"
#include "stream_close.h"

namespace sioconf::engine {
namespace {

// An outgoing message and its frame are built and handed to the stream, which copies them, with
// nothing else running in between: the transports of a thread share these two buffers rather than
// each keeping its own (memory of idle connections).
std::vector<std::uint8_t>& message_buffer() {
  thread_local std::vector<std::uint8_t> buffer;
  return buffer;
}
std::vector<std::uint8_t>& frame_buffer() {
  thread_local std::vector<std::uint8_t> buffer;
  return buffer;
}

}  // namespace

struct WebSocketTransport::State final : ws::MessageSink, eio::PacketSink, std::enable_shared_from_this<State> {
  State(io::Loop& l, std::unique_ptr<io::Stream> s, std::string r, const Limits& limits, std::size_t hw)
      : loop(l),
        stream(std::move(s)),
        rest(std::move(r)),
        max_buffered(limits.stream_max_buffered_bytes),
        high_water(hw),
        messages(ws::Role::server, limits),
        packets(limits) {}

  io::Loop& loop;
  std::unique_ptr<io::Stream> stream;
  std::string rest;  // bytes read before the hand-over
  std::size_t max_buffered, high_water;
  ws::MessageAssembler messages;
  eio::PacketDecoder packets;
  TransportSink* sink = nullptr;
  std::vector<std::function<void()>> close_done;
  bool reading = false, paused = false, input_ended = false, close_sent = false, closing = false, closed = false;
  // The stream is over its high-water mark: no more reading until it drains, whoever wrote (the
  // session's packets, or the pongs this transport owes to the client's pings).
  bool stream_full = false;

  void read_next() {
    if (reading || paused || stream_full || input_ended || closing) return;
    if (!rest.empty()) {  // the bytes that came with the handshake, first
      std::string first = std::move(rest);
      rest.clear();
      return take(as_bytes(first));
    }
    reading = true;
    std::weak_ptr<State> weak = weak_from_this();
    (void)stream->read([weak](Errc e, ByteView bytes) {
      const auto self = weak.lock();
      if (!self || self->closing) return;
      self->reading = false;
      if (e != Errc::none) return self->end_input(e);
      if (bytes.empty())
        return self->end_input(self->messages.finish() == Status::error ? self->messages.error().code : Errc::none);
      self->take(bytes);
    });
  }

  void take(ByteView bytes) {
    const auto self = shared_from_this();  // the sink may close and drop the transport
    if (messages.feed(bytes, *this).status == Status::error) return fail(messages.error().code);
    if (!input_ended && !closing) read_next();
  }

  void on_message(ws::Opcode opcode, ByteView message) noexcept override {
    if (input_ended || closing) return;
    const Message m{opcode == ws::Opcode::text ? MessageKind::text : MessageKind::binary, message};
    if (packets.feed(m, *this) == Status::error) fail(packets.error().code);
  }
  void on_packet(const eio::Packet& packet) noexcept override {
    if (!input_ended && !closing && sink != nullptr) sink->on_packet(packet);
  }
  void on_control(ws::Opcode opcode, ByteView payload) noexcept override {
    if (opcode != ws::Opcode::ping || input_ended || closing) return;
    if (const Errc e = write_frame(ws::Opcode::pong, payload); condition(e) == Condition::limit) fail(e);
  }
  void on_close(std::optional<std::uint16_t> code, std::string_view) noexcept override {
    send_close(code);
    end_input(Errc::none);
  }

  // A rule broke: the close frame with its code, then the end of the input.
  void fail(Errc why) {
    const std::uint16_t code = ws_close_code(why);
    send_close(code != 0 ? code : std::uint16_t{1002});
    end_input(why);
  }

  void end_input(Errc why) {
    if (input_ended) return;
    input_ended = true;
    if (sink != nullptr) sink->on_input_end(why);
  }

  void send_close(std::optional<std::uint16_t> code) {
    if (close_sent || closing) return;
    close_sent = true;
    std::vector<std::uint8_t>& frame = frame_buffer();
    frame.clear();
    if (ws::encode_close(frame, ws::Role::server, code, {}) == Errc::none)
      (void)stream->write(ByteView(frame.data(), frame.size()));
  }

  Errc write_frame(ws::Opcode opcode, ByteView payload) {
    if (close_sent || closing) return Errc::io_closed;
    std::vector<std::uint8_t>& frame = frame_buffer();
    frame.clear();
    if (const Errc e = ws::encode_frame(frame, ws::Role::server, opcode, payload); e != Errc::none) return e;
    const io::WriteStatus status = stream->write(ByteView(frame.data(), frame.size()));
    if (status == io::WriteStatus::refused) return stream->last_write_error();
    if (status == io::WriteStatus::over_high_water) stream_full = true;
    return Errc::none;
  }

  // The WebSocket message of `packet` in message_buffer(), and its opcode.
  static Errc encode(const eio::Packet& packet, ws::Opcode& opcode) {
    std::vector<std::uint8_t>& scratch = message_buffer();
    scratch.clear();
    if (const Errc e = eio::encode_packet(packet, scratch); e != Errc::none) return e;
    opcode = packet.data_kind == MessageKind::binary ? ws::Opcode::binary : ws::Opcode::text;
    return Errc::none;
  }
};

WebSocketTransport::WebSocketTransport(io::Loop& loop, std::unique_ptr<io::Stream> stream, std::string rest,
                                       const Limits& limits, std::size_t high_water)
    : state_(std::make_shared<State>(loop, std::move(stream), std::move(rest), limits, high_water)) {}

// The stream closes itself silently when it goes; no callback of ours runs after this.
WebSocketTransport::~WebSocketTransport() {
  state_->closing = true;
  state_->sink = nullptr;
}

void WebSocketTransport::start(TransportSink& sink) {
  state_->sink = &sink;
  state_->stream->on_drain([weak = std::weak_ptr<State>(state_)] {
    const auto s = weak.lock();  // the sink may close and drop the transport
    if (!s) return;
    s->stream_full = false;
    if (s->closing || s->sink == nullptr) return;
    s->sink->on_drain();
    if (s->sink != nullptr) s->read_next();
  });
  state_->read_next();
}

void WebSocketTransport::pause() { state_->paused = true; }

void WebSocketTransport::resume() {
  state_->paused = false;
  if (state_->sink != nullptr) state_->read_next();
}

Errc WebSocketTransport::send(const eio::Packet& packet) {
  State& s = *state_;
  if (s.closing || s.close_sent) return Errc::io_closed;
  ws::Opcode opcode{};
  if (const Errc e = s.encode(packet, opcode); e != Errc::none) return e;
  const std::vector<std::uint8_t>& message = message_buffer();
  return s.write_frame(opcode, ByteView(message.data(), message.size()));
}

Errc WebSocketTransport::check_send(const eio::Packet& packet) const noexcept {
  State& s = *state_;
  if (s.closing || s.close_sent) return Errc::io_closed;
  ws::Opcode opcode{};
  if (const Errc e = s.encode(packet, opcode); e != Errc::none) return e;
  if (s.stream->buffered() + message_buffer().size() + 14 > s.max_buffered) return Errc::limit_stream_buffered_bytes;
  return Errc::none;
}

bool WebSocketTransport::over_high_water() const noexcept { return state_->stream->buffered() > state_->high_water; }

void WebSocketTransport::close(bool graceful, std::function<void()> done) {
  if (graceful) state_->send_close(1000);  // nothing once closing: the close frame goes once
  close_stream_transport(state_, *state_->stream, graceful, std::move(done));
}

}  // namespace sioconf::engine
