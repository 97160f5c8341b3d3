// sioconf/sio/packet_decoder.h — Socket.IO v5 packets (with binary attachments) from Engine.IO
// messages.
//
//   sio::PacketDecoder dec(limits);
//   for each Engine.IO "message" packet m:                // text -> a packet, binary -> attachment
//     if (dec.feed(m, sink) == Status::error) return close(dec.error());
//   if (dec.finish() == Status::error) ...                 // connection ended mid-packet
//
// The unit is the MESSAGE, not the byte: feed() takes one whole Engine.IO message (a WebSocket
// message or one polling record, already reassembled by the layers below). A text message is a
// packet; a binary message is the next attachment of the binary packet being assembled. Packets
// come out through PacketSink::on_packet (packet.h), during the feed() that completes them: a
// text packet during its own feed(), a binary packet during the feed() of its last attachment.
//
// ---- A text message (no packet awaiting attachments), checked in this order ---------------------
// error().offset is the absolute byte offset of the offending byte, counted over every message fed
// since construction or reset() (binary ones too): `base` below is the offset of the message's
// first byte.
//
//   size > Limits::max_payload_bytes                        limit_payload_bytes   @ base + max
//   empty                                                   sio_empty_packet      @ base
//   type: first byte not '0'-'6'                            sio_bad_packet_type   @ base
//   BINARY_EVENT/BINARY_ACK only: the attachment count, digits then '-':
//     no digit, or no '-' after the digits                  sio_bad_attachments   @ that byte
//     10 or more digits, or a value > max_attachments       limit_attachments     @ first digit
//     the value 0                                           sio_bad_attachments   @ first digit
//   namespace: present iff the next byte is '/'; runs to the first ',' (consumed) or to the end of
//   the message; "/" when absent:
//     a control byte (< 0x20, 0x7f), '"', '[' or '{'       sio_bad_namespace     @ that byte
//     longer than Limits::max_namespace_bytes               limit_namespace_bytes @ first + max
//     not valid UTF-8                                       bad_utf8              @ that byte
//   ack id: the maximal run of '0'-'9' after the namespace (leading zeros allowed, counted):
//     more than Limits::max_ack_id_digits digits            limit_ack_id_digits   @ first + max
//     value > Limits::max_ack_id                            limit_ack_id          @ first digit
//     digits followed by '.', 'e', 'E', '+' or '-', or a
//     sign followed by a digit where the id would start     sio_bad_ack_id        @ that byte
//     on CONNECT, DISCONNECT, CONNECT_ERROR                 sio_ack_id_not_allowed @ first digit
//     absent on ACK, BINARY_ACK                             sio_ack_without_id    @ where it belongs
//   payload: the rest of the message; every error below is reported at its first byte (at the end
//   of the message when it is absent):
//     starts with JSON whitespace (space, \t, \n, \r)      sio_payload_leading_space
//     not one JSON value (RFC 8259; trailing whitespace
//     is fine), in order of detection                       json_syntax, json_bad_utf8,
//                                                           json_number (outside int64, uint64 or
//                                                           finite double), json_lone_surrogate
//     a value inside more than Limits::max_depth arrays/
//     objects (`["a",[1]]` is depth 2)                      limit_depth
//     per type:
//       CONNECT        optional; a JSON object              sio_connect_payload
//       DISCONNECT     none                                 sio_disconnect_payload (not parsed)
//       EVENT, BINARY_EVENT  required                       sio_missing_payload
//                      an array                             sio_event_not_array
//                      not empty                            sio_event_empty
//                      [0] a string or a number             sio_bad_event_name (CVE-2023-32695)
//                      [0] not connect, connect_error, disconnect, disconnecting, newListener,
//                      removeListener                       sio_reserved_event_name
//       ACK, BINARY_ACK      required; an array (may be []) sio_missing_payload, sio_ack_not_array
//       CONNECT_ERROR  required; a string or an object      sio_missing_payload,
//                                                           sio_connect_error_payload
//     BINARY_EVENT/BINARY_ACK, from the text alone, before any attachment arrives (fail fast),
//     walking the payload in document order:
//       an object with a key "_placeholder" that is not exactly
//       {"_placeholder":true,"num":<integer >= 0>} (two keys, any order; num an integer literal,
//       not 0.0 or 1e0)                                     sio_bad_placeholder (CVE-2022-2421)
//       num >= the attachment count                         sio_placeholder_range
//       a num already named by an earlier placeholder       sio_placeholder_duplicate
//       an attachment that no placeholder names             sio_attachment_unused
//     In the other types an object shaped like a placeholder is plain data (as socket.io-parser).
//
// ---- Message order -------------------------------------------------------------------------------
//   binary message while no packet awaits attachments       sio_unexpected_binary @ base
//   text message while a packet awaits attachments          sio_expected_binary   @ base
//   attachments of one packet above
//   Limits::max_attachment_bytes in total                   limit_attachment_bytes @ the first
//                                                           byte past the limit
//   finish() while a packet awaits attachments              truncated             @ end of input
//
// ---- Errors --------------------------------------------------------------------------------------
// Errors are sticky: after one, feed() and finish() return Status::error without looking at their
// input (and without counting it in the offsets), and error() keeps {code, offset} until reset().
// Packets completed before the error were delivered; the packet in progress is dropped.
//
// ---- Memory --------------------------------------------------------------------------------------
// A text packet is validated in place, never copied (core/json_fast.h, else core/json_scan.h); its
// views point into the caller's message. A binary packet's text (<= max_payload_bytes) and all its
// attachments but the last (<= max_attachment_bytes together) are copied; the last is viewed in
// place. Buffers are reused across packets and reset(): in steady state nothing is allocated.
//
// ---- Where sioconf differs from socket.io-parser 4.2.7 (corpus/observed/sio-parser-4.2.7.txt) --
// One line each: what sioconf does; what Node does; why.
//   - "" and " " are rejected; Node decodes both as CONNECT "/" (Number("") == 0); a type is a digit.
//   - Attachment count in digits only; Node's Number() also takes '51e0-', '50x1-', '5 1-', '5+1-'.
//   - Namespace without control bytes, '"', '[', '{'; Node: '2/nsp["a"]' is nsp '/nsp["a"]', data lost.
//   - Namespace at most max_namespace_bytes (256), valid UTF-8; Node has no bound.
//   - Ack id at most 16 digits and 2^53-1; Node takes any run (19 nines: 1e18); CVE-2020-36049 class.
//   - No ack id on CONNECT, DISCONNECT, CONNECT_ERROR; Node accepts '01{}'; only EVENT/ACK get answers.
//   - ACK and BINARY_ACK need an id; Node accepts '3[1]', an answer to no question.
//   - No whitespace before the payload; Node reads '2 ["a"]' as ack id 0, the server answers '30[...]'.
//   - EVENT, ACK, CONNECT_ERROR need a payload; Node accepts '2', '3', '4' ('44' kills the JS client).
//   - JSON depth at most max_depth (32); Node has none: ~5000 kills an echo server (that file's Part D).
//   - No lone surrogate escapes; numbers fit int64/uint64/double; Node: '"\ud800"' ok, 1e400 = Infinity.
//   - Placeholder exactly {"_placeholder":true,"num":<int>}; Node takes extra keys, num 0.5 = undefined.
//   - Duplicate placeholders and unused attachments are rejected; Node repeats or drops buffers it held.
//   - Placeholders are checked from the text; Node finds a bad num only after retaining every buffer.
//   - A packet's attachments are bounded together (max_attachment_bytes); Node bounds each message only.
//   - Packets keep their wire type (binary_event, binary_ack); Node's decoded object says EVENT/ACK.
#pragma once

#include <cstdint>
#include <memory>

#include "sioconf/bytes.h"
#include "sioconf/errc.h"
#include "sioconf/limits.h"
#include "sioconf/sio/packet.h"

namespace sioconf::detail {
struct SioBinaryPacket;
}

namespace sioconf::sio {

class PacketDecoder {
 public:
  /// Of `limits` (shared, limits.h) the decoder uses max_payload_bytes, max_depth,
  /// max_attachments, max_attachment_bytes, max_ack_id, max_ack_id_digits and
  /// max_namespace_bytes. It allocates only while a binary packet awaits its attachments (within
  /// those limits), and frees that when the packet completes.
  explicit PacketDecoder(const Limits& limits = {});
  ~PacketDecoder();
  /// Moving transfers the whole state (a packet in progress too); a moved-from decoder may only be
  /// destroyed or assigned to.
  PacketDecoder(PacketDecoder&&) noexcept;
  PacketDecoder& operator=(PacketDecoder&&) noexcept;
  PacketDecoder(const PacketDecoder&) = delete;
  PacketDecoder& operator=(const PacketDecoder&) = delete;

  /// Decodes one Engine.IO message: text = a packet, binary = the next attachment.
  ///   ok     the message was valid and taken; a packet it completed was passed to `sink`
  ///          (m.bytes need not outlive this call: what a binary packet needs is copied)
  ///   error  a rule or limit above was broken: see error(); sticky until reset()
  /// The Packet's views are valid only during on_packet. `sink` must not call back into this
  /// decoder; if it throws, std::terminate is called (feed is noexcept).
  [[nodiscard]] Status feed(const Message& m, PacketSink& sink) noexcept;

  /// The end of input: ok when no packet awaits attachments; error `truncated` (offset = the end
  /// of input) when one does; error again when already in error.
  [[nodiscard]] Status finish() noexcept;

  /// The sticky error ({Errc::none, 0} while there is none). offset: absolute byte offset over
  /// all messages fed since construction or reset(), see the table above.
  DecodeError error() const noexcept;

  /// Back to the initial state: no error, offset 0, no packet in progress. Keeps the limits.
  void reset() noexcept;

  /// True while a binary packet's text was taken and some of its attachments are still due.
  bool awaiting_attachments() const noexcept;

 private:
  Status fail(Errc code, std::uint64_t at) noexcept;
  Status text(std::string_view s, std::uint64_t base, PacketSink& sink) noexcept;
  Status binary(ByteView b, std::uint64_t base, PacketSink& sink) noexcept;

  std::shared_ptr<const Limits> limits_;
  DecodeError error_;
  std::uint64_t offset_ = 0;
  std::unique_ptr<sioconf::detail::SioBinaryPacket> binary_;  // the binary packet being assembled
};

}  // namespace sioconf::sio
