// sioconf/eio/packet_encoder.h — Engine.IO v4 packets out, for WebSocket and for polling.
//
//   std::vector<std::uint8_t> frame;
//   Errc e = eio::encode_packet({PacketType::message, MessageKind::text, as_bytes("hello")}, frame);
//   // frame = "4hello"; send a binary frame exactly when packet.data_kind is binary
//   std::string body;
//   e = eio::encode_payload(batch, body);        // "4hello\x1e2\x1ebAQIDBA=="
//
// WebSocket (v4 "Packet encoding / WebSocket"): text is <type digit><data>, binary is the bytes
// as is. Polling ("... / HTTP long-polling"): text as above, binary as "b" + padded base64,
// records joined by 0x1e.
//
// Both refuse what a sioconf decoder would reject, with the decoder's Errc, and leave the
// output as it was:
//   type not one of the seven of packet.h                     eio_bad_packet_type
//   binary data on a type other than message                  eio_unexpected_data
//   text data that is not UTF-8                                eio_bad_utf8
//   data on close/upgrade/noop, ping/pong data but "probe"     eio_unexpected_data
//   open data that is not the handshake (handshake.h)         eio_bad_open
// encode_payload also refuses:
//   no packets at all (an empty body is no payload)            eio_empty_payload
//   text data holding 0x1e                                     eio_separator_in_text
// engine.io-parser 5.2.3 writes message "a\x1eb" as "4a\x1eb", which decodes as message "a"
// plus an empty binary message (corpus/observed/eio-parser-5.2.3.txt Part A): sioconf
// refuses rather than corrupts. Socket.IO never sends a raw 0x1e (JSON escapes it).
//
// No Limits are checked (the receiver enforces its own). Growing the output may allocate
// (noexcept: a failed allocation terminates).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "sioconf/bytes.h"
#include "sioconf/eio/packet.h"
#include "sioconf/errc.h"

namespace sioconf::eio {

/// Appends the WebSocket message of `packet` to `out` (see above). Returns Errc::none, or the
/// refusal with `out` unchanged.
[[nodiscard]] Errc encode_packet(const Packet& packet, std::vector<std::uint8_t>& out) noexcept;

/// Appends the polling body of `packets` to `body` (see above). Returns Errc::none, or the
/// refusal of the first packet that cannot be encoded, with `body` unchanged.
[[nodiscard]] Errc encode_payload(std::span<const Packet> packets, std::string& body) noexcept;

}  // namespace sioconf::eio
