// sioconf/eio/payload_decoder.h — Engine.IO v4 packets out of an HTTP long-polling body.
//
// A polling body (a POST from the client, a GET response from the server) is one or more
// records joined by the record separator 0x1e (engine.io-protocol v4, "Packet encoding / HTTP
// long-polling"):
//
//   4hello\x1e2\x1e4world      message "hello", ping, message "world"
//   4hello\x1ebAQIDBA==         message "hello", binary message <01 02 03 04>
//
// Feed the body in chunks as it arrives, then end it:
//
//   eio::PayloadDecoder dec(limits);                      // one decoder per body (or reset())
//   Fed r = dec.feed(chunk, sink);                        // sink.on_packet(...) per record
//   if (r.status == Status::error) return reject(dec.error());
//   ...
//   if (dec.finish(sink) == Status::error) ...            // emits the last record, or refuses
//
// A record is:
//   b<base64>    a binary `message` packet; the base64 must be strict (RFC 4648 4: padded, the
//                standard alphabet only, zero unused bits; sioconf/base64.h)
//   anything     one text packet, with every rule of PacketDecoder (packet_decoder.h): type digit
//                '0'-'6', UTF-8, and the data rules on open/close/ping/pong/upgrade/noop
//
// Rules; error().offset is the absolute offset in the body (bytes since construction/reset()):
//
//   the body's byte number Limits::eio_max_payload_bytes
//     (so exactly eio_max_payload_bytes is accepted,
//     like engine.io, which answers 413 above it)          limit_eio_payload_bytes   @ that byte
//   a record reaching eio_max_packet_bytes + 1 bytes         limit_eio_packet_bytes    @ record + eio_max_packet_bytes
//   record number eio_max_payload_packets + 1 begins
//     (records begin at the body's first byte and
//     right after each separator)                            limit_eio_payload_packets @ its first byte
//   at each record's end (separator or finish()), its content:
//     empty record: leading, trailing or doubled 0x1e       eio_empty_record          @ where it would start
//     "b" + text that is not strict base64                   eio_bad_base64            @ record + 1
//     any rule of a text packet (packet_decoder.h)           same Errc                 @ record + its index
//   finish() on a body of zero bytes                         eio_empty_payload         @ 0
//
// Limits are checked as the bytes arrive, content when a record ends; errors come in body
// order in that sense. So a record that is too long is refused for its length even when its
// first byte was already a bad type. The transcript (the packets delivered and the error) is
// the same however the body is cut into chunks.
//
// Where sioconf differs from engine.io-parser 5.2.3 decodePayload() (reference-behaviour Part A):
//   - base64 is strict. Node's Buffer.from(s, "base64") skips bad characters and accepts missing
//     padding: "b!!!!" and "b====" are an empty buffer there, "bAQIDBA" is <01020304>. All are
//     eio_bad_base64 here. "b" alone is strict base64 of nothing: an empty binary message in both.
//   - the text packet rules of packet_decoder.h (data on close/upgrade/noop, ping data other
//     than "probe", open without the handshake) which engine.io-parser does not check.
//   - a bound on records per body (Limits::eio_max_payload_packets); engine.io has none.
//   - errors in both stop at the first bad record, earlier records having been delivered; but
//     engine.io refuses a body over maxHttpBufferSize before decoding anything (HTTP 413, and
//     the session stays open), whereas this decoder streams: records completed before the
//     offending byte were delivered. A server that needs engine.io's all-or-nothing answer
//     checks Content-Length first, or holds packets until finish().
//
// Errors are sticky: after one, feed() returns {error, 0} and finish() returns error, without
// calling the sink, until reset().
//
// Memory: a record that lies wholly inside one chunk and is followed by a separator in that
// chunk is handed out as a view into the chunk, with no copy. A record cut by a chunk boundary,
// and the body's last record (a view into the final chunk would die before finish()), is copied
// into a spill buffer that never grows past Limits::eio_max_packet_bytes, because a record's
// length is checked before its bytes are appended. Base64 records are decoded into a second
// buffer of at most 3/4 of that. Both keep their capacity until reset(). decode_whole() hands
// out even the last record without a copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sioconf/bytes.h"
#include "sioconf/errc.h"
#include "sioconf/limits.h"
#include "sioconf/eio/packet.h"

namespace sioconf::eio {

class PayloadDecoder {
 public:
  /// Limits used: eio_max_payload_bytes, eio_max_packet_bytes, eio_max_payload_packets; copied.
  explicit PayloadDecoder(const Limits& limits) noexcept;

  /// Decodes the next bytes of the body, calling `sink.on_packet` for each record that is
  /// complete (followed by a separator) and valid, in order.
  ///   need_more  all of `chunk` consumed and no error. (A body is complete only at finish():
  ///              until then the last record may go on, so ok is never returned.)
  ///   error      a rule broke; `consumed` counts the bytes read before stopping, through the
  ///              byte that revealed the error: the byte over a limit, the separator that ended
  ///              a bad record or began one record too many (for the first record: the body's
  ///              first byte). Sticky until reset().
  /// The sink's views are valid only during its call: they point into `chunk` or into the
  /// decoder's buffers.
  [[nodiscard]] Fed feed(ByteView chunk, PacketSink& sink) noexcept;

  /// The end of the body: checks and emits its last record.
  ///   ok     every record was valid and delivered; the decoder is ready for the next body
  ///          (as after reset(), but its buffers keep their capacity)
  ///   error  the body was empty (eio_empty_payload), ended with a separator (eio_empty_record),
  ///          or its last record broke a rule; or the decoder was already in error. Sticky.
  [[nodiscard]] Status finish(PacketSink& sink) noexcept;

  /// feed(body) then finish(), for a body held whole in memory, without copying any record.
  /// Same packets, same error, same offsets as the two calls. Returns ok or error.
  [[nodiscard]] Status decode_whole(ByteView body, PacketSink& sink) noexcept;

  /// The sticky error ({Errc::none, 0} while there is none).
  DecodeError error() const noexcept { return error_; }
  /// Bytes consumed since construction or reset().
  std::uint64_t offset() const noexcept { return offset_; }
  /// Records begun so far (the one in progress included).
  std::uint32_t records() const noexcept { return records_; }
  /// Back to the start of a new body, same limits; releases both buffers.
  void reset() noexcept;

 private:
  // feed(), or with `tail` set (decode_whole) a last record that started in `chunk` is left in
  // place as *tail instead of being spilled.
  Fed feed_impl(ByteView chunk, PacketSink& sink, ByteView* tail) noexcept;
  Status finish_impl(ByteView tail, PacketSink& sink) noexcept;
  bool begin_record(std::uint64_t at) noexcept;
  bool end_record(ByteView record, PacketSink& sink) noexcept;
  void fail(Errc code, std::uint64_t offset) noexcept;

  std::uint64_t max_payload_bytes_;
  std::uint64_t max_packet_bytes_;
  std::uint32_t max_packets_;
  std::uint64_t offset_ = 0;
  std::uint64_t record_start_ = 0;  // absolute offset of the current record's first byte
  std::uint32_t records_ = 0;
  std::vector<std::uint8_t> spill_;   // the current record's bytes from earlier chunks
  std::vector<std::uint8_t> binary_;  // a decoded "b" record
  DecodeError error_{};
};

}  // namespace sioconf::eio
