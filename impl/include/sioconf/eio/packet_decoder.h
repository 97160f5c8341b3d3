// sioconf/eio/packet_decoder.h — Engine.IO v4 packets out of WebSocket messages.
//
// One call per transport message (what ws::MessageAssembler hands out, see ws/message_assembler.h):
//
//   eio::PacketDecoder dec(limits);
//   if (dec.feed(Message{MessageKind::text, bytes}, sink) == Status::error)   // sink.on_packet(...)
//     return close_session(dec.error());                                     // engine.io: "parse error"
//
// Every message is exactly one packet (engine.io-protocol v4, "Packet encoding / WebSocket"):
//
//   binary message   a `message` packet whose data is the message, as is (no type byte);
//                    an empty binary message is an empty binary `message`
//   text message     <type digit><data>; data is everything after the digit
//
// Rules, in the order they are checked; error().offset is absolute: the bytes of every message
// fed since construction or reset() before this one, plus the index given here:
//
//   message longer than Limits::eio_max_packet_bytes
//     (text or binary; checked before anything else)     limit_eio_packet_bytes @ eio_max_packet_bytes
//   text message of zero bytes                           eio_empty_packet       @ 0
//   first byte not '0'-'6'                               eio_bad_packet_type    @ 0
//   text not well-formed UTF-8                           eio_bad_utf8           @ the first bad byte,
//                                                                                 or the message's end
//   data rules, by type (sioconf is STRICTER than engine.io-parser 5.2.3 here, see below):
//     open: data is not the handshake (handshake.h)      eio_bad_open           @ 1
//     close, upgrade, noop: any data                     eio_unexpected_data    @ 1
//     ping, pong: data other than "" or "probe"          eio_unexpected_data    @ 1
//     message: any text                                  (accepted)
//
// Stricter than engine.io-parser 5.2.3 decodePacket(), which fails only on the type character
// (corpus/observed/eio-parser-5.2.3.txt Part A):
//   - '1x', '5x', '6x': it keeps the data (engine.io ignores it); no v4 peer sends any.
//   - '2x', '3x': v4 "Upgrade" gives ping/pong only the data "probe"; '2:4€' (a v3 payload sent
//     to a v4 peer) is ping ":4€" there.
//   - '0...': it accepts any data, even none; sioconf wants the handshake object.
//   - 'b...' in a TEXT frame: it decodes base64 (one function serves both transports); the "b"
//     prefix exists only in polling bodies (v4 "Packet encoding"), so here it is a bad type.
//   - UTF-8: ws already answers a bad text frame with 1007; checked again so the layer can be
//     driven without ws (fuzzers, the CLI).
//
// Errors are sticky: feed() and finish() return error, without calling the sink, until reset().
// Memory: no buffer; an open packet's JSON is parsed in a transient parser (bounded by
// eio_max_packet_bytes). Packet::data points into the caller's message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sioconf/bytes.h"
#include "sioconf/eio/packet.h"
#include "sioconf/errc.h"
#include "sioconf/limits.h"

namespace sioconf::eio {

class PacketDecoder {
 public:
  /// Of `limits` only eio_max_packet_bytes is used; it is copied.
  explicit PacketDecoder(const Limits& limits) noexcept;

  /// Decodes one whole transport message, calling `sink.on_packet` once when it is valid.
  ///   ok     the message was one valid packet, delivered to the sink
  ///   error  it broke a rule above; nothing was delivered; error() says which and where.
  ///          Sticky until reset().
  /// The message's bytes need to live only for the call.
  [[nodiscard]] Status feed(const Message& message, PacketSink& sink) noexcept;

  /// The end of the message stream: ok, or error if the decoder is in error. (Messages are
  /// whole, so nothing can be cut short; finish() is here so every layer ends the same way.)
  [[nodiscard]] Status finish() noexcept;

  /// The sticky error ({Errc::none, 0} while there is none).
  DecodeError error() const noexcept { return error_; }
  /// Bytes of all messages fed since construction or reset().
  std::uint64_t offset() const noexcept { return offset_; }
  /// Back to the start, same limits.
  void reset() noexcept;

 private:
  std::uint64_t max_packet_bytes_;
  std::uint64_t offset_ = 0;
  DecodeError error_{};
};

namespace detail {

/// Shared by PacketDecoder and PayloadDecoder (not part of the API): checks one text packet
/// that is within the size limit against every rule of the table above but the size limit.
/// `text` is a whole text message, or one polling record when `binary_out` is not null; a
/// record may also be "b" + strict base64, decoded into `*binary_out` (cleared first), and a
/// bad base64 text is eio_bad_base64 @ 1. On success returns {none, 0} and sets `out` (its data
/// views `text` or `*binary_out`); on failure returns the rule and the index into `text`.
struct TextVerdict {
  Errc code = Errc::none;
  std::size_t at = 0;
};
TextVerdict check_text_packet(ByteView text, std::vector<std::uint8_t>* binary_out, Packet& out) noexcept;

}  // namespace detail

}  // namespace sioconf::eio
