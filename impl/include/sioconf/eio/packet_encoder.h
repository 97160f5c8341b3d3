// sioconf/eio/packet_encoder.h — Engine.IO v4 packets out, for WebSocket and for polling.
//
//   std::vector<std::uint8_t> frame;
//   Errc e = eio::encode_packet({PacketType::message, MessageKind::text, as_bytes("hello")}, frame);
//   // frame = "4hello": send it as a TEXT frame
//   e = eio::encode_packet({PacketType::message, MessageKind::binary, bytes}, frame);
//   // frame = the bytes as is: send it as a BINARY frame
//
//   std::string body;
//   const eio::Packet batch[] = {msg("hello"), {PacketType::ping}, bin(bytes)};
//   e = eio::encode_payload(batch, body);       // body = "4hello\x1e2\x1ebAQIDBA=="
//
// The WebSocket message of a packet (engine.io-protocol v4, "Packet encoding / WebSocket"):
//   text data      <type digit><data>              sent as a text frame
//   binary data    the data itself, no type byte   sent as a binary frame (a `message` only)
// Send a binary frame exactly when packet.data_kind is MessageKind::binary.
//
// The polling body of a batch ("Packet encoding / HTTP long-polling"): each packet as
// <type digit><data> for text or "b" + base64 (RFC 4648 4, padded, as Node writes it) for
// binary, joined by 0x1e.
//
// Both refuse what a sioconf decoder would reject, with the decoder's Errc, and then leave the
// output as it was:
//   type not one of the seven of packet.h                     eio_bad_packet_type
//   binary data on a type other than message                  eio_unexpected_data
//   text data that is not UTF-8                                eio_bad_utf8
//   data on close, upgrade or noop; ping/pong data other
//     than "probe"                                             eio_unexpected_data
//   open data that is not the handshake (handshake.h)         eio_bad_open
// and encode_payload also refuses:
//   no packets at all (an empty body is not a payload)         eio_empty_payload
//   text data holding 0x1e                                     eio_separator_in_text
// The separator rule is where sioconf and engine.io-parser 5.2.3 part: its encodePayload writes
// message "a\x1eb" as "4a\x1eb", which decodes as message "a" and a "b" record (an empty binary
// message): the data is silently corrupted (reference-behaviour/eio-parser-5.2.3.txt Part A; the
// v4 spec only notes "this assumes the record separator is not used in the data"). Socket.IO
// never sends a raw 0x1e, because JSON.stringify escapes it as \u001e. Over WebSocket a text
// packet may hold 0x1e (each packet has its own frame).
//
// No Limits are checked: the receiver enforces its own (engine.io tells the client its
// maxPayload in the handshake; respecting it is the caller's batching decision). Growing the
// output may allocate (noexcept: a failed allocation terminates).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "sioconf/bytes.h"
#include "sioconf/errc.h"
#include "sioconf/eio/packet.h"

namespace sioconf::eio {

/// Appends the WebSocket message of `packet` to `out` (see above). Returns Errc::none, or the
/// refusal with `out` unchanged.
[[nodiscard]] Errc encode_packet(const Packet& packet, std::vector<std::uint8_t>& out) noexcept;

/// Appends the polling body of `packets` to `body` (see above). Returns Errc::none, or the
/// refusal of the first packet that cannot be encoded, with `body` unchanged.
[[nodiscard]] Errc encode_payload(std::span<const Packet> packets, std::string& body) noexcept;

}  // namespace sioconf::eio
