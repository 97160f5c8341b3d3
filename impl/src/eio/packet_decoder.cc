#include "sioconf/eio/packet_decoder.h"

#include "sioconf/base64.h"
#include "sioconf/eio/handshake.h"
#include "sioconf/utf8.h"

namespace sioconf::eio {

namespace detail {

TextVerdict check_text_packet(ByteView text, std::vector<std::uint8_t>* binary_out, Packet& out) noexcept {
  if (text.empty()) return {Errc::eio_empty_packet, 0};
  const std::uint8_t lead = text[0];
  const bool base64_record = binary_out != nullptr && lead == 'b';  // v4: polling binary prefix
  if (!base64_record && (lead < '0' || lead > '6'))                 // v4: packet types 0-6
    return {Errc::eio_bad_packet_type, 0};
  const ByteView data = text.subspan(1);
  Utf8Validator utf8;
  const std::size_t good = utf8.feed(data);
  if (good < data.size() || !utf8.complete()) return {Errc::eio_bad_utf8, 1 + good};

  if (base64_record) {
    binary_out->clear();
    if (!base64_decode(as_text(data), *binary_out)) return {Errc::eio_bad_base64, 1};  // RFC 4648 4
    out = {PacketType::message, MessageKind::binary, ByteView(*binary_out)};
    return {};
  }
  const auto type = static_cast<PacketType>(lead - '0');
  switch (type) {
    case PacketType::open: {
      OpenHandshake handshake;
      if (parse_open(as_text(data), handshake) != Errc::none) return {Errc::eio_bad_open, 1};
      break;
    }
    case PacketType::close:
    case PacketType::upgrade:
    case PacketType::noop:
      if (!data.empty()) return {Errc::eio_unexpected_data, 1};  // v4: these carry no data
      break;
    case PacketType::ping:
    case PacketType::pong:
      // v4 "Upgrade": the only ping/pong data is the probe.
      if (!data.empty() && as_text(data) != "probe") return {Errc::eio_unexpected_data, 1};
      break;
    case PacketType::message: break;
  }
  out = {type, MessageKind::text, data};
  return {};
}

}  // namespace detail

PacketDecoder::PacketDecoder(const Limits& limits) noexcept : max_packet_bytes_(limits.eio_max_packet_bytes) {}

Status PacketDecoder::feed(const Message& message, PacketSink& sink) noexcept {
  if (error_) return Status::error;
  const std::uint64_t start = offset_;
  offset_ += message.bytes.size();
  if (message.bytes.size() > max_packet_bytes_) {  // engine.io maxPayload (ws 1009)
    error_ = {Errc::limit_eio_packet_bytes, start + max_packet_bytes_};
    return Status::error;
  }
  Packet packet;
  if (message.kind == MessageKind::binary) {  // v4: a binary frame is a message, no type byte
    packet = {PacketType::message, MessageKind::binary, message.bytes};
  } else {
    const detail::TextVerdict v = detail::check_text_packet(message.bytes, nullptr, packet);
    if (v.code != Errc::none) {
      error_ = {v.code, start + v.at};
      return Status::error;
    }
  }
  sink.on_packet(packet);
  return Status::ok;
}

Status PacketDecoder::finish() noexcept { return error_ ? Status::error : Status::ok; }

void PacketDecoder::reset() noexcept {
  offset_ = 0;
  error_ = {};
}

}  // namespace sioconf::eio
