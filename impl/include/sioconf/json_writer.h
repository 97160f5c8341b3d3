// sioconf/json_writer.h — one JSON value written by calls, as JSON.stringify writes it.
//
//   JsonWriter w;
//   w.begin_object().key("sid").string("abc").key("n").number(3).end_object();
//   w.json() == R"({"sid":"abc","n":3})"
//
// The one JSON writer of sioconf: Engine.IO's handshake, Socket.IO payloads, the server socket's
// answers. Its text is byte-identical to what the Node packages write with JSON.stringify:
//   strings and keys   must be valid UTF-8 (else json_bad_utf8); '"' and '\' are escaped with a
//                      backslash; \b \f \n \r \t in their short forms; every other byte below 0x20
//                      as \u00xx (so \x1e, the polling record separator, never appears raw);
//                      U+2028/U+2029 and all other code points as raw UTF-8 (RFC 8259 does not
//                      require escaping them)
//   numbers            integers in decimal; doubles in the shortest form that reads back exactly
//                      (std::to_chars), -0 as 0; NaN and infinities are refused with json_number
//                      (JSON.stringify would write null)
//   whitespace         none
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "sioconf/bytes.h"
#include "sioconf/errc.h"

namespace sioconf {

/// Builds one JSON value by calls in document order. Each call returns the
/// writer so calls chain. A call that breaks JSON structure (a value where a key is due, a key
/// outside an object, a mismatched end, a second top-level value), a non-finite number
/// (json_number) or a string/key that is not UTF-8 (json_bad_utf8) sets error(); the first error
/// sticks until clear() and later calls do nothing. Appending may allocate (noexcept: a failed
/// allocation terminates).
class JsonWriter {
 public:
  JsonWriter& begin_array() noexcept;
  JsonWriter& end_array() noexcept;
  JsonWriter& begin_object() noexcept;
  JsonWriter& end_object() noexcept;
  /// The next member's key (objects only); its value is the next call.
  JsonWriter& key(std::string_view k) noexcept;
  JsonWriter& string(std::string_view s) noexcept;
  JsonWriter& number(std::int64_t v) noexcept;
  JsonWriter& number(std::uint64_t v) noexcept;
  JsonWriter& number(double v) noexcept;
  /// Other integer types (int, unsigned, long long, ...), so that number(5) is not ambiguous.
  template <std::integral T>
  requires(!std::same_as<T, bool> && !std::same_as<T, std::int64_t> &&
           !std::same_as<T, std::uint64_t>) JsonWriter& number(T v) noexcept {
    if constexpr (std::is_signed_v<T>) {
      return number(static_cast<std::int64_t>(v));
    } else {
      return number(static_cast<std::uint64_t>(v));
    }
  }
  JsonWriter& boolean(bool b) noexcept;
  JsonWriter& null() noexcept;
  /// One JSON value given as text, inserted verbatim. It is not checked here (sio::PacketEncoder
  /// parses a whole payload and refuses it if the result is not what the decoder accepts).
  JsonWriter& raw_json(std::string_view json) noexcept;
  /// The elements of a JSON array given as text (`[1,"a"]`, whitespace around it allowed), written
  /// verbatim as the next members of the array that is open; `[]` writes nothing. Used to put an
  /// event name before arguments a caller holds as one array. Not checked beyond the brackets (as
  /// raw_json). Outside an array, or when the text is not bracketed: json_syntax.
  JsonWriter& raw_elements(std::string_view array_json) noexcept;
  /// A binary value, as Socket.IO carries one (socket.io-protocol v5, binary attachments): writes
  /// {"_placeholder":true,"num":i} (i = the number of binary() calls before this one) and copies
  /// `bytes` as attachment i.
  JsonWriter& binary(ByteView bytes) noexcept;
  /// Adds attachment i (i = the attachments so far) without writing anything: for raw JSON that
  /// already holds its placeholders (an EVENT's arguments sent back as they came).
  JsonWriter& attach(ByteView bytes) noexcept;

  /// Forgets everything written (and the error); keeps the buffers' capacity.
  void clear() noexcept;

  /// The JSON written so far.
  std::string_view json() const noexcept { return out_; }
  /// True when nothing was written (for a Socket.IO packet: no payload).
  bool empty() const noexcept { return out_.empty(); }
  /// True when exactly one complete value was written.
  bool complete() const noexcept { return !out_.empty() && stack_.empty() && !key_pending_; }
  /// The first misuse (Errc::none while there is none).
  Errc error() const noexcept { return error_; }

  std::size_t attachment_count() const noexcept { return attachment_ends_.size(); }
  /// Attachment i (i < attachment_count()), valid until the writer is changed.
  ByteView attachment(std::size_t i) const noexcept;
  /// Bytes of all attachments together.
  std::uint64_t attachment_bytes() const noexcept { return attachments_.size(); }

 private:
  bool before_value() noexcept;  // comma/key bookkeeping; false when a value is not allowed here
  void fail(Errc e) noexcept;
  void write_string(std::string_view s) noexcept;

  std::string out_;
  // One byte per open container: '[' or '{', with bit 7 set once it holds a member.
  std::vector<std::uint8_t> stack_;
  bool key_pending_ = false;  // a key was written, its value is due
  bool root_done_ = false;
  Errc error_ = Errc::none;
  std::vector<std::uint8_t> attachments_;     // all attachments, back to back
  std::vector<std::size_t> attachment_ends_;  // end offset of each in attachments_
};

}  // namespace sioconf
