// sioconf/ws/message_assembler.h — RFC 6455 messages out of a byte stream.
//
// The assembler runs a FrameDecoder (frame_decoder.h, whose frame rules all apply) and puts data
// frames together into messages:
//
//   ws::MessageAssembler in(ws::Role::server, limits);
//   Fed r = in.feed(buf, sink);       // on_message / on_control / on_close, in stream order
//   if (r.status == Status::error)    // answer with a close frame carrying ws_close_code(code)
//     return close_with(ws_close_code(in.error().code));
//
// Message rules, each checked as soon as the offending byte arrives (error().offset is its
// absolute stream offset):
//
//   continuation frame with no message in progress           ws_unexpected_continuation @ byte 0
//   text/binary frame while a fragmented message is open     ws_expected_continuation   @ byte 0
//   the message's (N+1)th frame, N = Limits::ws_max_fragments limit_ws_fragments         @ byte 0
//     (every frame counts, empty ones too: CVE-2026-48779 was a flood of tiny fragments)
//   running total of the message's frame lengths above
//     Limits::ws_max_message_bytes, known from a header      limit_ws_message_bytes     @ length byte
//   a byte that cannot continue UTF-8 in a text message,
//     across fragment boundaries (fail fast, RFC 6455 8.1)   ws_bad_utf8 @ that byte
//   text message ending inside a code point                  ws_bad_utf8 @ the end of its last frame
//   close payload of exactly 1 byte                          ws_close_payload_one_byte  @ length byte
//   close code not allowed on the wire (is_valid_close_code) ws_bad_close_code @ its first byte
//   close reason not UTF-8                                   ws_close_reason_utf8 @ the bad byte,
//                                                            or @ the frame's end when cut short
//
// Control frames (ping, pong, close) may come between the fragments of a message (RFC 6455 5.4)
// and are handed out at once. After a close frame the stream is over: any further byte is
// ws_frame_after_close (from the frame decoder), and a fragmented message still open is dropped
// undelivered (the peer chose to close; that is no truncation). Frame rules are checked before
// message rules.
// `ws_close_code(error().code)` (errc.h) is the close code to answer each error with (1002, 1007,
// 1008 or 1009).
//
// Memory: the message is gathered in one buffer that never grows past
// Limits::ws_max_message_bytes, because the total is checked from each frame header before its
// payload is read. That single bound makes a separate limit on buffered bytes or on the number of
// retained parts unnecessary: there are no parts (CVE-2026-48779 in ws was about a retained part
// count), and a flood of empty fragments is cut by Limits::ws_max_fragments. A message that comes
// in one frame, wholly inside one input (unmasked) or one 4 KiB scratch piece (masked), is handed
// out without a copy. Control payloads (<= 125 bytes) use a fixed array. The buffer keeps its
// capacity from one message to the next; reset() releases it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "sioconf/bytes.h"
#include "sioconf/errc.h"
#include "sioconf/limits.h"
#include "sioconf/utf8.h"
#include "sioconf/ws/frame.h"
#include "sioconf/ws/frame_decoder.h"

namespace sioconf::ws {

/// Receives the messages of a stream. Views are valid only during the call (they point into the
/// assembler's buffer, its scratch, or the caller's input). Callbacks must not call back into the
/// assembler.
class MessageSink {
 public:
  virtual ~MessageSink() = default;
  /// A complete data message. `opcode` is text or binary; a text message is valid UTF-8.
  virtual void on_message(Opcode opcode, ByteView message) noexcept = 0;
  /// A ping or pong frame with its (possibly empty) payload, at most 125 bytes.
  virtual void on_control(Opcode opcode, ByteView payload) noexcept = 0;
  /// A close frame: its status code, if the payload has one (then it is is_valid_close_code), and
  /// its reason (valid UTF-8, empty when absent). Nothing follows it.
  virtual void on_close(std::optional<std::uint16_t> code, std::string_view reason) noexcept = 0;
};

class MessageAssembler : private FrameSink {
 public:
  /// `role` is the receiving endpoint's (a server receives masked frames). Limits used:
  /// ws_max_frame_bytes, ws_max_message_bytes, ws_max_fragments; they are copied.
  MessageAssembler(Role role, const Limits& limits) noexcept;

  /// Decodes the next bytes of the stream, calling `sink` for each message, control frame and
  /// close, in order.
  ///   ok         all of `in` consumed; at a frame boundary with no fragmented message open
  ///              (or after the close frame)
  ///   need_more  all of `in` consumed; a frame or a fragmented message is incomplete
  ///   error      a frame or message rule broke (see the table above); `consumed` counts the
  ///              bytes read before stopping. Sticky: every later feed() returns {error, 0}
  ///              until reset(). Messages completed before the error were delivered.
  [[nodiscard]] Fed feed(ByteView in, MessageSink& sink) noexcept;

  /// The end of the stream: ok at a message boundary (or after close); error `truncated` at the
  /// stream's end offset inside a frame or a fragmented message; error again if already in error.
  [[nodiscard]] Status finish() noexcept;

  /// The sticky error ({Errc::none, 0} while there is none).
  DecodeError error() const noexcept { return frames_.error() ? frames_.error() : error_; }
  /// Bytes consumed since construction or reset().
  std::uint64_t offset() const noexcept { return frames_.offset(); }
  /// True once a close frame was received.
  bool closed() const noexcept { return frames_.closed(); }
  /// Back to the start of a new stream, same role and limits; frees the message buffer.
  void reset() noexcept;

 private:
  Verdict on_frame_header(const FrameHeader& header) noexcept override;
  Verdict on_frame_payload(ByteView piece) noexcept override;
  Verdict on_frame_end() noexcept override;
  Verdict close_payload(ByteView piece) noexcept;
  void append(ByteView piece) noexcept;

  FrameDecoder frames_;
  std::uint64_t max_message_bytes_;
  std::uint32_t max_fragments_;
  MessageSink* sink_ = nullptr;  // set for the duration of feed()
  DecodeError error_{};          // errors found by finish(); the decoder holds the others

  FrameHeader frame_{};           // the frame being read
  std::uint64_t frame_done_ = 0;  // its payload bytes seen so far

  bool in_message_ = false;  // a data message is open (between its first and FIN frame)
  Opcode message_opcode_ = Opcode::text;
  std::uint64_t message_bytes_ = 0;  // sum of the lengths of its frames so far
  std::uint32_t message_frames_ = 0;
  std::vector<std::uint8_t> buffer_;
  ByteView direct_;  // a one-frame message handed through without a copy
  bool use_direct_ = false;
  Utf8Validator utf8_;

  std::array<std::uint8_t, kMaxControlPayload> control_{};
  std::uint8_t control_size_ = 0;
  Utf8Validator reason_utf8_;
};

}  // namespace sioconf::ws
