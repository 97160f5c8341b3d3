#include "sioconf/engine/session.h"

namespace sioconf::engine {

Session::Session(TransportPtr transport, SessionOptions options)
    : transport_(std::move(transport)), options_(std::move(options)) {}

Session::~Session() = default;

void Session::start(SessionSink& sink) {
  sink_ = &sink;
  transport_->start(*this);
}

void Session::on_packet(const eio::Packet& packet) noexcept {
  if (ended_) return;
  ++counts_.packets_in;
  switch (packet.type) {
    case eio::PacketType::message: sink_->on_message(packet.data_kind, packet.data); break;
    case eio::PacketType::ping:  // engine.io-protocol v4: a ping is answered with a pong
      (void)send(eio::Packet{eio::PacketType::pong, MessageKind::text, {}});
      break;
    case eio::PacketType::close: end(Errc::none); break;
    default:  // pong, noop, upgrade, open: no heartbeat or upgrade on this session yet
      break;
  }
}

void Session::on_input_end(Errc why) noexcept {
  if (ended_) return;
  if (why != Errc::none) return end(why);
  sink_->on_input_end();
}

void Session::on_drain() noexcept {
  if (!waiting_for_drain_) return;
  waiting_for_drain_ = false;
  transport_->resume();
}

void Session::end(Errc why) {
  ended_ = true;
  sink_->on_end(why);
}

Errc Session::send(const eio::Packet& packet) {
  if (const Errc e = transport_->send(packet); e != Errc::none) return e;
  ++counts_.packets_out;
  if (!waiting_for_drain_ && transport_->over_high_water()) {
    waiting_for_drain_ = true;  // read no more requests until the answers drain
    transport_->pause();
  }
  return Errc::none;
}

Errc Session::send_message(MessageKind kind, ByteView data) {
  return send(eio::Packet{eio::PacketType::message, kind, data});
}

Errc Session::check_message(MessageKind kind, ByteView data) const noexcept {
  return transport_->check_send(eio::Packet{eio::PacketType::message, kind, data});
}

void Session::close(bool graceful, std::function<void()> done) {
  ended_ = true;
  transport_->close(graceful, std::move(done));
}

}  // namespace sioconf::engine
