// sioconf/ws/frame.h — the vocabulary of RFC 6455 framing, shared by the frame decoder, the
// message assembler and the frame encoder.
//
// A frame on the wire (RFC 6455 5.2):
//
//   byte 0   FIN | RSV1 RSV2 RSV3 | opcode (4 bits)
//   byte 1   MASK | payload length (7 bits: 0-125, or 126 = 16-bit length follows,
//                                           or 127 = 64-bit length follows)
//   [2 or 8 bytes extended length, network order]  [4 bytes masking key if MASK]  payload
//
// so a header is 2 to 14 bytes. Nothing here allocates or throws.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sioconf/bytes.h"

namespace sioconf::ws {

/// The role of the endpoint that does the work. For a decoder it is the endpoint that RECEIVES:
/// a `server` decodes client frames, which must be masked; a `client` decodes server frames, which
/// must not be (RFC 6455 5.1). For an encoder it is the endpoint that SENDS: a `client` masks.
enum class Role : std::uint8_t { server, client };

/// The opcodes RFC 6455 5.2 defines. 0x3-0x7 and 0xB-0xF are reserved; a decoder never hands them
/// out (it fails with ws_reserved_opcode), so every FrameHeader holds one of these six.
enum class Opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

/// The 4-byte masking key (RFC 6455 5.3), in wire order.
using MaskKey = std::array<std::uint8_t, 4>;

/// Everything a frame header says (RFC 6455 5.2).
struct FrameHeader {
  bool fin = true;       // last frame of its message (always true for control frames)
  std::uint8_t rsv = 0;  // RSV1..RSV3 as bits 2..0; 0 without extensions
  Opcode opcode = Opcode::text;
  bool masked = false;               // whether `mask` applies
  MaskKey mask{};                    // meaningful only when `masked`
  std::uint64_t payload_length = 0;  // below 2^63 (the top bit is an error)
  friend bool operator==(const FrameHeader&, const FrameHeader&) = default;
};

/// The largest payload of a control frame (RFC 6455 5.5).
inline constexpr std::size_t kMaxControlPayload = 125;
/// The largest frame header: 2 + 8 (64-bit length) + 4 (masking key).
inline constexpr std::size_t kMaxHeaderBytes = 14;

/// Close, ping and pong are control frames (opcode with the high bit set, RFC 6455 5.5).
constexpr bool is_control(Opcode op) noexcept { return (static_cast<std::uint8_t>(op) & 0x8) != 0; }

/// True for the six opcodes above, false for the reserved ones (RFC 6455 5.2).
constexpr bool is_known_opcode(std::uint8_t op) noexcept { return op <= 0x2 || (op >= 0x8 && op <= 0xA); }

/// "continuation", "text", "binary", "close", "ping", "pong" (the adapter protocol's spelling);
/// "reserved" for any other value.
std::string_view name(Opcode op) noexcept;

/// Whether `code` may appear in a close frame on the wire (RFC 6455 7.4.1, 7.4.2 and the IANA
/// "WebSocket Close Code Number Registry" it sets up):
///   allowed   1000-1003, 1007-1014 (the registered codes), 3000-4999 (libraries, private use)
///   refused   0-999 (unused), 1004 (reserved), 1005, 1006 and 1015 (local-only pseudo codes that
///             "MUST NOT be set as a status code in a Close control frame"), 1016-2999 (not
///             assigned: a receiver cannot know what they mean), 5000 and above (no range)
constexpr bool is_valid_close_code(std::uint16_t code) noexcept {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

/// RFC 6455 5.3: out[i] = in[i] XOR mask[(offset + i) % 4], where `offset` is how many payload
/// bytes came before `in` in its frame. `out` may be `in.data()` (in place). Eight bytes at a
/// time; the decoder and the encoder both mask through here.
void apply_mask(ByteView in, std::uint8_t* out, const MaskKey& mask, std::uint64_t offset) noexcept;

/// The size of the header that carries `payload_length`, with or without a masking key, in the
/// minimal length encoding (RFC 6455 5.2).
constexpr std::size_t header_size(std::uint64_t payload_length, bool masked) noexcept {
  const std::size_t base = payload_length < 126 ? 2 : payload_length <= 0xFFFF ? 4 : 10;
  return base + (masked ? 4 : 0);
}

}  // namespace sioconf::ws
