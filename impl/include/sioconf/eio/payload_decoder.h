// sioconf/eio/payload_decoder.h — Engine.IO v4 packets out of an HTTP long-polling body.
//
// A polling body (a client POST, a server GET response) is records joined by 0x1e
// (engine.io-protocol v4, "Packet encoding / HTTP long-polling"):
//
//   4hello\x1e2\x1e4world   message "hello", ping, message "world"
//   4hello\x1ebAQIDBA==      message "hello", binary message <01 02 03 04>
//
//   eio::PayloadDecoder dec(limits);
//   Fed r = dec.feed(chunk, sink);                 // sink.on_packet(...) per complete record
//   if (r.status == Status::error) return reject(dec.error());
//   if (dec.finish(sink) == Status::error) ...     // the body's end: its last record
//
// A record is "b" + strict base64 (RFC 4648 4, sioconf/base64.h): a binary `message`; or else
// one text packet under every rule of packet_decoder.h.
//
// Rules; error().offset counts bytes since construction, reset() or the last finish():
//
//   the body's byte number eio_max_payload_bytes (exactly
//     the limit is accepted; engine.io answers 413 above)   limit_eio_payload_bytes   @ that byte
//   a record reaching eio_max_packet_bytes + 1 bytes         limit_eio_packet_bytes    @ record + limit
//   record number eio_max_payload_packets + 1 begins (at
//     the body's first byte, or after a separator)           limit_eio_payload_packets @ its first byte
//   when a record ends (separator or finish()):
//     empty record: leading, trailing or doubled 0x1e       eio_empty_record          @ its place
//     "b" + text that is not strict base64                   eio_bad_base64            @ record + 1
//     a text packet rule (packet_decoder.h)                  that Errc                 @ record + index
//   finish() on a body of zero bytes                         eio_empty_payload         @ 0
//
// Limits are checked as bytes arrive, content when a record ends: a record that is too long is
// refused for its length even if its first byte is a bad type. The packets and the error are
// the same however the body is cut into chunks.
//
// Where sioconf differs from engine.io-parser 5.2.3 decodePayload()
// (corpus/observed/eio-parser-5.2.3.txt Part A):
//   - strict base64: Node's Buffer.from skips bad characters and missing padding ("b!!!!",
//     "b====" are empty buffers, "bAQIDBA" is <01020304>); here each is eio_bad_base64.
//   - the stricter text rules of packet_decoder.h; a bound on records per body.
//   - engine.io refuses a body over maxHttpBufferSize whole (413, session kept); this decoder
//     streams, so records completed before the offending byte were delivered. For engine.io's
//     all-or-nothing answer, check Content-Length first or hold packets until finish().
//
// Errors are sticky: feed() returns {error, 0} and finish() error, without calling the sink,
// until reset().
//
// Memory: a record followed by its separator in the same chunk is handed out as a view into
// the chunk. A record cut by a chunk boundary, and the last record of the body, are copied into
// a spill buffer whose capacity never passes Limits::eio_max_packet_bytes (a record's length is
// checked before it is appended); "b" records decode into a second buffer (<= 3/4 of that).
// Both keep their capacity until reset(). decode_whole() copies no record at all.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sioconf/bytes.h"
#include "sioconf/eio/packet.h"
#include "sioconf/errc.h"
#include "sioconf/limits.h"

namespace sioconf::eio {

class PayloadDecoder {
 public:
  /// Limits used: eio_max_payload_bytes, eio_max_packet_bytes, eio_max_payload_packets; copied.
  explicit PayloadDecoder(const Limits& limits) noexcept;

  /// Decodes the next bytes of the body, calling `sink.on_packet` for each valid record that
  /// is followed by a separator, in order. Views are valid only during the sink's call.
  ///   need_more  all of `chunk` consumed, no error (never ok: only finish() ends a body)
  ///   error      a rule broke; `consumed` runs through the byte that revealed it: the byte over
  ///              a limit, or the separator that ended a bad record or began one too many (the
  ///              first record begins at the body's first byte). Sticky until reset().
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
  /// Bytes consumed since construction, reset() or the last successful finish().
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
  void spill(const std::uint8_t* from, const std::uint8_t* to) noexcept;
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
