#include "sioconf/sio/packet_encoder.h"

#include <charconv>

#include "payload_checker.h"

namespace sioconf::sio {
namespace {

void append_uint(std::string& out, std::uint64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

bool is_ack_capable(PacketType t) noexcept { return t == PacketType::event || t == PacketType::ack || is_binary(t); }

Errc check_and_write(sioconf::detail::SioPayloadChecker& checker, const Limits& limits, PacketType type,
                     std::string_view nsp, std::optional<std::uint64_t> id, const JsonWriter& w,
                     EncodedPacket& out) noexcept {
  if (w.error() != Errc::none) return w.error();
  if (!w.empty() && !w.complete()) return Errc::json_syntax;                  // RFC 8259 2: one whole value
  if (static_cast<std::uint8_t>(type) > 6) return Errc::sio_bad_packet_type;  // socket.io-protocol v5
  const std::size_t count = w.attachment_count();
  if (count > 0) {
    // socket.io-parser Encoder: data with binary turns EVENT/ACK into BINARY_EVENT/BINARY_ACK.
    if (type == PacketType::event) type = PacketType::binary_event;
    else if (type == PacketType::ack) type = PacketType::binary_ack;
    else if (!is_binary(type)) return Errc::sio_unexpected_binary;  // only EVENT/ACK carry attachments
  } else if (is_binary(type)) {
    return Errc::sio_bad_attachments;  // socket.io-parser 4.2.7: a binary packet has one at least
  }
  const bool main_nsp = nsp == "/";
  const std::uint64_t size = 1 + (count ? sioconf::detail::decimal_digits(count) + 1 : 0) +
                             (main_nsp ? 0 : nsp.size() + 1) + (id ? sioconf::detail::decimal_digits(*id) : 0) +
                             w.json().size();
  // The decoder's order from here on (packet_decoder.h).
  if (size > limits.max_payload_bytes) return Errc::limit_payload_bytes;
  if (count > limits.max_attachments || count > 999'999'999) return Errc::limit_attachments;
  if (nsp.empty() || nsp.front() != '/') return Errc::sio_bad_namespace;  // else the decoder sees none
  std::size_t at = 0;
  // "/" is never written, so the decoder never checks it (not even against max_namespace_bytes).
  if (!main_nsp)
    if (const Errc e = sioconf::detail::check_namespace(nsp, limits, at); e != Errc::none) return e;
  if (id) {
    if (sioconf::detail::decimal_digits(*id) > limits.max_ack_id_digits) return Errc::limit_ack_id_digits;
    if (*id > limits.max_ack_id) return Errc::limit_ack_id;
    if (!is_ack_capable(type)) return Errc::sio_ack_id_not_allowed;  // as the decoder
  } else if (type == PacketType::ack || type == PacketType::binary_ack) {
    return Errc::sio_ack_without_id;  // socket.io-protocol v5: an ACK answers an id
  }
  if (const Errc e = checker.check(type, w.json(), static_cast<std::uint32_t>(count), limits); e != Errc::none)
    return e;
  if (w.attachment_bytes() > limits.max_attachment_bytes) return Errc::limit_attachment_bytes;

  out.text.reserve(static_cast<std::size_t>(size));
  out.text += static_cast<char>('0' + static_cast<int>(type));
  if (count) {
    append_uint(out.text, count);
    out.text += '-';
  }
  if (!main_nsp) {
    out.text += nsp;
    out.text += ',';
  }
  if (id) append_uint(out.text, *id);
  out.text += w.json();
  out.attachments.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    const ByteView a = w.attachment(i);
    out.attachments[i].assign(a.begin(), a.end());
  }
  return Errc::none;
}

}  // namespace

// ---- PacketEncoder ------------------------------------------------------------------------------

PacketEncoder::PacketEncoder(const Limits& limits) : limits_(shared_limits(limits)) {}
PacketEncoder::~PacketEncoder() = default;
PacketEncoder::PacketEncoder(PacketEncoder&&) noexcept = default;
PacketEncoder& PacketEncoder::operator=(PacketEncoder&&) noexcept = default;

Errc PacketEncoder::encode(PacketType type, std::string_view nsp, std::optional<std::uint64_t> id,
                           const JsonWriter& payload, EncodedPacket& out) noexcept {
  out.error = Errc::none;
  out.text.clear();  // attachments keep their capacity: check_and_write resizes them
  const Errc e = check_and_write(sioconf::detail::thread_checker(), *limits_, type, nsp, id, payload, out);
  if (e != Errc::none) {
    out.error = e;
    out.text.clear();
    out.attachments.clear();
  }
  return e;
}

EncodedPacket encode(PacketType type, std::string_view nsp, std::optional<std::uint64_t> id, const JsonWriter& payload,
                     const Limits& limits) noexcept {
  EncodedPacket out;
  out.error = check_and_write(sioconf::detail::thread_checker(), limits, type, nsp, id, payload, out);
  if (out.error != Errc::none) {
    out.text.clear();
    out.attachments.clear();
  }
  return out;
}

}  // namespace sioconf::sio
