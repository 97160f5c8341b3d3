// sioconf/ws/frame_encoder.h — RFC 6455 frames out, for either role.
//
//   Errc e = ws::encode_frame(wire, ws::Role::client, ws::Opcode::text, as_bytes("Hello"), true, key);
//
// Frames are appended to `out` (never cleared), minimal length encoding (RFC 6455 5.2), RSV 0.
// `role` is the SENDING endpoint's: a client masks with the caller's key (RFC 6455 5.3 wants it
// fresh and unpredictable per frame; the caller picks it so tests replay), a server never masks.
//
// It refuses what a sioconf decoder would reject, with the same Errc, and then appends nothing:
//   opcode not one of the six of frame.h               ws_reserved_opcode
//   control frame with fin = false                     ws_control_fragmented
//   control payload over 125 bytes                     ws_control_too_long
//   text with fin = true that is not UTF-8 (fragments
//     may end mid code point and are not checked)      ws_bad_utf8
//   close (encode_frame): a body of 1 byte             ws_close_payload_one_byte
//   close: code not is_valid_close_code, or no code
//     but a reason                                     ws_bad_close_code
//   close: reason not UTF-8                            ws_close_reason_utf8
//   close: code + reason over 125 bytes                ws_control_too_long
// Limits and frame order are the caller's business. Growing `out` may allocate (noexcept: a
// failed allocation terminates).
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
[[nodiscard]] Errc encode_frame(std::vector<std::uint8_t>& out, Role role, Opcode opcode, ByteView payload,
                                bool fin = true, const MaskKey& mask = {}) noexcept;

/// Appends a close frame: empty when `code` is absent (then `reason` must be empty), else the
/// big-endian code followed by the UTF-8 `reason` (RFC 6455 5.5.1). Refusals as above.
[[nodiscard]] Errc encode_close(std::vector<std::uint8_t>& out, Role role, std::optional<std::uint16_t> code,
                                std::string_view reason, const MaskKey& mask = {}) noexcept;

/// Appends only a header (the caller sends `payload_length` bytes after it, masked when
/// `header.masked`). No checks: it writes RSV bits and reserved opcodes as given, which is also
/// how tests build frames a decoder must refuse.
void encode_header(std::vector<std::uint8_t>& out, const FrameHeader& header) noexcept;

}  // namespace sioconf::ws
