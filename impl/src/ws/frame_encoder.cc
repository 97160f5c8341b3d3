#include "sioconf/ws/frame_encoder.h"

#include <array>
#include <cstring>

#include "sioconf/utf8.h"

namespace sioconf::ws {
namespace {

void append_frame(std::vector<std::uint8_t>& out, Role role, Opcode opcode, bool fin,
                  std::initializer_list<ByteView> parts, const MaskKey& mask) {
  FrameHeader h;
  h.fin = fin;
  h.opcode = opcode;
  h.masked = role == Role::client;  // RFC 6455 5.1: a client masks, a server does not
  h.mask = h.masked ? mask : MaskKey{};
  for (ByteView p : parts) h.payload_length += p.size();
  out.reserve(out.size() + header_size(h.payload_length, h.masked) + h.payload_length);
  encode_header(out, h);
  std::uint64_t offset = 0;  // payload bytes so far: where the key stands for the next part
  for (ByteView p : parts) {
    const std::size_t at = out.size();
    out.resize(at + p.size());
    if (h.masked) apply_mask(p, out.data() + at, h.mask, offset);
    else if (!p.empty()) std::memcpy(out.data() + at, p.data(), p.size());
    offset += p.size();
  }
}

}  // namespace

void encode_header(std::vector<std::uint8_t>& out, const FrameHeader& h) noexcept {
  out.push_back(static_cast<std::uint8_t>((h.fin ? 0x80 : 0) | (h.rsv & 0x7) << 4 |
                                          (static_cast<std::uint8_t>(h.opcode) & 0x0F)));
  const std::uint8_t mask_bit = h.masked ? 0x80 : 0;
  const std::uint64_t n = h.payload_length;
  if (n < 126) {  // RFC 6455 5.2: minimal length encoding
    out.push_back(static_cast<std::uint8_t>(mask_bit | n));
  } else if (n <= 0xFFFF) {
    out.push_back(static_cast<std::uint8_t>(mask_bit | 126));
    out.push_back(static_cast<std::uint8_t>(n >> 8));
    out.push_back(static_cast<std::uint8_t>(n));
  } else {
    out.push_back(static_cast<std::uint8_t>(mask_bit | 127));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(n >> shift));
  }
  if (h.masked) out.insert(out.end(), h.mask.begin(), h.mask.end());
}

Errc encode_frame(std::vector<std::uint8_t>& out, Role role, Opcode opcode, ByteView payload, bool fin,
                  const MaskKey& mask) noexcept {
  if (!is_known_opcode(static_cast<std::uint8_t>(opcode))) return Errc::ws_reserved_opcode;  // RFC 6455 5.2
  if (is_control(opcode)) {
    if (!fin) return Errc::ws_control_fragmented;                               // RFC 6455 5.5
    if (payload.size() > kMaxControlPayload) return Errc::ws_control_too_long;  // RFC 6455 5.5
    // A close body has rules of its own (RFC 6455 5.5.1): check it as a receiver would.
    if (opcode == Opcode::close && !payload.empty()) {
      if (payload.size() == 1) return Errc::ws_close_payload_one_byte;
      const auto code = static_cast<std::uint16_t>(payload[0] << 8 | payload[1]);
      if (!is_valid_close_code(code)) return Errc::ws_bad_close_code;
      if (!is_valid_utf8(payload.subspan(2))) return Errc::ws_close_reason_utf8;
    }
  } else if (opcode == Opcode::text && fin && !is_valid_utf8(payload)) {
    return Errc::ws_bad_utf8;  // RFC 6455 8.1 (a whole one-frame message only)
  }
  append_frame(out, role, opcode, fin, {payload}, mask);
  return Errc::none;
}

Errc encode_close(std::vector<std::uint8_t>& out, Role role, std::optional<std::uint16_t> code, std::string_view reason,
                  const MaskKey& mask) noexcept {
  if (!code) {
    if (!reason.empty()) return Errc::ws_bad_close_code;  // RFC 6455 5.5.1: a reason needs a code
    append_frame(out, role, Opcode::close, true, {}, mask);
    return Errc::none;
  }
  if (!is_valid_close_code(*code)) return Errc::ws_bad_close_code;               // RFC 6455 7.4
  if (!is_valid_utf8(as_bytes(reason))) return Errc::ws_close_reason_utf8;       // RFC 6455 5.5.1
  if (reason.size() + 2 > kMaxControlPayload) return Errc::ws_control_too_long;  // RFC 6455 5.5
  const std::array<std::uint8_t, 2> be{static_cast<std::uint8_t>(*code >> 8), static_cast<std::uint8_t>(*code)};
  append_frame(out, role, Opcode::close, true, {ByteView(be), as_bytes(reason)}, mask);
  return Errc::none;
}

}  // namespace sioconf::ws
