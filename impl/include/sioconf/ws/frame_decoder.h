// sioconf/ws/frame_decoder.h — incremental RFC 6455 frame decoder (both roles).
//
// Bytes in, frame events out, with any chunking:
//
//   ws::FrameDecoder dec(ws::Role::server, limits);
//   Fed r = dec.feed(buf, sink);                  // on_frame_header / on_frame_payload* / on_frame_end
//   buf = buf.subspan(r.consumed);
//   if (r.status == Status::error) return fail(dec.error(), ws_close_code(dec.error().code));
//   ...
//   if (dec.finish() == Status::error) ...        // the peer hung up inside a frame
//
// What it checks, frame by frame (RFC 6455 5.2-5.5), each as soon as the byte that breaks it
// arrives; error().offset is the absolute stream offset of that byte:
//
//   byte 0         RSV1-3 set (no extension is ever negotiated)      ws_reserved_bits
//                  opcode 0x3-0x7, 0xB-0xF                            ws_reserved_opcode
//                  control frame (close/ping/pong) with FIN clear     ws_control_fragmented
//   byte 1         MASK clear and role server                         ws_unmasked_frame
//                  MASK set and role client                           ws_masked_frame
//                  control frame with length code 126 or 127          ws_control_too_long
//                  7-bit length > Limits::ws_max_frame_bytes          limit_ws_frame_bytes
//   byte 2         64-bit length with its top bit set                 ws_length_top_bit
//   (ext. length)  16-bit length < 126, 64-bit length < 65536         ws_non_minimal_length @ byte 2
//                  length > Limits::ws_max_frame_bytes                limit_ws_frame_bytes @ byte 2
//   after close    any byte after a complete close frame              ws_frame_after_close
//
// So an oversized frame is refused from its header, before any payload is read. A close frame
// ends the stream (RFC 6455 5.5.1: nothing may follow it): closed() turns true and any further
// byte is ws_frame_after_close. Message rules (continuations, UTF-8, close payloads, message
// limits) are not checked here: they are the sink's, see message_assembler.h, which reports them
// through the Verdict below. Frame rules are checked before the sink sees the header.
//
// Memory: the decoder owns a fixed 14-byte header spill and allocates nothing. Masked payloads
// are unmasked into a 4 KiB scratch buffer shared by the decoders of a thread (an idle
// connection holds none; a decoder fed from inside another's callback uses 256 bytes of stack
// instead). It never writes to its input.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "sioconf/bytes.h"
#include "sioconf/errc.h"
#include "sioconf/limits.h"
#include "sioconf/ws/frame.h"

namespace sioconf::ws {

/// A sink's answer to one event. `code == Errc::none` lets the decoder go on; any other code
/// stops it: feed() returns Status::error and error() becomes {code, offset}, where the offset is
///   on_frame_header   the frame's first byte + `at` (an index into the header: 0 for a rule on
///                     FIN/opcode, 1 for a rule on a 7-bit length, 2 for an extended length)
///   on_frame_payload  the frame's first payload byte + `at` (an index into the frame's payload,
///                     so it may point into an earlier piece)
///   on_frame_end      the offset just past the frame (`at` is ignored)
struct Verdict {
  Errc code = Errc::none;
  std::uint64_t at = 0;
};

/// Receives the frames of a stream. Every callback is noexcept; none may call back into the
/// decoder that invoked it.
class FrameSink {
 public:
  virtual ~FrameSink() = default;
  /// A complete, valid header. For a frame with an empty payload on_frame_end follows directly.
  virtual Verdict on_frame_header(const FrameHeader& header) noexcept = 0;
  /// The next bytes of the payload, already UNMASKED, never empty. A payload split across feeds
  /// (or longer than the scratch, when masked) comes as several pieces, in order; they add
  /// up to header.payload_length. The view is valid only during this call: it points into the
  /// caller's input (unmasked frames) or into the scratch (masked frames).
  virtual Verdict on_frame_payload(ByteView piece) noexcept = 0;
  /// The frame is complete.
  virtual Verdict on_frame_end() noexcept = 0;
};

class FrameDecoder {
 public:
  /// `role` is the receiving endpoint's (see Role). Of `limits` only ws_max_frame_bytes is used;
  /// it is copied.
  FrameDecoder(Role role, const Limits& limits) noexcept;

  /// Decodes the next bytes of the stream, calling `sink` for each event.
  ///   ok         all of `in` consumed; the stream is at a frame boundary (or closed)
  ///   need_more  all of `in` consumed; a frame is partly read (at most its 14-byte header is held
  ///              back in the spill; payload is passed on as it arrives)
  ///   error      a frame or sink rule broke; `consumed` counts the bytes read before stopping:
  ///              through the header byte that revealed a header error, through the whole piece
  ///              a sink refused. The offending byte is at error().offset, which may lie in an
  ///              earlier input. Sticky: every later feed() returns {error, 0} until reset().
  [[nodiscard]] Fed feed(ByteView in, FrameSink& sink) noexcept;

  /// The end of the stream. ok at a frame boundary (or after a close frame); error `truncated`,
  /// at the offset where the stream ended, inside a frame; error again if already in error.
  [[nodiscard]] Status finish() noexcept;

  /// The sticky error ({Errc::none, 0} while there is none).
  DecodeError error() const noexcept { return error_; }
  /// Bytes consumed since construction or reset().
  std::uint64_t offset() const noexcept { return offset_; }
  /// True once a complete close frame was decoded.
  bool closed() const noexcept { return state_ == State::closed; }
  /// Back to the start of a new stream, same role and limits.
  void reset() noexcept;

 private:
  enum class State : std::uint8_t { header, payload, closed, error };

  Status fail(Errc code, std::uint64_t offset) noexcept;
  // Checks header byte `have_ - 1` just added to the spill; returns Errc::none or the rule broken,
  // with its offset in `at` (relative to the frame start).
  Errc check_header_byte(std::uint64_t& at) noexcept;
  Verdict end_frame(FrameSink& sink) noexcept;

  Role role_;
  std::uint64_t max_frame_bytes_;
  State state_ = State::header;
  std::uint8_t have_ = 0;  // header bytes in spill_
  std::uint8_t need_ = 2;  // header size, known once byte 1 is in
  std::array<std::uint8_t, kMaxHeaderBytes> spill_{};
  FrameHeader header_{};
  std::uint64_t frame_start_ = 0;  // absolute offset of the current frame's first byte
  std::uint64_t payload_done_ = 0;
  std::uint64_t offset_ = 0;
  DecodeError error_{};
};

}  // namespace sioconf::ws
