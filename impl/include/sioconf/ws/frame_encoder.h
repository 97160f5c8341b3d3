// sioconf/ws/frame_encoder.h — RFC 6455 frames out, for either role.
//
//   std::vector<std::uint8_t> wire;
//   if (Errc e = ws::encode_frame(wire, ws::Role::client, ws::Opcode::text, as_bytes("Hello"),
//                                 true, key); e != Errc::none) ...
//   ws::encode_close(wire, ws::Role::server, 1000, "bye");
//
// Frames are appended to `out` (never cleared) with the minimal length encoding (RFC 6455 5.2).
// `role` is the SENDING endpoint's: a client masks every frame with the caller's 4-byte key (RFC
// 6455 5.3: the key must be fresh and unpredictable per frame; choosing it is the caller's job, so
// that tests are reproducible), a server never masks. RSV bits are always 0.
//
// The encoder refuses what a sioconf decoder would reject, with the same Errc, and then appends
// nothing:
//   opcode not one of the six of frame.h               ws_reserved_opcode
//   control frame with fin = false                     ws_control_fragmented
//   control payload over 125 bytes                     ws_control_too_long
//   text frame with fin = true whose payload is not
//     complete UTF-8 (a fragment may end mid code point,
//     so only a whole one-frame message is checked)    ws_bad_utf8
//   close (encode_frame): a body of 1 byte             ws_close_payload_one_byte
//   close: code not is_valid_close_code                ws_bad_close_code
//   close: a reason without a code                     ws_bad_close_code
//   close: reason not UTF-8                            ws_close_reason_utf8
//   close: code + reason over 125 bytes                ws_control_too_long
// Receiver-side limits (Limits) are not the encoder's business; the sequence of frames (a
// continuation after a FIN frame, ...) is the caller's.
//
// Every function is noexcept; growing `out` may allocate (a failed allocation terminates).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "sioconf/bytes.h"
#include "sioconf/errc.h"
#include "sioconf/ws/frame.h"

namespace sioconf::ws {

/// Appends one frame carrying `payload`. `mask` is used only when `role` is client. Returns
/// Errc::none, or the refusal (see above) with `out` unchanged.
[[nodiscard]] Errc encode_frame(std::vector<std::uint8_t>& out, Role role, Opcode opcode,
                                ByteView payload, bool fin = true, const MaskKey& mask = {}) noexcept;

/// Appends a close frame: empty when `code` is absent (then `reason` must be empty), else the
/// big-endian code followed by the UTF-8 `reason` (RFC 6455 5.5.1). Refusals as above.
[[nodiscard]] Errc encode_close(std::vector<std::uint8_t>& out, Role role,
                                std::optional<std::uint16_t> code, std::string_view reason,
                                const MaskKey& mask = {}) noexcept;

/// Appends only the header of a frame (`header.payload_length` bytes are to follow, masked by the
/// caller when `header.masked`), for payloads sent in pieces. Writes exactly what it is given in
/// minimal length encoding, without any check: it is also how tests build frames a decoder must
/// refuse (RSV bits, reserved opcodes, ...), except non-minimal lengths.
void encode_header(std::vector<std::uint8_t>& out, const FrameHeader& header) noexcept;

}  // namespace sioconf::ws
