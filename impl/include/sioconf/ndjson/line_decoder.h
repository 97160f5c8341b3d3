// sioconf/ndjson/line_decoder.h — newline-delimited JSON (NDJSON / JSON Lines) over a byte stream.
//
// The framing of a naive Node line splitter, without its bug: it did `buffer += chunk` and
// searched for '\n', so a peer that never sends one grows the buffer forever. Here a line is
// bounded by Limits::ndjson_max_line_bytes and refused as soon as it passes it.
//
//   ndjson::LineDecoder dec(limits);
//   Fed r = dec.feed(buf, sink);                 // sink.on_line(json_text) per complete line
//   buf = buf.subspan(r.consumed);
//   if (r.status == Status::error) return fail(dec.error());
//   ...
//   if (dec.finish(sink) == Status::error) ...   // the peer hung up inside a line
//
// The stream is a sequence of lines, each ended by '\n' (0x0A). Per line, in this order:
//
//   rule                                                          error (offset)
//   more than Limits::ndjson_max_line_bytes bytes before its '\n' limit_ndjson_line_bytes
//     (a trailing '\r' counts; refused at the first byte past      (that byte: line start + limit)
//     the limit, before the '\n' is seen, so nothing more than
//     the limit is ever held)
//   one '\r' right before the '\n' is dropped (NDJSON 1.0 3.2:
//     CRLF line ends); a '\r' anywhere else is JSON whitespace,
//     left in the text (a sender must not write it, 3.1, but the
//     line is still one JSON value, so it is accepted)
//   nothing left: an empty line ("\n" or "\r\n")                  ndjson_empty_line (line start)
//   not exactly one JSON value (RFC 8259), whitespace around it   json_syntax, json_bad_utf8,
//     allowed; nested deeper than Limits::max_depth                json_number, json_lone_surrogate,
//                                                                  limit_depth (line start)
//
// The end of the stream (finish()) must fall just after a '\n': bytes of a last line without its
// '\n' are `truncated` (offset: the end of the stream) and never reach the sink. sioconf treats
// the stream as a connection, where an unterminated line means the peer stopped mid-line; a file
// reader that wants JSON Lines' optional last newline can append one before finishing.
//
// Empty lines (NDJSON 1.0 3.2 lets a parser ignore them silently, if it documents that): sioconf
// does not ignore them, an empty line is an error. No encoder writes one, and a stream of "\n"
// would otherwise be free work for the receiver with nothing to show for it.
//
// Views and memory: a line that lies within one feed() input is passed to the sink as a view into
// that input (no copy). Only a line split across inputs is copied into the decoder's spill buffer,
// which grows to at most Limits::ndjson_max_line_bytes. JSON validation uses an internal parser
// whose memory grows to the longest line seen (so also bounded by that limit).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sioconf/bytes.h"
#include "sioconf/errc.h"
#include "sioconf/limits.h"

namespace sioconf::detail {
class JsonScanner;
}  // namespace sioconf::detail

namespace sioconf::ndjson {

/// Receives the lines of a stream, in order. The callback is noexcept and must not call back into
/// the decoder that invoked it.
class LineSink {
 public:
  virtual ~LineSink() = default;
  /// One complete, validated line: exactly one JSON value (possibly with JSON whitespace around
  /// it), without its '\n' and without a '\r' that preceded the '\n'. Never empty. The view is
  /// valid only during this call: it points into the caller's input, or into the decoder's spill
  /// buffer when the line was split across inputs.
  virtual void on_line(std::string_view json_text) noexcept = 0;
};

class LineDecoder {
 public:
  /// Of `limits`, ndjson_max_line_bytes and max_depth are used; they are copied. With
  /// `validate_json` false the decoder only splits and bounds lines (empty lines are still an
  /// error), and what a line holds is the caller's to check: the session layer carries one raw
  /// Engine.IO text packet per line this way.
  explicit LineDecoder(const Limits& limits = {}, bool validate_json = true) noexcept;
  ~LineDecoder();
  LineDecoder(const LineDecoder&) = delete;
  LineDecoder& operator=(const LineDecoder&) = delete;

  /// Decodes the next bytes of the stream; calls `sink` once per complete valid line.
  ///   ok         all of `chunk` consumed; the stream is at a line boundary (just after a '\n')
  ///   need_more  all of `chunk` consumed; a line is partly read (its bytes are in the spill)
  ///   error      a line broke a rule (see the table above). `consumed` counts the bytes read:
  ///              through the '\n' of a line that failed validation or was empty, through the
  ///              first byte past the limit of an overlong line. The lines before it in `chunk`
  ///              have been delivered. error() holds {code, absolute offset}; sticky: every later
  ///              feed() returns {error, 0} and finish() returns error, until reset().
  [[nodiscard]] Fed feed(ByteView chunk, LineSink& sink) noexcept;

  /// The end of the stream. ok just after a '\n' (or for an empty stream); error `truncated`, at
  /// the stream's end offset, when a last line lacks its '\n' (its bytes are dropped, not
  /// validated); error again if already in error. `sink` is not called (an unterminated line is
  /// never delivered); it is taken so the signature matches a decoder that would deliver it.
  [[nodiscard]] Status finish(LineSink& sink) noexcept;

  /// The sticky error ({Errc::none, 0} while there is none). The offset counts bytes from
  /// construction or the last reset().
  DecodeError error() const noexcept { return error_; }
  /// Bytes consumed since construction or reset().
  std::uint64_t offset() const noexcept { return offset_; }
  /// Complete lines delivered since construction or reset().
  std::uint64_t lines() const noexcept { return lines_; }
  /// Bytes the spill buffer has reserved (for tests and monitoring): never above
  /// Limits::ndjson_max_line_bytes, however the stream is chunked.
  std::size_t spill_capacity() const noexcept { return spill_.capacity(); }
  /// Back to the start of a new stream, same limits. Keeps the spill's capacity.
  void reset() noexcept;

 private:
  Fed fail(Errc code, std::uint64_t at, std::size_t consumed) noexcept;
  // Validates the complete line (without its '\n') that starts at offset line_start_, and hands
  // it to the sink. Returns Errc::none or the rule it broke.
  Errc deliver(std::string_view line, LineSink& sink) noexcept;
  // Appends to the spill; the caller has checked the result stays within the limit.
  void hold(const char* bytes, std::size_t n) noexcept;

  std::uint64_t max_line_bytes_;
  std::uint32_t max_depth_;
  std::unique_ptr<detail::JsonScanner> json_;  // null when lines are not validated
  std::vector<char> spill_;                    // the start of a line split across inputs; size <= max
  std::uint64_t line_start_ = 0;               // absolute offset of the current line's first byte
  std::uint64_t offset_ = 0;
  std::uint64_t lines_ = 0;
  DecodeError error_{};
};

/// Appends `json_text` and '\n' to `out`: one NDJSON line that LineDecoder (with the same limits)
/// gives back as the same text. Returns Errc::none, or, appending nothing:
///   limit_ndjson_line_bytes  json_text.size() > Limits::ndjson_max_line_bytes
///   ndjson_empty_line        json_text is empty
///   ndjson_raw_newline       json_text holds a raw '\n' or '\r' (NDJSON 1.0 3.1: "The JSON texts
///                            MUST NOT contain newlines or carriage returns"; in valid JSON they
///                            can only be whitespace, so write the value compactly). Checked
///                            before the JSON rules.
///   json_syntax, json_bad_utf8, json_number, json_lone_surrogate, limit_depth (Limits::max_depth)
///                            json_text is not exactly one JSON value within the depth limit
/// Each call validates with a fresh parser (it allocates); growing `out` may allocate.
[[nodiscard]] Errc encode_line(std::string_view json_text, std::string& out, const Limits& limits = {}) noexcept;

}  // namespace sioconf::ndjson
