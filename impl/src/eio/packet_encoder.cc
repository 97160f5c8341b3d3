#include "sioconf/eio/packet_encoder.h"

#include <algorithm>

#include "sioconf/base64.h"
#include "sioconf/eio/packet_decoder.h"

namespace sioconf::eio {

namespace {

// The decoder's own rules, applied to the text form "<digit><data>" so that the encoder can
// never write what a sioconf decoder refuses.
Errc check(const Packet& packet, std::string& text) noexcept {
  if (static_cast<std::uint8_t>(packet.type) > static_cast<std::uint8_t>(PacketType::noop))
    return Errc::eio_bad_packet_type;
  if (packet.data_kind == MessageKind::binary)
    return packet.type == PacketType::message ? Errc::none : Errc::eio_unexpected_data;
  text.clear();
  text += static_cast<char>('0' + static_cast<int>(packet.type));
  text.append(as_text(packet.data));
  Packet decoded;
  return detail::check_text_packet(as_bytes(text), nullptr, decoded).code;
}

}  // namespace

Errc encode_packet(const Packet& packet, std::vector<std::uint8_t>& out) noexcept {
  std::string text;
  if (const Errc e = check(packet, text); e != Errc::none) return e;
  if (packet.data_kind == MessageKind::binary) {  // v4: binary frames carry the bytes as is
    out.insert(out.end(), packet.data.begin(), packet.data.end());
  } else {
    out.insert(out.end(), text.begin(), text.end());
  }
  return Errc::none;
}

Errc encode_payload(std::span<const Packet> packets, std::string& body) noexcept {
  if (packets.empty()) return Errc::eio_empty_payload;
  const std::size_t size_before = body.size();
  std::string text;
  for (std::size_t i = 0; i < packets.size(); ++i) {
    const Packet& packet = packets[i];
    Errc e = check(packet, text);
    // v4 payload: no escaping exists, so a raw separator would split the record.
    if (e == Errc::none && packet.data_kind == MessageKind::text &&
        std::find(packet.data.begin(), packet.data.end(), 0x1e) != packet.data.end())
      e = Errc::eio_separator_in_text;
    if (e != Errc::none) {
      body.resize(size_before);
      return e;
    }
    if (i != 0) body += '\x1e';
    if (packet.data_kind == MessageKind::binary) {
      body += 'b';  // v4 payload: binary as "b" + base64
      body += base64_encode(packet.data);
    } else {
      body += text;
    }
  }
  return Errc::none;
}

}  // namespace sioconf::eio
