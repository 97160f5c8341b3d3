// sioconf/sio/packet_encoder.h — Socket.IO v5 packets out: a JSON writer for the payload, then
// one text message plus one binary message per attachment.
//
//   sio::JsonWriter w;
//   w.begin_array().string("upload").binary(file_bytes).end_array();
//   sio::EncodedPacket p = sio::encode(sio::PacketType::event, "/files", 7, w);
//   if (p.error != Errc::none) ...   // refused: nothing was written
//   // p.text == "51-/files,7[\"upload\",{\"_placeholder\":true,\"num\":0}]", p.attachments[0] == file_bytes
//
// The text is `<type>[<n>-][<nsp>,][<id>][<json>]` (socket.io-protocol v5, "Packet encoding"):
// the namespace is written only when it is not "/", the count only for binary types. As
// socket.io-parser does, an EVENT or ACK whose payload holds binary() values becomes a
// BINARY_EVENT or BINARY_ACK.
//
// ---- Refusals ------------------------------------------------------------------------------------
// encode() writes only what a sioconf PacketDecoder with the same Limits accepts, and returns the
// Errc that decoder would report otherwise, checking in the decoder's order (nothing is written
// then):
//   the writer's own error; a container or key left open     JsonWriter::error(); json_syntax
//   type outside 0-6                                         sio_bad_packet_type
//   binary() values in CONNECT, DISCONNECT, CONNECT_ERROR    sio_unexpected_binary
//   BINARY_EVENT/BINARY_ACK without any binary() value       sio_bad_attachments
//   the text longer than Limits::max_payload_bytes           limit_payload_bytes
//   more binary() values than Limits::max_attachments        limit_attachments
//   nsp empty or not starting with '/' (socket.io-parser
//     writes '2nsp-without-slash,[...]', which it cannot
//     read back)                                             sio_bad_namespace
//   nsp longer than Limits::max_namespace_bytes              limit_namespace_bytes
//   nsp holding ',', a control byte, '"', '[' or '{'         sio_bad_namespace
//   nsp not valid UTF-8                                      bad_utf8
//   id with more digits than Limits::max_ack_id_digits       limit_ack_id_digits
//   id > Limits::max_ack_id                                  limit_ack_id
//   an id on CONNECT, DISCONNECT, CONNECT_ERROR              sio_ack_id_not_allowed
//   no id on ACK, BINARY_ACK                                 sio_ack_without_id
//   the payload rules of packet_decoder.h (presence, JSON validity, max_depth, per-type shape,
//     event names, placeholders), checked by parsing the written JSON exactly as the decoder
//     does, e.g. ["connect"]                                 sio_reserved_event_name
//   attachments above Limits::max_attachment_bytes in total  limit_attachment_bytes
//
// ---- JSON text -----------------------------------------------------------------------------------
// Strings and keys must be valid UTF-8 (else json_bad_utf8) and are escaped as JSON.stringify
// escapes them, so the text is byte-identical to socket.io-parser's: '"' and '\' with a
// backslash; \b \f \n \r \t in their short forms; every other byte below 0x20 as \u00xx (so
// \x1e, the polling record separator, never appears raw); U+2028/U+2029 and all other code points
// as raw UTF-8 (RFC 8259 does not require escaping them). Numbers: integers in decimal; doubles in
// the shortest form that reads back exactly (std::to_chars), -0 as 0; NaN and infinities are
// refused with json_number (JSON.stringify would write null). No whitespace is written.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "sioconf/bytes.h"
#include "sioconf/errc.h"
#include "sioconf/limits.h"
#include "sioconf/sio/packet.h"

namespace sioconf::detail {
class SioPayloadChecker;
}

namespace sioconf::sio {

/// Builds one JSON value (the packet payload) by calls in document order. Each call returns the
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
    requires(!std::same_as<T, bool> && !std::same_as<T, std::int64_t> && !std::same_as<T, std::uint64_t>)
  JsonWriter& number(T v) noexcept {
    if constexpr (std::is_signed_v<T>) {
      return number(static_cast<std::int64_t>(v));
    } else {
      return number(static_cast<std::uint64_t>(v));
    }
  }
  JsonWriter& boolean(bool b) noexcept;
  JsonWriter& null() noexcept;
  /// One JSON value given as text, inserted verbatim. It is not checked here; encode() parses the
  /// whole payload and refuses it if the result is not what the decoder accepts.
  JsonWriter& raw_json(std::string_view json) noexcept;
  /// The elements of a JSON array given as text (`[1,"a"]`, whitespace around it allowed), written
  /// verbatim as the next members of the array that is open; `[]` writes nothing. Used to put an
  /// event name before arguments a caller holds as one array. Not checked beyond the brackets (as
  /// raw_json). Outside an array, or when the text is not bracketed: json_syntax.
  JsonWriter& raw_elements(std::string_view array_json) noexcept;
  /// A binary value: writes {"_placeholder":true,"num":i} (i = the number of binary() calls before
  /// this one) and copies `bytes` as attachment i.
  JsonWriter& binary(ByteView bytes) noexcept;

  /// Forgets everything written (and the error); keeps the buffers' capacity.
  void clear() noexcept;

  /// The JSON written so far.
  std::string_view json() const noexcept { return out_; }
  /// True when nothing was written: the packet will have no payload.
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
  std::vector<std::uint8_t> attachments_;    // all attachments, back to back
  std::vector<std::size_t> attachment_ends_;  // end offset of each in attachments_
};

/// One packet ready to send: `text` as one text message, then each attachment as one binary
/// message, in order. When `error` is not Errc::none the packet was refused and both are empty.
struct EncodedPacket {
  Errc error = Errc::none;
  std::string text;
  std::vector<std::vector<std::uint8_t>> attachments;
};


/// Encodes packets under one set of Limits. Keeps the JSON parser it checks payloads with, so
/// encoding many packets with one encoder allocates only for the output.
class PacketEncoder {
 public:
  explicit PacketEncoder(const Limits& limits = {});
  ~PacketEncoder();
  PacketEncoder(PacketEncoder&&) noexcept;
  PacketEncoder& operator=(PacketEncoder&&) noexcept;
  PacketEncoder(const PacketEncoder&) = delete;
  PacketEncoder& operator=(const PacketEncoder&) = delete;

  /// Encodes one packet into `out` (its previous content is replaced, its capacity reused).
  /// `nsp` "/" is the main namespace. `payload` empty = no payload. Returns Errc::none, or the
  /// refusal (see above); then `out.error` holds it too and out.text/out.attachments are empty.
  [[nodiscard]] Errc encode(PacketType type, std::string_view nsp, std::optional<std::uint64_t> id,
                            const JsonWriter& payload, EncodedPacket& out) noexcept;

 private:
  Limits limits_;
  std::unique_ptr<sioconf::detail::SioPayloadChecker> checker_;
};

/// One-shot form of PacketEncoder::encode with a fresh result (uses a per-thread checker).
EncodedPacket encode(PacketType type, std::string_view nsp, std::optional<std::uint64_t> id,
                     const JsonWriter& payload, const Limits& limits = {}) noexcept;

}  // namespace sioconf::sio
